// The builtins module: print, len, range, sorted, isinstance, the type constructors...
#include "vm.h"

#include "bigint.h"
#include "interpreter.h"
#include "lexer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace loopscope::lang {

namespace {

struct SortError {};

Value raiseTypeError(ThreadState &ts, std::string msg) { return ts.raise(types().TypeError, std::move(msg)); }

bool isIntLikeV(const Value &v) { return v.isSmallInt() || v.isBool() || v.isBigInt(); }

bool toIndex(ThreadState &ts, const Value &v, std::int64_t &out)
{
    if (isIntLikeV(v)) {
        bool ok;
        out = v.asInt(&ok);
        if (!ok) {
            ts.raise(types().OverflowError, "Python int too large to convert to C ssize_t");
            return false;
        }
        return true;
    }
    ts.raise(types().TypeError, "'" + typeName(v) + "' object cannot be interpreted as an integer");
    return false;
}

std::string trimWs(const std::string &s)
{
    std::size_t a = s.find_first_not_of(" \t\n\r\f\v");
    if (a == std::string::npos)
        return "";
    std::size_t b = s.find_last_not_of(" \t\n\r\f\v");
    return s.substr(a, b - a + 1);
}

} // namespace

Value parseIntString(ThreadState &ts, const std::string &text, int base)
{
    std::string s = trimWs(text);
    std::string digits = s;
    bool neg = false;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
        neg = digits[0] == '-';
        digits.erase(0, 1);
    }
    if (base == 0 || base == 16 || base == 8 || base == 2) {
        if (digits.size() > 1 && digits[0] == '0') {
            char p = static_cast<char>(std::tolower(digits[1]));
            int b = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
            if (b && (base == 0 || base == b)) {
                base = b;
                digits.erase(0, 2);
                if (!digits.empty() && digits[0] == '_')
                    digits.erase(0, 1);
            }
        }
        if (base == 0)
            base = 10;
    }
    bool ok = !digits.empty() && digits.front() != '_' && digits.back() != '_' && digits.find("__") == std::string::npos;
    if (ok && base == 10 && digits.size() > 4300) {
        std::size_t n = 0;
        for (char c : digits)
            n += c != '_';
        if (n > 4300)
            return ts.raise(types().ValueError, "Exceeds the limit (4300 digits) for integer string conversion: value has " +
                                                    std::to_string(n) + " digits; use sys.set_int_max_str_digits() to increase the limit");
    }
    std::optional<BigInt> b;
    if (ok)
        b = BigInt::fromString(digits, base);
    if (!b) {
        return ts.raise(types().ValueError, "invalid literal for int() with base " + std::to_string(base) + ": " + strRepr(text));
    }
    if (neg)
        *b = b->negated();
    return makeBigInt(std::make_shared<BigInt>(std::move(*b)));
}

bool parseFloatString(const std::string &text, double &out)
{
    std::string s = trimWs(text);
    std::string low;
    for (char c : s)
        low.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    std::string body = low;
    bool neg = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        neg = body[0] == '-';
        body.erase(0, 1);
    }
    if (body == "inf" || body == "infinity") {
        out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (body == "nan") {
        out = NAN;
        return true;
    }
    if (s.empty())
        return false;
    std::string clean;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_') {
            if (i == 0 || i + 1 >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i - 1])) ||
                !std::isdigit(static_cast<unsigned char>(s[i + 1])))
                return false;
            continue;
        }
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
            return false;
        clean.push_back(c);
    }
    char *end = nullptr;
    out = std::strtod(clean.c_str(), &end);
    return end && *end == '\0' && end != clean.c_str();
}

Value toIntValue(ThreadState &ts, const Value &v)
{
    if (v.isSmallInt() || v.isBigInt())
        return v;
    if (v.isBool())
        return Value::fromInt(v.asInt());
    if (v.isFloat()) {
        double d = v.asDouble();
        if (std::isnan(d))
            return ts.raise(types().ValueError, "cannot convert float NaN to integer");
        if (std::isinf(d))
            return ts.raise(types().OverflowError, "cannot convert float infinity to integer");
        d = std::trunc(d);
        if (std::fabs(d) < 9e18)
            return Value::fromInt(static_cast<std::int64_t>(d));
        return makeBigInt(std::make_shared<BigInt>(BigInt::fromDouble(d)));
    }
    if (v.isStr())
        return parseIntString(ts, v.asString(), 10);
    if (v.isInstanceLike()) {
        Value m = v.type()->lookup("__int__");
        if (m.isNotFound())
            m = v.type()->lookup("__index__");
        if (!m.isNotFound())
            return call(ts, m, {v});
    }
    return raiseTypeError(ts, "int() argument must be a string, a bytes-like object or a real number, not '" + typeName(v) + "'");
}

Value toFloatValue(ThreadState &ts, const Value &v)
{
    if (v.isFloat())
        return v;
    if (isIntLikeV(v)) {
        if (v.isBigInt()) {
            double d = v.asDouble();
            if (std::isinf(d))
                return ts.raise(types().OverflowError, "int too large to convert to float");
            return makeFloat(d);
        }
        return makeFloat(static_cast<double>(v.asInt()));
    }
    if (v.isStr()) {
        double d;
        if (!parseFloatString(v.asString(), d))
            return ts.raise(types().ValueError, "could not convert string to float: " + strRepr(v.asString()));
        return makeFloat(d);
    }
    if (v.isInstanceLike()) {
        Value m = v.type()->lookup("__float__");
        if (!m.isNotFound())
            return call(ts, m, {v});
    }
    return raiseTypeError(ts, "float() argument must be a string or a real number, not '" + typeName(v) + "'");
}

static Value builtinLen(ThreadState &ts, const Value &v)
{
    if (v.isObject()) {
        switch (v.ptr()->kind()) {
        case ObjKind::Str: return Value::fromInt(strLength(v.as<StrObject>()));
        case ObjKind::Bytes: return Value::fromInt(static_cast<std::int64_t>(v.as<BytesObject>()->value.size()));
        case ObjKind::List: {
            ContainerGuard g(v.as<ListObject>()->lock);
            return Value::fromInt(static_cast<std::int64_t>(v.as<ListObject>()->items.size()));
        }
        case ObjKind::Tuple: return Value::fromInt(static_cast<std::int64_t>(v.as<TupleObject>()->items.size()));
        case ObjKind::Dict: return Value::fromInt(static_cast<std::int64_t>(v.as<DictObject>()->size()));
        case ObjKind::Set: return Value::fromInt(static_cast<std::int64_t>(v.as<SetObject>()->table.size()));
        case ObjKind::Range: return Value::fromInt(v.as<RangeObject>()->length());
        default: {
            Value m = v.type()->lookup("__len__");
            if (!m.isNotFound())
                return call(ts, m, {v});
        }
        }
    }
    return raiseTypeError(ts, "object of type '" + typeName(v) + "' has no len()");
}

// Sorts in place with Python's stable sort semantics (key, reverse); false on error.
bool sortValues(ThreadState &ts, std::vector<Value> &items, const Value &key, bool reverse)
{
    std::vector<Value> keys;
    if (!key.isNone() && !key.isNotFound()) {
        keys.reserve(items.size());
        for (auto &x : items) {
            Value k = call(ts, key, {x});
            if (k.isError())
                return false;
            keys.push_back(std::move(k));
        }
    } else {
        keys = items;
    }
    std::vector<std::size_t> idx(items.size());
    for (std::size_t i = 0; i < idx.size(); ++i)
        idx[i] = i;
    try {
        auto less = [&](std::size_t a, std::size_t b) {
            const Value &x = keys[a];
            const Value &y = keys[b];
            if (x.isSmallInt() && y.isSmallInt())
                return x.smallValue() < y.smallValue();
            int r = richCompareBool(ts, ast::CmpOperator::Lt, x, y);
            if (r < 0)
                throw SortError{};
            return r != 0;
        };
        if (reverse)
            std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return less(b, a); });
        else
            std::stable_sort(idx.begin(), idx.end(), less);
    } catch (SortError &) {
        return false;
    }
    std::vector<Value> out;
    out.reserve(items.size());
    for (auto i : idx)
        out.push_back(items[i]);
    items.swap(out);
    return true;
}

// isinstance()'s and issubclass()'s second argument: one type or a tuple of them.
static std::vector<Value> classInfo(const Value &v)
{
    if (v.isTuple())
        return v.as<TupleObject>()->items;
    std::vector<Value> members;
    if (unionArgs(v, &members))
        return members;
    return {v};
}

// any() stops at the first true item, all() at the first false one.
static Value anyAll(ThreadState &ts, const CallArgs &a, bool isAll)
{
    if (!a.checkCount(ts, isAll ? "all" : "any", 1, 1))
        return Value::error();
    Value it = getIter(ts, a[0]);
    if (it.isError())
        return it;
    for (;;) {
        Value x = iterNext(ts, it);
        if (x.isError())
            return x;
        if (x.isNotFound())
            return Value::fromBool(isAll);
        int t = truthy(ts, x);
        if (t < 0)
            return Value::error();
        if ((t != 0) != isAll)
            return Value::fromBool(!isAll);
    }
}

static Value minMax(ThreadState &ts, const CallArgs &a, bool isMax)
{
    const char *name = isMax ? "max" : "min";
    if (!a.onlyKeywords(ts, name, {"key", "default"}))
        return Value::error();
    Value key = a.keyword("key");
    Value dflt = a.keyword("default");
    std::vector<Value> items;
    if (a.size() == 0)
        return raiseTypeError(ts, std::string(name) + " expected at least 1 argument, got 0");
    if (a.size() == 1) {
        if (!collect(ts, a[0], items))
            return Value::error();
    } else {
        if (!dflt.isNotFound())
            return raiseTypeError(ts, std::string("Cannot specify a default for ") + name + "() with multiple positional arguments");
        items.assign(a.positional.begin(), a.positional.end());
    }
    if (items.empty()) {
        if (!dflt.isNotFound())
            return dflt;
        return ts.raise(types().ValueError, std::string(name) + "() arg is an empty sequence");
    }
    Value best = items[0];
    Value bestKey = key.isNotFound() || key.isNone() ? best : call(ts, key, {best});
    if (bestKey.isError())
        return bestKey;
    for (std::size_t i = 1; i < items.size(); ++i) {
        Value k = key.isNotFound() || key.isNone() ? items[i] : call(ts, key, {items[i]});
        if (k.isError())
            return k;
        int r = richCompareBool(ts, isMax ? ast::CmpOperator::Gt : ast::CmpOperator::Lt, k, bestKey);
        if (r < 0)
            return Value::error();
        if (r) {
            best = items[i];
            bestKey = k;
        }
    }
    return best;
}

static Value makeSuper(ThreadState &ts, const CallArgs &a);
Value percentFormat(ThreadState &ts, const std::string &fmt, const Value &args);
Value streamObject(ThreadState &ts, bool isStderr); // modules.cpp
int streamKind(const Value &v);                     // modules.cpp: 0 none, 1 stdout, 2 stderr

static Value builtinPrint(ThreadState &ts, const CallArgs &a)
{
    if (!a.onlyKeywords(ts, "print", {"sep", "end", "file", "flush"}))
        return Value::error();
    Value sepV = a.keyword("sep"), endV = a.keyword("end"), file = a.keyword("file");
    std::string sep = " ", end = "\n";
    if (!sepV.isNotFound() && !sepV.isNone()) {
        if (!sepV.isStr())
            return raiseTypeError(ts, "sep must be None or a string, not " + typeName(sepV));
        sep = sepV.asString();
    }
    if (!endV.isNotFound() && !endV.isNone()) {
        if (!endV.isStr())
            return raiseTypeError(ts, "end must be None or a string, not " + typeName(endV));
        end = endV.asString();
    }
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i)
            out += sep;
        bool ok;
        out += str(ts, a[i], &ok);
        if (!ok)
            return Value::error();
    }
    out += end;
    int kind = file.isNotFound() || file.isNone() ? 1 : streamKind(file);
    if (kind == 0) {
        Value r = callMethod(ts, file, "write", std::vector<Value>{makeStr(out)});
        if (r.isError())
            return r;
        return Value::none();
    }
    ts.interpreter().write(ts, out, kind == 2);
    Value flush = a.keyword("flush");
    if (!flush.isNotFound() && truthy(ts, flush) == 1 && !ts.interpreter().options().output)
        std::fflush(stdout);
    return Value::none();
}

void initBuiltinsDict(DictObject &d)
{
    const CoreTypes &t = types();
    auto def = [&](const char *name, NativeFn fn) { d.setStr(name, makeNativeFunction(name, std::move(fn))); };

    for (TypeObject *x : {t.object, t.type, t.int_, t.bool_, t.float_, t.str, t.bytes, t.list, t.tuple, t.dict, t.set,
                          t.range, t.slice, t.property, t.staticmethod, t.classmethod})
        d.setStr(x->name, typeValue(x));
    for (TypeObject *x : t.allExceptions)
        d.setStr(x->name, typeValue(x));
    d.setStr("EnvironmentError", typeValue(t.OSError));
    d.setStr("IOError", typeValue(t.OSError));
    d.setStr("None", Value::none());
    d.setStr("True", Value::trueValue());
    d.setStr("False", Value::falseValue());
    static Value notImpl = [] {
        auto *o = new InstanceObject(types().notImplementedType);
        Value v(o);
        o->makeImmortal();
        return v;
    }();
    static Value ellipsis = [] {
        auto *o = new InstanceObject(types().ellipsisType);
        Value v(o);
        o->makeImmortal();
        return v;
    }();
    d.setStr("NotImplemented", notImpl);
    d.setStr("Ellipsis", ellipsis);
    d.setStr("__name__", makeStr("builtins"));

    def("print", builtinPrint);
    def("len", [](ThreadState &ts, const CallArgs &a) {
        if (!a.checkCount(ts, "len", 1, 1))
            return Value::error();
        return builtinLen(ts, a[0]);
    });
    def("repr", [](ThreadState &ts, const CallArgs &a) {
        if (!a.checkCount(ts, "repr", 1, 1))
            return Value::error();
        return reprValue(ts, a[0]);
    });
    def("abs", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "abs", 1, 1))
            return Value::error();
        const Value &v = a[0];
        if (v.isSmallInt() || v.isBool())
            return Value::fromInt(std::llabs(v.asInt()));
        if (v.isBigInt())
            return v.as<BigIntObject>()->value->isNegative() ? unaryOp(ts, ast::UnaryOperator::USub, v) : v;
        if (v.isFloat())
            return makeFloat(std::fabs(v.asDouble()));
        if (v.isInstanceLike()) {
            Value m = v.type()->lookup("__abs__");
            if (!m.isNotFound())
                return call(ts, m, {v});
        }
        return raiseTypeError(ts, "bad operand type for abs(): '" + typeName(v) + "'");
    });
    def("isinstance", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "isinstance", 2, 2))
            return Value::error();
        for (auto &ty : classInfo(a[1])) {
            if (!ty.isType())
                return raiseTypeError(ts, "isinstance() arg 2 must be a type, a tuple of types, or a union");
            if (isInstance(a[0], ty.as<TypeObject>()))
                return Value::trueValue();
        }
        return Value::falseValue();
    });
    def("issubclass", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "issubclass", 2, 2))
            return Value::error();
        if (!a[0].isType())
            return raiseTypeError(ts, "issubclass() arg 1 must be a class");
        for (auto &ty : classInfo(a[1])) {
            if (!ty.isType())
                return raiseTypeError(ts, "issubclass() arg 2 must be a class, a tuple of classes, or a union");
            if (a[0].as<TypeObject>()->isSubtypeOf(ty.as<TypeObject>()) ||
                (a[0].as<TypeObject>() == types().bool_ && ty.as<TypeObject>() == types().int_))
                return Value::trueValue();
        }
        return Value::falseValue();
    });
    def("callable", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "callable", 1, 1))
            return Value::error();
        return Value::fromBool(isCallable(a[0]));
    });
    def("id", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "id", 1, 1))
            return Value::error();
        return Value::fromInt(static_cast<std::int64_t>(a[0].bits() & 0x3fffffffffffffffULL));
    });
    def("hash", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "hash", 1, 1))
            return Value::error();
        std::size_t h;
        if (!hashValue(ts, a[0], h))
            return Value::error();
        return Value::fromInt(static_cast<std::int64_t>(h) >> 2);
    });
    def("iter", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "iter", 1, 1))
            return Value::error();
        return getIter(ts, a[0]);
    });
    def("next", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "next", 1, 2))
            return Value::error();
        const Value &it = a[0];
        if (!it.isKind(ObjKind::Iterator) && !it.isGenerator() && it.type()->lookup("__next__").isNotFound())
            return raiseTypeError(ts, "'" + typeName(it) + "' object is not an iterator");
        if (it.isGenerator()) {
            ResumeResult r = resume(ts, it, Value::none());
            if (r.kind == ResumeResult::Yielded)
                return r.value;
            if (r.kind == ResumeResult::Returned) {
                if (a.size() > 1)
                    return a[1];
                Value e = makeException(types().StopIteration, "");
                if (!r.value.isNone())
                    e.as<ExceptionObject>()->args = makeTuple({r.value});
                return ts.raise(e);
            }
            if (a.size() > 1 && ts.exceptionMatches(types().StopIteration)) {
                ts.fetchException();
                return a[1];
            }
            return Value::error();
        }
        Value v = iterNext(ts, it);
        if (v.isNotFound()) {
            if (a.size() > 1)
                return a[1];
            return ts.raise(types().StopIteration);
        }
        return v;
    });
    def("hasattr", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "hasattr", 2, 2))
            return Value::error();
        if (!a[1].isStr())
            return raiseTypeError(ts, "attribute name must be string, not '" + typeName(a[1]) + "'");
        Value v = getAttrOpt(ts, a[0], a[1].asString());
        if (v.isError()) {
            if (ts.exceptionMatches(types().AttributeError)) {
                ts.fetchException();
                return Value::falseValue();
            }
            return v;
        }
        return Value::fromBool(!v.isNotFound());
    });
    def("getattr", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "getattr", 2, 3))
            return Value::error();
        if (!a[1].isStr())
            return raiseTypeError(ts, "attribute name must be string, not '" + typeName(a[1]) + "'");
        if (a.size() == 3) {
            Value v = getAttrOpt(ts, a[0], a[1].asString());
            if (v.isError() && ts.exceptionMatches(types().AttributeError)) {
                ts.fetchException();
                return a[2];
            }
            return v.isNotFound() ? a[2] : v;
        }
        return getAttr(ts, a[0], a[1].asString());
    });
    def("setattr", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "setattr", 3, 3))
            return Value::error();
        if (!a[1].isStr())
            return raiseTypeError(ts, "attribute name must be string, not '" + typeName(a[1]) + "'");
        if (!setAttr(ts, a[0], a[1].asString(), a[2]))
            return Value::error();
        return Value::none();
    });
    def("delattr", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "delattr", 2, 2))
            return Value::error();
        if (!setAttr(ts, a[0], a[1].isStr() ? a[1].asString() : "", Value::unbound()))
            return Value::error();
        return Value::none();
    });
    def("sorted", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() != 1)
            return raiseTypeError(ts, "sorted expected 1 argument, got " + std::to_string(a.size()));
        if (!a.onlyKeywords(ts, "sort", {"key", "reverse"}))
            return Value::error();
        std::vector<Value> items;
        if (!collect(ts, a[0], items))
            return Value::error();
        Value rev = a.keyword("reverse");
        int r = rev.isNotFound() ? 0 : truthy(ts, rev);
        if (r < 0)
            return Value::error();
        if (!sortValues(ts, items, a.keyword("key"), r != 0))
            return Value::error();
        return makeList(std::move(items));
    });
    def("reversed", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "reversed", 1, 1))
            return Value::error();
        const Value &v = a[0];
        std::vector<Value> items;
        if (v.isKind(ObjKind::Range)) {
            auto *r = v.as<RangeObject>();
            std::int64_t n = r->length();
            auto *it = new IteratorObject(types().iterator);
            it->isRange = true;
            it->rangeCur = r->start + (n - 1) * r->step;
            it->rangeStep = -r->step;
            it->rangeStop = r->start - r->step;
            it->next = [it](ThreadState &) -> Value {
                if (it->rangeStep > 0 ? it->rangeCur < it->rangeStop : it->rangeCur > it->rangeStop) {
                    std::int64_t c = it->rangeCur;
                    it->rangeCur += it->rangeStep;
                    return Value::fromInt(c);
                }
                return Value::notFound();
            };
            if (n == 0)
                it->rangeCur = it->rangeStop;
            return Value(it);
        }
        if (v.isList() || v.isTuple() || v.isStr() || v.isDict()) {
            if (!collect(ts, v, items))
                return Value::error();
        } else if (v.isInstanceLike() && !v.type()->lookup("__reversed__").isNotFound()) {
            return call(ts, v.type()->lookup("__reversed__"), {v});
        } else {
            return raiseTypeError(ts, "'" + typeName(v) + "' object is not reversible");
        }
        std::reverse(items.begin(), items.end());
        return getIter(ts, makeList(std::move(items)));
    });
    def("sum", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "sum", 1, 2))
            return Value::error();
        Value acc = a.size() > 1 ? a[1] : a.keyword("start");
        if (acc.isNotFound())
            acc = Value::smallInt(0);
        if (acc.isStr())
            return raiseTypeError(ts, "sum() can't sum strings [use ''.join(seq) instead]");
        Value it = getIter(ts, a[0]);
        if (it.isError())
            return it;
        for (;;) {
            Value x = iterNext(ts, it);
            if (x.isError())
                return x;
            if (x.isNotFound())
                return acc;
            if (acc.isSmallInt() && x.isSmallInt()) {
                std::int64_t s = acc.smallValue() + x.smallValue();
                if (Value::fitsSmall(s)) {
                    acc = Value::smallInt(s);
                    continue;
                }
            }
            acc = binaryOp(ts, ast::Operator::Add, acc, x, false);
            if (acc.isError())
                return acc;
        }
    });
    def("min", [](ThreadState &ts, const CallArgs &a) { return minMax(ts, a, false); });
    def("max", [](ThreadState &ts, const CallArgs &a) { return minMax(ts, a, true); });
    def("any", [](ThreadState &ts, const CallArgs &a) { return anyAll(ts, a, false); });
    def("all", [](ThreadState &ts, const CallArgs &a) { return anyAll(ts, a, true); });
    def("enumerate", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "enumerate", 1, 2))
            return Value::error();
        Value it = getIter(ts, a[0]);
        if (it.isError())
            return it;
        Value startV = a.arg(1, "start");
        std::int64_t i = 0;
        if (!startV.isNotFound() && !toIndex(ts, startV, i))
            return Value::error();
        return makeIterator([it, i](ThreadState &ts) mutable -> Value {
            Value x = iterNext(ts, it);
            if (x.isError() || x.isNotFound())
                return x;
            return makeTuple({Value::fromInt(i++), x});
        });
    });
    def("zip", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.onlyKeywords(ts, "zip", {"strict"}))
            return Value::error();
        std::vector<Value> its;
        for (auto &x : a.positional) {
            Value it = getIter(ts, x);
            if (it.isError())
                return it;
            its.push_back(it);
        }
        return makeIterator([its](ThreadState &ts) -> Value {
            if (its.empty())
                return Value::notFound();
            std::vector<Value> row;
            for (auto &it : its) {
                Value x = iterNext(ts, it);
                if (x.isError() || x.isNotFound())
                    return x;
                row.push_back(std::move(x));
            }
            return makeTuple(std::move(row));
        });
    });
    def("map", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() < 2)
            return raiseTypeError(ts, "map() must have at least two arguments.");
        Value fn = a[0];
        std::vector<Value> its;
        for (std::size_t i = 1; i < a.size(); ++i) {
            Value it = getIter(ts, a[i]);
            if (it.isError())
                return it;
            its.push_back(it);
        }
        return makeIterator([fn, its](ThreadState &ts) -> Value {
            std::vector<Value> args;
            for (auto &it : its) {
                Value x = iterNext(ts, it);
                if (x.isError() || x.isNotFound())
                    return x;
                args.push_back(std::move(x));
            }
            return call(ts, fn, args);
        });
    });
    def("filter", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "filter", 2, 2))
            return Value::error();
        Value fn = a[0];
        Value it = getIter(ts, a[1]);
        if (it.isError())
            return it;
        return makeIterator([fn, it](ThreadState &ts) -> Value {
            for (;;) {
                Value x = iterNext(ts, it);
                if (x.isError() || x.isNotFound())
                    return x;
                Value keep = fn.isNone() ? x : call(ts, fn, {x});
                if (keep.isError())
                    return keep;
                int t = truthy(ts, keep);
                if (t < 0)
                    return Value::error();
                if (t)
                    return x;
            }
        });
    });
    def("divmod", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "divmod", 2, 2))
            return Value::error();
        Value q = binaryOp(ts, ast::Operator::FloorDiv, a[0], a[1], false);
        if (q.isError())
            return q;
        Value r = binaryOp(ts, ast::Operator::Mod, a[0], a[1], false);
        if (r.isError())
            return r;
        return makeTuple({q, r});
    });
    def("pow", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "pow", 2, 3))
            return Value::error();
        if (a.size() == 3 && !a[2].isNone()) {
            if (!isIntLikeV(a[0]) || !isIntLikeV(a[1]) || !isIntLikeV(a[2]) || a[0].isBigInt() || a[1].isBigInt() || a[2].isBigInt())
                return raiseTypeError(ts, "pow() 3rd argument not allowed unless all arguments are integers");
            std::int64_t b = a[0].asInt(), e = a[1].asInt(), m = a[2].asInt();
            if (m == 0)
                return ts.raise(types().ValueError, "pow() 3rd argument cannot be 0");
            if (e < 0)
                return ts.raise(types().ValueError, "pow() negative exponent not supported");
            __int128 result = 1, base = ((b % m) + m) % m;
            while (e) {
                if (e & 1)
                    result = (result * base) % m;
                base = (base * base) % m;
                e >>= 1;
            }
            std::int64_t r = static_cast<std::int64_t>(result);
            if (r != 0 && ((r < 0) != (m < 0)))
                r += m;
            return Value::fromInt(r);
        }
        return binaryOp(ts, ast::Operator::Pow, a[0], a[1], false);
    });
    def("round", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "round", 1, 2))
            return Value::error();
        const Value &v = a[0];
        Value nd = a.arg(1, "ndigits");
        bool hasNd = !nd.isNotFound() && !nd.isNone();
        if (isIntLikeV(v)) {
            if (!hasNd)
                return Value::fromInt(v.asInt());
            std::int64_t n = nd.asInt();
            if (n >= 0)
                return Value::fromInt(v.asInt());
            std::int64_t p = 1;
            for (std::int64_t i = 0; i < -n && p < INT64_MAX / 10; ++i)
                p *= 10;
            std::int64_t x = v.asInt();
            std::int64_t q = x / p, r = x % p;
            if (r < 0) {
                r += p;
                q -= 1;
            }
            if (2 * r > p || (2 * r == p && (q & 1)))
                q += 1;
            return Value::fromInt(q * p);
        }
        if (!v.isFloat()) {
            if (v.isInstanceLike() && !v.type()->lookup("__round__").isNotFound())
                return call(ts, v.type()->lookup("__round__"), {v});
            return raiseTypeError(ts, "type " + typeName(v) + " doesn't define __round__ method");
        }
        double d = v.asDouble();
        if (!hasNd) {
            if (std::isnan(d))
                return ts.raise(types().ValueError, "cannot convert float NaN to integer");
            if (std::isinf(d))
                return ts.raise(types().OverflowError, "cannot convert float infinity to integer");
            double r = std::nearbyint(d); // banker's rounding (default FE_TONEAREST)
            return toIntValue(ts, makeFloat(r));
        }
        std::int64_t n = nd.asInt();
        if (!std::isfinite(d))
            return v;
        // correctly rounded through the shortest decimal representation, as CPython does
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::clamp<std::int64_t>(n, 0, 30)), d);
        if (n < 0) {
            double p = std::pow(10.0, static_cast<double>(-n));
            return makeFloat(std::nearbyint(d / p) * p);
        }
        return makeFloat(std::strtod(buf, nullptr));
    });
    def("chr", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "chr", 1, 1))
            return Value::error();
        std::int64_t c;
        if (!toIndex(ts, a[0], c))
            return Value::error();
        if (c < 0 || c > 0x10FFFF)
            return ts.raise(types().ValueError, "chr() arg not in range(0x110000)");
        std::string out;
        std::uint32_t cp = static_cast<std::uint32_t>(c);
        appendUtf8(out, cp);
        return makeStr(std::move(out));
    });
    def("ord", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "ord", 1, 1))
            return Value::error();
        if (!a[0].isStr())
            return raiseTypeError(ts, "ord() expected string of length 1, but " + typeName(a[0]) + " found");
        auto *s = a[0].as<StrObject>();
        if (s->length() != 1)
            return raiseTypeError(ts, "ord() expected a character, but string of length " + std::to_string(s->length()) + " found");
        std::size_t at = 0;
        return Value::fromInt(nextCodePoint(s->value, at));
    });
    auto radix = [](const char *name, int base, const char *prefix) {
        return [name, base, prefix](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, name, 1, 1))
                return Value::error();
            if (!isIntLikeV(a[0]))
                return raiseTypeError(ts, "'" + typeName(a[0]) + "' object cannot be interpreted as an integer");
            BigInt b = a[0].isBigInt() ? *a[0].as<BigIntObject>()->value : BigInt(a[0].asInt());
            std::string s = b.toString(base);
            if (s[0] == '-')
                return makeStr("-" + std::string(prefix) + s.substr(1));
            return makeStr(prefix + s);
        };
    };
    def("hex", radix("hex", 16, "0x"));
    def("oct", radix("oct", 8, "0o"));
    def("bin", radix("bin", 2, "0b"));
    def("format", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "format", 1, 2))
            return Value::error();
        std::string spec = a.size() > 1 && a[1].isStr() ? a[1].asString() : "";
        return formatWithSpec(ts, a[0], spec);
    });
    def("super", makeSuper);
    def("globals", [](ThreadState &ts, const CallArgs &) -> Value {
        Frame *f = ts.topFrame;
        if (!f)
            return makeDict();
        return Value(static_cast<Object *>(f->globals));
    });
    def("vars", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "vars", 1, 1))
            return Value::error();
        return getAttr(ts, a[0], "__dict__");
    });
    def("dir", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "dir", 1, 1))
            return Value::error();
        std::vector<Value> names;
        if (a[0].isModule())
            names = a[0].as<ModuleObject>()->dict.as<DictObject>()->keys();
        else if (a[0].isInstanceLike() && a[0].ptr()->kind() != ObjKind::Native)
            names = a[0].as<InstanceObject>()->attrs.keys();
        for (TypeObject *x = a[0].type(); x; x = x->base)
            for (auto &k : x->dict.as<DictObject>()->keys())
                names.push_back(k);
        sortValues(ts, names, Value::none(), false);
        names.erase(std::unique(names.begin(), names.end(), [](const Value &x, const Value &y) { return x.isStr() && y.isStr() && x.asString() == y.asString(); }), names.end());
        return makeList(std::move(names));
    });
    def("exit", [](ThreadState &ts, const CallArgs &a) -> Value {
        Value e = makeException(types().SystemExit, "");
        if (a.size() > 0)
            e.as<ExceptionObject>()->args = makeTuple({a[0]});
        return ts.raise(e);
    });
    d.setStr("quit", d.getStr("exit"));
}

// ------------------------------------------------------------------ super()
static Value makeSuper(ThreadState &ts, const CallArgs &a)
{
    static Value superType = [] {
        NativeTypeSpec spec;
        spec.name = "super";
        spec.hooks.getattr = [](ThreadState &ts, const Value &self, std::string_view name) -> Value {
            const Value start = self.as<NativeObject>()->attrs.getStr("__thisclass__");
            const Value obj = self.as<NativeObject>()->attrs.getStr("__self__");
            TypeObject *from = start.as<TypeObject>()->base;
            for (TypeObject *t = from; t; t = t->base) {
                Value v = t->dict.as<DictObject>()->getStr(name);
                if (v.isNotFound())
                    continue;
                if (v.isFunction() || v.isKind(ObjKind::NativeFunction))
                    return Value(new BoundMethodObject(obj, v));
                if (v.isKind(ObjKind::ClassMethod))
                    return Value(new BoundMethodObject(obj.isType() ? obj : typeValue(obj.type()), v.as<StaticMethodObject>()->func));
                if (v.isKind(ObjKind::StaticMethod))
                    return v.as<StaticMethodObject>()->func;
                return v;
            }
            // object.__init__ and BaseException.__init__ defaults
            if (name == "__init__") {
                return makeNativeFunction("__init__", [obj](ThreadState &, const CallArgs &ca) -> Value {
                    if (obj.isException()) {
                        obj.as<ExceptionObject>()->args = makeTuple(std::vector<Value>(ca.positional.begin(), ca.positional.end()));
                    }
                    return Value::none();
                });
            }
            if (name == "__str__" || name == "__repr__") {
                bool isRepr = name == "__repr__";
                return makeNativeFunction(std::string(name), [obj, isRepr, start](ThreadState &ts, const CallArgs &) -> Value {
                    if (obj.isException()) {
                        auto &items = obj.as<ExceptionObject>()->args.as<TupleObject>()->items;
                        if (isRepr)
                            return makeStr(obj.type()->name + "(" + [&] {
                                std::string s;
                                for (std::size_t i = 0; i < items.size(); ++i)
                                    s += (i ? ", " : "") + repr(ts, items[i]);
                                return s;
                            }() + ")");
                        if (items.empty())
                            return makeStr("");
                        if (items.size() == 1)
                            return strValue(ts, items[0]);
                        return reprValue(ts, obj.as<ExceptionObject>()->args);
                    }
                    (void)start;
                    return makeStr("<" + obj.type()->module + "." + obj.type()->name + " object>");
                });
            }
            (void)ts;
            return Value::notFound();
        };
        Value t = makeNativeType(std::move(spec));
        t.ptr()->makeImmortal();
        return t;
    }();
    Value cls, obj;
    if (a.size() >= 2) {
        cls = a[0];
        obj = a[1];
    } else {
        Frame *f = ts.topFrame;
        if (!f || !f->func || f->code->argCount < 1)
            return ts.raise(types().RuntimeError, "super(): no arguments");
        obj = f->fast[0];
        if (obj.isUnbound()) {
            // the first argument may live in a cell
            int nl = f->code->nlocals();
            for (std::size_t i = 0; i < f->code->cellvars.size(); ++i)
                if (f->code->cellParamSlot[i] == 0)
                    obj = f->fast[nl + i].as<CellObject>()->value;
        }
        // the class whose body defined the running function
        TypeObject *start = obj.isType() ? obj.as<TypeObject>() : obj.type();
        TypeObject *found = nullptr;
        for (TypeObject *t = start; t && !found; t = t->base)
            for (auto &kv : t->dict.as<DictObject>()->items()) {
                Value fn = kv.second;
                if (fn.isKind(ObjKind::StaticMethod) || fn.isKind(ObjKind::ClassMethod))
                    fn = fn.as<StaticMethodObject>()->func;
                if (fn.isFunction() && fn.as<FunctionObject>()->code.get() == f->code) {
                    found = t;
                    break;
                }
            }
        if (!found)
            return ts.raise(types().RuntimeError, "super(): __class__ cell not found");
        cls = typeValue(found);
    }
    if (!cls.isType())
        return raiseTypeError(ts, "super() argument 1 must be a type, not " + typeName(cls));
    auto *o = new NativeObject(superType.as<TypeObject>());
    Value sv(o);
    o->attrs.setStr("__thisclass__", cls);
    o->attrs.setStr("__self__", obj);
    return sv;
}

} // namespace loopscope::lang
