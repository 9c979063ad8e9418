// Operators and protocols with CPython's semantics and messages: arithmetic (small
// ints, big ints, floats), comparisons, hashing, repr/str, items, iteration.
#include "vm.h"

#include "bigint.h"
#include "interpreter.h"
#include "lexer.h"
#include "parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

namespace loopscope::lang {

using ast::CmpOperator;
using ast::Operator;

std::string typeName(const Value &v) { return v.type()->name; }

// ------------------------------------------------------------------ ints
static std::shared_ptr<const BigInt> toBig(const Value &v)
{
    if (v.isBigInt())
        return v.as<BigIntObject>()->value;
    return std::make_shared<BigInt>(v.asInt());
}

Value makeBigInt(std::shared_ptr<const BigInt> b)
{
    if (b->fitsInt64()) {
        std::int64_t x = b->toInt64();
        if (Value::fitsSmall(x))
            return Value::smallInt(x);
    }
    return Value(new BigIntObject(std::move(b)));
}

static Value bigResult(BigInt b) { return makeBigInt(std::make_shared<BigInt>(std::move(b))); }

Value makeBigIntFromDecimal(const std::string &digits)
{
    auto b = BigInt::fromString(digits, 10);
    if (!b)
        return Value::smallInt(0);
    return bigResult(std::move(*b));
}

static bool isIntLike(const Value &v) { return v.isSmallInt() || v.isBool() || v.isBigInt(); }
static bool isNumber(const Value &v) { return isIntLike(v) || v.isFloat(); }

static const char *opSymbol(Operator op)
{
    switch (op) {
    case Operator::Add: return "+";
    case Operator::Sub: return "-";
    case Operator::Mult: return "*";
    case Operator::MatMult: return "@";
    case Operator::Div: return "/";
    case Operator::Mod: return "%";
    case Operator::Pow: return "** or pow()";
    case Operator::LShift: return "<<";
    case Operator::RShift: return ">>";
    case Operator::BitOr: return "|";
    case Operator::BitXor: return "^";
    case Operator::BitAnd: return "&";
    case Operator::FloorDiv: return "//";
    }
    return "?";
}

static const char *dunder(Operator op, bool reflected)
{
    static const char *fwd[] = {"__add__", "__sub__", "__mul__", "__matmul__", "__truediv__", "__mod__", "__pow__",
                                "__lshift__", "__rshift__", "__or__", "__xor__", "__and__", "__floordiv__"};
    static const char *rev[] = {"__radd__", "__rsub__", "__rmul__", "__rmatmul__", "__rtruediv__", "__rmod__", "__rpow__",
                                "__rlshift__", "__rrshift__", "__ror__", "__rxor__", "__rand__", "__rfloordiv__"};
    return reflected ? rev[static_cast<int>(op)] : fwd[static_cast<int>(op)];
}

static Value intOp(ThreadState &ts, Operator op, const Value &a, const Value &b)
{
    bool small = !a.isBigInt() && !b.isBigInt();
    std::int64_t x = small ? a.asInt() : 0, y = small ? b.asInt() : 0;
    switch (op) {
    case Operator::Add:
        if (small) {
            std::int64_t r;
            if (!__builtin_add_overflow(x, y, &r))
                return Value::fromInt(r);
        }
        return bigResult(BigInt::add(*toBig(a), *toBig(b)));
    case Operator::Sub:
        if (small) {
            std::int64_t r;
            if (!__builtin_sub_overflow(x, y, &r))
                return Value::fromInt(r);
        }
        return bigResult(BigInt::sub(*toBig(a), *toBig(b)));
    case Operator::Mult:
        if (small) {
            std::int64_t r;
            if (!__builtin_mul_overflow(x, y, &r))
                return Value::fromInt(r);
        }
        return bigResult(BigInt::mul(*toBig(a), *toBig(b)));
    case Operator::Div: {
        double db = b.asDouble();
        if (db == 0.0 && (small ? y == 0 : toBig(b)->isZero()))
            return ts.raise(types().ZeroDivisionError, "division by zero");
        if (small && std::llabs(x) < (1LL << 53) && std::llabs(y) < (1LL << 53))
            return makeFloat(static_cast<double>(x) / static_cast<double>(y));
        return makeFloat(a.asDouble() / db);
    }
    case Operator::FloorDiv:
    case Operator::Mod: {
        bool zero = small ? y == 0 : toBig(b)->isZero();
        if (zero)
            return ts.raise(types().ZeroDivisionError,
                            op == Operator::Mod ? "integer modulo by zero" : "integer division or modulo by zero");
        if (small && !(x == INT64_MIN && y == -1)) {
            std::int64_t q = x / y, r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) {
                q -= 1;
                r += y;
            }
            return Value::fromInt(op == Operator::Mod ? r : q);
        }
        BigInt q, r;
        BigInt::divmod(*toBig(a), *toBig(b), q, r);
        return bigResult(op == Operator::Mod ? r : q);
    }
    case Operator::Pow: {
        auto eb = toBig(b);
        if (eb->isNegative()) {
            double base = a.asDouble();
            if (base == 0.0)
                return ts.raise(types().ZeroDivisionError, "0.0 cannot be raised to a negative power");
            return makeFloat(std::pow(base, b.asDouble()));
        }
        if (!eb->fitsInt64())
            return ts.raise(types().OverflowError, "exponent too large");
        std::int64_t e = eb->toInt64();
        auto ab = toBig(a);
        if (ab->bitLength() * static_cast<std::size_t>(e) > 4000000)
            return ts.raise(types().OverflowError, "result too large");
        return bigResult(BigInt::pow(*ab, static_cast<std::uint64_t>(e)));
    }
    case Operator::LShift:
    case Operator::RShift: {
        auto sb = toBig(b);
        if (sb->isNegative())
            return ts.raise(types().ValueError, "negative shift count");
        std::int64_t n = sb->fitsInt64() ? sb->toInt64() : INT64_MAX;
        if (op == Operator::LShift) {
            if (n > 1000000)
                return ts.raise(types().OverflowError, "too many digits in integer");
            if (small && n < 62 && std::llabs(x) < (1LL << (62 - n)))
                return Value::fromInt(x * (1LL << n));
            return bigResult(BigInt::shiftLeft(*toBig(a), static_cast<std::uint64_t>(n)));
        }
        if (small)
            return Value::fromInt(n >= 63 ? (x < 0 ? -1 : 0) : (x >> n));
        return bigResult(BigInt::shiftRight(*toBig(a), static_cast<std::uint64_t>(std::min<std::int64_t>(n, 1 << 30))));
    }
    case Operator::BitAnd:
    case Operator::BitOr:
    case Operator::BitXor:
        if (small) {
            std::int64_t r = op == Operator::BitAnd ? (x & y) : op == Operator::BitOr ? (x | y) : (x ^ y);
            if (a.isBool() && b.isBool())
                return Value::fromBool(r != 0);
            return Value::fromInt(r);
        }
        return ts.raise(types().OverflowError, "bitwise operations on integers beyond 64 bits are not supported");
    case Operator::MatMult: break;
    }
    return Value::notFound();
}

static Value floatOp(ThreadState &ts, Operator op, double x, double y)
{
    switch (op) {
    case Operator::Add: return makeFloat(x + y);
    case Operator::Sub: return makeFloat(x - y);
    case Operator::Mult: return makeFloat(x * y);
    case Operator::Div:
        if (y == 0.0)
            return ts.raise(types().ZeroDivisionError, "float division by zero");
        return makeFloat(x / y);
    case Operator::FloorDiv:
    case Operator::Mod: {
        if (y == 0.0)
            return ts.raise(types().ZeroDivisionError, op == Operator::Mod ? "float modulo" : "float floor division by zero");
        double mod = std::fmod(x, y);
        double div = (x - mod) / y;
        if (mod != 0.0) {
            if ((y < 0) != (mod < 0)) {
                mod += y;
                div -= 1.0;
            }
        } else {
            mod = std::copysign(0.0, y);
        }
        double floordiv;
        if (div != 0.0) {
            floordiv = std::floor(div);
            if (div - floordiv > 0.5)
                floordiv += 1.0;
        } else {
            floordiv = std::copysign(0.0, x / y);
        }
        return makeFloat(op == Operator::Mod ? mod : floordiv);
    }
    case Operator::Pow:
        if (x == 0.0 && y < 0)
            return ts.raise(types().ZeroDivisionError, "0.0 cannot be raised to a negative power");
        if (x < 0 && y != std::floor(y))
            return ts.raise(types().ValueError, "complex results are not supported");
        {
            double r = std::pow(x, y);
            if (std::isinf(r) && std::isfinite(x) && std::isfinite(y))
                return ts.raise(types().OverflowError, "(34, 'Numerical result out of range')");
            return makeFloat(r);
        }
    default: break;
    }
    return Value::notFound();
}

static Value repeatSeq(ThreadState &ts, const Value &seq, const Value &count)
{
    std::int64_t n = count.asInt();
    if (n < 0)
        n = 0;
    if (seq.isStr()) {
        const std::string &s = seq.asString();
        if (s.size() * static_cast<std::size_t>(n) > (1u << 30))
            return ts.raise(types().MemoryError, "");
        std::string out;
        out.reserve(s.size() * n);
        for (std::int64_t i = 0; i < n; ++i)
            out += s;
        return makeStr(std::move(out));
    }
    std::vector<Value> src = seq.isList() ? seq.as<ListObject>()->items : seq.as<TupleObject>()->items;
    if (src.size() * static_cast<std::size_t>(n) > (1u << 28))
        return ts.raise(types().MemoryError, "");
    std::vector<Value> out;
    out.reserve(src.size() * n);
    for (std::int64_t i = 0; i < n; ++i)
        out.insert(out.end(), src.begin(), src.end());
    return seq.isList() ? makeList(std::move(out)) : makeTuple(std::move(out));
}

Value percentFormat(ThreadState &ts, const std::string &fmt, const Value &args); // format.cpp

Value binaryOp(ThreadState &ts, Operator op, const Value &a, const Value &b, bool inplace)
{
    if (isIntLike(a) && isIntLike(b)) {
        Value r = intOp(ts, op, a, b);
        if (!r.isNotFound())
            return r;
    } else if (isNumber(a) && isNumber(b)) {
        Value r = floatOp(ts, op, a.asDouble(), b.asDouble());
        if (!r.isNotFound())
            return r;
    }
    // sequences
    if (op == Operator::Add) {
        if (a.isStr() && b.isStr())
            return makeStr(a.asString() + b.asString());
        if (a.isList() && b.isList()) {
            if (inplace) {
                auto *l = a.as<ListObject>();
                std::vector<Value> add = b.as<ListObject>()->items;
                ContainerGuard g(l->lock);
                l->items.insert(l->items.end(), add.begin(), add.end());
                return a;
            }
            std::vector<Value> v = a.as<ListObject>()->items;
            auto &bi = b.as<ListObject>()->items;
            v.insert(v.end(), bi.begin(), bi.end());
            return makeList(std::move(v));
        }
        if (a.isTuple() && b.isTuple()) {
            std::vector<Value> v = a.as<TupleObject>()->items;
            auto &bi = b.as<TupleObject>()->items;
            v.insert(v.end(), bi.begin(), bi.end());
            return makeTuple(std::move(v));
        }
        if (inplace && a.isList()) {
            std::vector<Value> items;
            if (!collect(ts, b, items))
                return Value::error();
            auto *l = a.as<ListObject>();
            ContainerGuard g(l->lock);
            l->items.insert(l->items.end(), items.begin(), items.end());
            return a;
        }
    }
    if (op == Operator::Mult) {
        if ((a.isStr() || a.isList() || a.isTuple()) && isIntLike(b) && !b.isBigInt())
            return repeatSeq(ts, a, b);
        if ((b.isStr() || b.isList() || b.isTuple()) && isIntLike(a) && !a.isBigInt())
            return repeatSeq(ts, b, a);
        if ((a.isStr() || a.isList() || a.isTuple()) && !isIntLike(b) && !b.isInstanceLike())
            return ts.raise(types().TypeError, "can't multiply sequence by non-int of type '" + typeName(b) + "'");
    }
    if (op == Operator::Mod && a.isStr())
        return percentFormat(ts, a.asString(), b);
    if (op == Operator::BitOr) {
        // int | None, list[int] | str: a types.UnionType
        auto typeLike = [](const Value &v) { return v.isType() || genericAlias(v, nullptr, nullptr) || unionArgs(v, nullptr); };
        if ((typeLike(a) && (typeLike(b) || b.isNone())) || (a.isNone() && typeLike(b)))
            return makeUnionType({a, b});
    }
    if (op == Operator::BitOr && a.isDict() && b.isDict()) {
        Value d = makeDict();
        for (auto &kv : a.as<DictObject>()->items())
            d.as<DictObject>()->set(ts, kv.first, kv.second);
        for (auto &kv : b.as<DictObject>()->items())
            d.as<DictObject>()->set(ts, kv.first, kv.second);
        return d;
    }
    if (a.isSet() && b.isSet() && (op == Operator::BitOr || op == Operator::BitAnd || op == Operator::Sub || op == Operator::BitXor)) {
        auto *sa = a.as<SetObject>();
        auto *sb = b.as<SetObject>();
        auto *r = new SetObject();
        Value rv(r);
        auto ka = sa->table.keys();
        auto kb = sb->table.keys();
        auto inB = [&](const Value &k) { Value o; sb->table.get(ts, k, o); return !o.isNotFound(); };
        auto inA = [&](const Value &k) { Value o; sa->table.get(ts, k, o); return !o.isNotFound(); };
        if (op == Operator::BitOr) {
            for (auto &k : ka) r->table.set(ts, k, Value::none());
            for (auto &k : kb) r->table.set(ts, k, Value::none());
        } else if (op == Operator::BitAnd) {
            for (auto &k : ka) if (inB(k)) r->table.set(ts, k, Value::none());
        } else if (op == Operator::Sub) {
            for (auto &k : ka) if (!inB(k)) r->table.set(ts, k, Value::none());
        } else {
            for (auto &k : ka) if (!inB(k)) r->table.set(ts, k, Value::none());
            for (auto &k : kb) if (!inA(k)) r->table.set(ts, k, Value::none());
        }
        return rv;
    }
    // user-defined operators
    if (a.isInstanceLike() || b.isInstanceLike()) {
        if (inplace && a.isInstanceLike()) {
            std::string iname = std::string("__i") + (dunder(op, false) + 2);
            Value m = a.type()->lookup(iname);
            if (!m.isNotFound()) {
                Value r = call(ts, m, {a, b});
                if (r.isError() || !r.isKind(ObjKind::Other) || r.type() != types().notImplementedType)
                    return r;
            }
        }
        Value m = a.type()->lookup(dunder(op, false));
        if (!m.isNotFound()) {
            Value r = call(ts, m, {a, b});
            if (r.isError())
                return r;
            if (r.type() != types().notImplementedType)
                return r;
        }
        Value rm = b.type()->lookup(dunder(op, true));
        if (!rm.isNotFound()) {
            Value r = call(ts, rm, {b, a});
            if (r.isError())
                return r;
            if (r.type() != types().notImplementedType)
                return r;
        }
    }
    if (op == Operator::Add && a.isStr())
        return ts.raise(types().TypeError, "can only concatenate str (not \"" + typeName(b) + "\") to str");
    if (op == Operator::Add && a.isList())
        return ts.raise(types().TypeError, "can only concatenate list (not \"" + typeName(b) + "\") to list");
    if (op == Operator::Add && a.isTuple())
        return ts.raise(types().TypeError, "can only concatenate tuple (not \"" + typeName(b) + "\") to tuple");
    std::string sym = opSymbol(op);
    if (inplace && op != Operator::Pow)
        sym += "=";
    return ts.raise(types().TypeError, "unsupported operand type(s) for " + sym + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
}

Value unaryOp(ThreadState &ts, ast::UnaryOperator op, const Value &v)
{
    switch (op) {
    case ast::UnaryOperator::Not: {
        int t = truthy(ts, v);
        if (t < 0)
            return Value::error();
        return Value::fromBool(!t);
    }
    case ast::UnaryOperator::USub:
        if (v.isSmallInt() || v.isBool())
            return Value::fromInt(-v.asInt());
        if (v.isBigInt())
            return bigResult(v.as<BigIntObject>()->value->negated());
        if (v.isFloat())
            return makeFloat(-v.asDouble());
        break;
    case ast::UnaryOperator::UAdd:
        if (v.isSmallInt() || v.isBigInt())
            return v;
        if (v.isBool())
            return Value::fromInt(v.asInt());
        if (v.isFloat())
            return v;
        break;
    case ast::UnaryOperator::Invert:
        if (v.isSmallInt() || v.isBool())
            return Value::fromInt(~v.asInt());
        if (v.isBigInt())
            return bigResult(BigInt::sub(v.as<BigIntObject>()->value->negated(), BigInt(1)));
        break;
    }
    if (v.isInstanceLike()) {
        const char *name = op == ast::UnaryOperator::USub ? "__neg__" : op == ast::UnaryOperator::UAdd ? "__pos__" : "__invert__";
        Value m = v.type()->lookup(name);
        if (!m.isNotFound())
            return call(ts, m, {v});
    }
    const char *sym = op == ast::UnaryOperator::USub ? "-" : op == ast::UnaryOperator::UAdd ? "+" : "~";
    return ts.raise(types().TypeError, std::string("bad operand type for unary ") + sym + ": '" + typeName(v) + "'");
}

// ------------------------------------------------------------------ comparison
static int cmpNumbers(const Value &a, const Value &b)
{
    if (isIntLike(a) && isIntLike(b)) {
        if (!a.isBigInt() && !b.isBigInt()) {
            std::int64_t x = a.asInt(), y = b.asInt();
            return x < y ? -1 : x > y ? 1 : 0;
        }
        return BigInt::compare(*toBig(a), *toBig(b));
    }
    double x = a.asDouble(), y = b.asDouble();
    if (std::isnan(x) || std::isnan(y))
        return 2; // unordered
    // an int against a float: exact, as CPython compares them
    bool aInt = isIntLike(a), bInt = isIntLike(b);
    if ((aInt || bInt) && std::isfinite(aInt ? y : x)) {
        const Value &iv = aInt ? a : b;
        double f = aInt ? y : x;
        bool big = iv.isBigInt() || std::llabs(iv.asInt()) > (1LL << 53);
        if (big) {
            double fl = std::floor(f);
            int c = BigInt::compare(*toBig(iv), BigInt::fromDouble(fl));
            if (c == 0 && f != fl)
                c = -1; // int == floor(f) < f
            return aInt ? c : -c;
        }
    }
    return x < y ? -1 : x > y ? 1 : 0;
}

bool rawKeyEquals(const Value &a, const Value &b)
{
    if (a.is(b))
        return true;
    if (a.isStr() && b.isStr())
        return a.asString() == b.asString();
    if (isNumber(a) && isNumber(b))
        return cmpNumbers(a, b) == 0;
    if (a.isTuple() && b.isTuple()) {
        auto &x = a.as<TupleObject>()->items;
        auto &y = b.as<TupleObject>()->items;
        if (x.size() != y.size())
            return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!rawKeyEquals(x[i], y[i]))
                return false;
        return true;
    }
    if (a.isKind(ObjKind::Bytes) && b.isKind(ObjKind::Bytes))
        return a.as<BytesObject>()->value == b.as<BytesObject>()->value;
    return false;
}

int equals(ThreadState &ts, const Value &a, const Value &b)
{
    if (a.isFloat() || b.isFloat()) {
        if (isNumber(a) && isNumber(b))
            return cmpNumbers(a, b) == 0;
    }
    if (a.is(b))
        return 1;
    if (isNumber(a) && isNumber(b))
        return cmpNumbers(a, b) == 0;
    if (a.isStr() && b.isStr())
        return a.asString() == b.asString();
    if ((a.isList() && b.isList()) || (a.isTuple() && b.isTuple())) {
        if (nativeRecursionExceeded(ts, " in comparison"))
            return -1;
        std::vector<Value> x = a.isList() ? a.as<ListObject>()->items : a.as<TupleObject>()->items;
        std::vector<Value> y = b.isList() ? b.as<ListObject>()->items : b.as<TupleObject>()->items;
        if (x.size() != y.size())
            return 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            int e = equals(ts, x[i], y[i]);
            if (e != 1)
                return e;
        }
        return 1;
    }
    if (a.isDict() && b.isDict()) {
        if (nativeRecursionExceeded(ts, " in comparison"))
            return -1;
        auto *da = a.as<DictObject>();
        auto *db = b.as<DictObject>();
        if (da->size() != db->size())
            return 0;
        for (auto &kv : da->items()) {
            Value o;
            if (!db->get(ts, kv.first, o))
                return -1;
            if (o.isNotFound())
                return 0;
            int e = equals(ts, kv.second, o);
            if (e != 1)
                return e;
        }
        return 1;
    }
    if (a.isSet() && b.isSet()) {
        auto *sa = a.as<SetObject>();
        auto *sb = b.as<SetObject>();
        if (sa->table.size() != sb->table.size())
            return 0;
        for (auto &k : sa->table.keys()) {
            Value o;
            if (!sb->table.get(ts, k, o))
                return -1;
            if (o.isNotFound())
                return 0;
        }
        return 1;
    }
    if (a.isKind(ObjKind::Bytes) && b.isKind(ObjKind::Bytes))
        return a.as<BytesObject>()->value == b.as<BytesObject>()->value;
    if (a.isKind(ObjKind::Range) && b.isKind(ObjKind::Range)) {
        auto *x = a.as<RangeObject>();
        auto *y = b.as<RangeObject>();
        return x->start == y->start && x->stop == y->stop && x->step == y->step;
    }
    if (a.isInstanceLike() || b.isInstanceLike()) {
        for (int pass = 0; pass < 2; ++pass) {
            const Value &x = pass ? b : a;
            const Value &y = pass ? a : b;
            if (!x.isInstanceLike())
                continue;
            Value m = x.type()->lookup("__eq__");
            if (m.isNotFound())
                continue;
            Value r = call(ts, m, {x, y});
            if (r.isError())
                return -1;
            if (r.type() == types().notImplementedType)
                continue;
            return truthy(ts, r);
        }
    }
    return 0;
}

static const char *cmpSymbol(CmpOperator op)
{
    switch (op) {
    case CmpOperator::Lt: return "<";
    case CmpOperator::LtE: return "<=";
    case CmpOperator::Gt: return ">";
    case CmpOperator::GtE: return ">=";
    default: return "?";
    }
}

static bool orderFrom(int c, CmpOperator op)
{
    switch (op) {
    case CmpOperator::Lt: return c < 0;
    case CmpOperator::LtE: return c <= 0;
    case CmpOperator::Gt: return c > 0;
    case CmpOperator::GtE: return c >= 0;
    default: return false;
    }
}

int richCompareBool(ThreadState &ts, CmpOperator op, const Value &a, const Value &b)
{
    if (op == CmpOperator::Eq)
        return equals(ts, a, b);
    if (op == CmpOperator::NotEq) {
        int e = equals(ts, a, b);
        return e < 0 ? -1 : !e;
    }
    if (isNumber(a) && isNumber(b)) {
        int c = cmpNumbers(a, b);
        if (c == 2)
            return 0;
        return orderFrom(c, op);
    }
    if (a.isStr() && b.isStr())
        return orderFrom(a.asString().compare(b.asString()), op);
    if ((a.isList() && b.isList()) || (a.isTuple() && b.isTuple())) {
        if (nativeRecursionExceeded(ts, " in comparison"))
            return -1;
        std::vector<Value> x = a.isList() ? a.as<ListObject>()->items : a.as<TupleObject>()->items;
        std::vector<Value> y = b.isList() ? b.as<ListObject>()->items : b.as<TupleObject>()->items;
        std::size_t n = std::min(x.size(), y.size());
        for (std::size_t i = 0; i < n; ++i) {
            int e = equals(ts, x[i], y[i]);
            if (e < 0)
                return -1;
            if (!e)
                return richCompareBool(ts, op, x[i], y[i]);
        }
        return orderFrom(x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0, op);
    }
    if (a.isInstanceLike() || b.isInstanceLike()) {
        static const char *fwd[] = {"__lt__", "__le__", "__gt__", "__ge__"};
        static const char *rev[] = {"__gt__", "__ge__", "__lt__", "__le__"};
        int idx = op == CmpOperator::Lt ? 0 : op == CmpOperator::LtE ? 1 : op == CmpOperator::Gt ? 2 : 3;
        if (a.isInstanceLike()) {
            Value m = a.type()->lookup(fwd[idx]);
            if (!m.isNotFound()) {
                Value r = call(ts, m, {a, b});
                if (r.isError())
                    return -1;
                if (r.type() != types().notImplementedType)
                    return truthy(ts, r);
            }
        }
        if (b.isInstanceLike()) {
            Value m = b.type()->lookup(rev[idx]);
            if (!m.isNotFound()) {
                Value r = call(ts, m, {b, a});
                if (r.isError())
                    return -1;
                if (r.type() != types().notImplementedType)
                    return truthy(ts, r);
            }
        }
    }
    ts.raise(types().TypeError, std::string("'") + cmpSymbol(op) + "' not supported between instances of '" + typeName(a) +
                                    "' and '" + typeName(b) + "'");
    return -1;
}

int containsOp(ThreadState &ts, const Value &c, const Value &item)
{
    if (c.isStr()) {
        if (!item.isStr()) {
            ts.raise(types().TypeError, "'in <string>' requires string as left operand, not " + typeName(item));
            return -1;
        }
        return c.asString().find(item.asString()) != std::string::npos;
    }
    if (c.isDict() || c.isSet()) {
        DictObject *d = c.isDict() ? c.as<DictObject>() : &c.as<SetObject>()->table;
        Value o;
        if (!d->get(ts, item, o))
            return -1;
        return !o.isNotFound();
    }
    if (c.isList() || c.isTuple()) {
        std::vector<Value> items = c.isList() ? c.as<ListObject>()->items : c.as<TupleObject>()->items;
        for (auto &x : items) {
            int e = equals(ts, x, item);
            if (e != 0)
                return e;
        }
        return 0;
    }
    if (c.isKind(ObjKind::Range) && isIntLike(item)) {
        auto *r = c.as<RangeObject>();
        std::int64_t v = item.asInt();
        if (r->step > 0 ? (v < r->start || v >= r->stop) : (v > r->start || v <= r->stop))
            return 0;
        return (v - r->start) % r->step == 0;
    }
    if (c.isInstanceLike()) {
        Value m = c.type()->lookup("__contains__");
        if (!m.isNotFound()) {
            Value r = call(ts, m, {c, item});
            if (r.isError())
                return -1;
            return truthy(ts, r);
        }
    }
    Value it = getIter(ts, c);
    if (it.isError()) {
        ts.fetchException();
        ts.raise(types().TypeError, "argument of type '" + typeName(c) + "' is not iterable");
        return -1;
    }
    for (;;) {
        Value x = iterNext(ts, it);
        if (x.isError())
            return -1;
        if (x.isNotFound())
            return 0;
        int e = equals(ts, x, item);
        if (e != 0)
            return e;
    }
}

Value compareOp(ThreadState &ts, CmpOperator op, const Value &a, const Value &b)
{
    switch (op) {
    case CmpOperator::Is: return Value::fromBool(a.is(b));
    case CmpOperator::IsNot: return Value::fromBool(!a.is(b));
    case CmpOperator::In:
    case CmpOperator::NotIn: {
        int r = containsOp(ts, b, a);
        if (r < 0)
            return Value::error();
        return Value::fromBool(op == CmpOperator::In ? r != 0 : r == 0);
    }
    default: {
        int r = richCompareBool(ts, op, a, b);
        if (r < 0)
            return Value::error();
        return Value::fromBool(r != 0);
    }
    }
}

// ------------------------------------------------------------------ hashing, truth
static std::size_t hashInt64(std::int64_t x)
{
    const std::int64_t P = (std::int64_t(1) << 61) - 1;
    std::int64_t h = x >= 0 ? x % P : -((-x) % P);
    if (h == -1)
        h = -2;
    return static_cast<std::size_t>(h);
}

static std::size_t hashDouble(double d)
{
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
        return hashInt64(static_cast<std::int64_t>(d));
    if (std::isinf(d))
        return d > 0 ? 314159 : static_cast<std::size_t>(-314159);
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return std::hash<std::uint64_t>()(bits);
}

bool rawHash(const Value &v, std::size_t &out)
{
    if (v.isSmallInt() || v.isBool()) {
        out = hashInt64(v.asInt());
        return true;
    }
    if (v.isNone()) {
        out = 0x5bd1e995;
        return true;
    }
    if (!v.isObject()) {
        out = v.bits();
        return true;
    }
    switch (v.ptr()->kind()) {
    case ObjKind::Str: out = v.as<StrObject>()->hash(); return true;
    case ObjKind::BigInt: out = v.as<BigIntObject>()->value->hash(); return true;
    case ObjKind::Float: out = hashDouble(v.as<FloatObject>()->value); return true;
    case ObjKind::Bytes: out = std::hash<std::string>()(v.as<BytesObject>()->value); return true;
    case ObjKind::Tuple: {
        std::size_t h = 0x345678;
        for (auto &x : v.as<TupleObject>()->items) {
            std::size_t e;
            if (!rawHash(x, e))
                return false;
            h = (h ^ e) * 1000003;
        }
        out = h;
        return true;
    }
    case ObjKind::List: case ObjKind::Dict: case ObjKind::Set: return false;
    default: out = std::hash<const void *>()(v.ptr()); return true;
    }
}

bool hashValue(ThreadState &ts, const Value &v, std::size_t &out)
{
    if (v.isInstanceLike() && v.type()->isUserClass) {
        Value m = v.type()->lookup("__hash__");
        if (m.isNone()) {
            ts.raise(types().TypeError, "unhashable type: '" + typeName(v) + "'");
            return false;
        }
        if (!m.isNotFound()) {
            Value r = call(ts, m, {v});
            if (r.isError())
                return false;
            out = static_cast<std::size_t>(r.asInt());
            return true;
        }
        // a class defining __eq__ without __hash__ is unhashable
        if (!v.type()->lookup("__eq__").isNotFound()) {
            ts.raise(types().TypeError, "unhashable type: '" + typeName(v) + "'");
            return false;
        }
    }
    if (!rawHash(v, out)) {
        std::string tn = typeName(v);
        if (v.isTuple()) {
            for (auto &x : v.as<TupleObject>()->items) {
                std::size_t dummy;
                if (!rawHash(x, dummy)) {
                    tn = typeName(x);
                    break;
                }
            }
        }
        ts.raise(types().TypeError, "unhashable type: '" + tn + "'");
        return false;
    }
    return true;
}

int truthy(ThreadState &ts, const Value &v)
{
    if (v.isBool())
        return v.asBool();
    if (v.isNone())
        return 0;
    if (v.isSmallInt())
        return v.smallValue() != 0;
    switch (v.ptr()->kind()) {
    case ObjKind::Float: return v.as<FloatObject>()->value != 0.0;
    case ObjKind::BigInt: return !v.as<BigIntObject>()->value->isZero();
    case ObjKind::Str: return !v.asString().empty();
    case ObjKind::Bytes: return !v.as<BytesObject>()->value.empty();
    case ObjKind::List: return !v.as<ListObject>()->items.empty();
    case ObjKind::Tuple: return !v.as<TupleObject>()->items.empty();
    case ObjKind::Dict: return v.as<DictObject>()->size() != 0;
    case ObjKind::Set: return v.as<SetObject>()->table.size() != 0;
    case ObjKind::Range: return v.as<RangeObject>()->length() != 0;
    case ObjKind::Instance:
    case ObjKind::Exception:
    case ObjKind::Native: {
        Value m = v.type()->lookup("__bool__");
        if (!m.isNotFound()) {
            Value r = call(ts, m, {v});
            if (r.isError())
                return -1;
            return truthy(ts, r);
        }
        m = v.type()->lookup("__len__");
        if (!m.isNotFound()) {
            Value r = call(ts, m, {v});
            if (r.isError())
                return -1;
            return r.asInt() != 0;
        }
        return 1;
    }
    default: return 1;
    }
}

// ------------------------------------------------------------------ repr / str
std::string strRepr(std::string_view s)
{
    bool hasSingle = s.find('\'') != std::string_view::npos;
    bool hasDouble = s.find('"') != std::string_view::npos;
    char q = (hasSingle && !hasDouble) ? '"' : '\'';
    std::string out;
    out.push_back(q);
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\')
            out += "\\\\";
        else if (c == static_cast<unsigned char>(q))
            out += std::string("\\") + q;
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else if (c >= 0x80) {
            // decode one code point; escape C1 controls and non-printables minimally
            std::uint32_t cp = 0;
            int len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
            cp = len == 1 ? c : (c & (0xFF >> (len + 1)));
            for (int k = 1; k < len && i + k < s.size(); ++k)
                cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
            if (cp >= 0x80 && cp < 0xA0) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", cp);
                out += buf;
            } else if (cp == 0xAD) {
                out += "\\xad";
            } else {
                appendUtf8(out, cp);
            }
            i += len - 1;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back(q);
    return out;
}

static std::string addrOf(const void *p)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%012llx", static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)));
    return buf;
}

struct ReprGuard {
    static thread_local std::set<const void *> active;
    const void *p;
    bool entered;
    explicit ReprGuard(const void *x) : p(x) { entered = active.insert(p).second; }
    ~ReprGuard()
    {
        if (entered)
            active.erase(p);
    }
};
thread_local std::set<const void *> ReprGuard::active;

std::string repr(ThreadState &ts, const Value &v, bool *ok)
{
    if (ok)
        *ok = true;
    auto fail = [&]() {
        if (ok)
            *ok = false;
        return std::string();
    };
    if (v.isNone())
        return "None";
    if (v.isBool())
        return v.asBool() ? "True" : "False";
    if (v.isSmallInt())
        return std::to_string(v.smallValue());
    if (v.isNotFound() || v.isUnbound() || v.isError())
        return "<NULL>";
    Object *o = v.ptr();
    switch (o->kind()) {
    case ObjKind::Float: return floatRepr(v.as<FloatObject>()->value);
    case ObjKind::BigInt: {
        const BigInt &b = *v.as<BigIntObject>()->value;
        if (b.bitLength() > 14300) { // ~4300 decimal digits, CPython 3.11's limit
            std::string s = b.toString();
            std::size_t digits = s.size() - (b.isNegative() ? 1 : 0);
            if (digits > 4300) {
                ts.raise(types().ValueError, "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit");
                return fail();
            }
            return s;
        }
        return b.toString();
    }
    case ObjKind::Str: return strRepr(v.asString());
    case ObjKind::Bytes: {
        std::string out = "b'";
        for (unsigned char c : v.as<BytesObject>()->value) {
            if (c == '\\' || c == '\'') {
                out.push_back('\\');
                out.push_back(static_cast<char>(c));
            } else if (c == '\n')
                out += "\\n";
            else if (c == '\r')
                out += "\\r";
            else if (c == '\t')
                out += "\\t";
            else if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else
                out.push_back(static_cast<char>(c));
        }
        return out + "'";
    }
    case ObjKind::List:
    case ObjKind::Tuple: {
        bool isList = o->kind() == ObjKind::List;
        if (nativeRecursionExceeded(ts, " while getting the repr of an object"))
            return fail();
        ReprGuard g(o);
        if (!g.entered)
            return isList ? "[...]" : "(...)";
        std::vector<Value> items = isList ? v.as<ListObject>()->items : v.as<TupleObject>()->items;
        std::string out = isList ? "[" : "(";
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += ", ";
            bool k;
            out += repr(ts, items[i], &k);
            if (!k)
                return fail();
        }
        if (!isList && items.size() == 1)
            out += ",";
        return out + (isList ? "]" : ")");
    }
    case ObjKind::Dict: {
        if (nativeRecursionExceeded(ts, " while getting the repr of an object"))
            return fail();
        ReprGuard g(o);
        if (!g.entered)
            return "{...}";
        if (o->type() != types().dict) {
            // collections types: defaultdict(<factory>, {...}), Counter({...})
            Value plain = makeDict();
            for (auto &kv : v.as<DictObject>()->items())
                plain.as<DictObject>()->set(ts, kv.first, kv.second);
            std::string inner = repr(ts, plain, ok);
            if (!v.as<DictObject>()->defaultFactory.isNone())
                return o->type()->name + "(" + repr(ts, v.as<DictObject>()->defaultFactory) + ", " + inner + ")";
            if (v.as<DictObject>()->size() == 0)
                return o->type()->name + "()";
            return o->type()->name + "(" + inner + ")";
        }
        std::string out = "{";
        bool first = true;
        for (auto &kv : v.as<DictObject>()->items()) {
            if (!first)
                out += ", ";
            first = false;
            bool k1, k2;
            out += repr(ts, kv.first, &k1);
            out += ": ";
            out += repr(ts, kv.second, &k2);
            if (!k1 || !k2)
                return fail();
        }
        return out + "}";
    }
    case ObjKind::Set: {
        auto keys = v.as<SetObject>()->table.keys();
        if (keys.empty())
            return "set()";
        std::string out = "{";
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i)
                out += ", ";
            bool k;
            out += repr(ts, keys[i], &k);
            if (!k)
                return fail();
        }
        return out + "}";
    }
    case ObjKind::Range: {
        auto *r = v.as<RangeObject>();
        std::string out = "range(" + std::to_string(r->start) + ", " + std::to_string(r->stop);
        if (r->step != 1)
            out += ", " + std::to_string(r->step);
        return out + ")";
    }
    case ObjKind::Slice: {
        auto *s = v.as<SliceObject>();
        return "slice(" + repr(ts, s->start) + ", " + repr(ts, s->stop) + ", " + repr(ts, s->step) + ")";
    }
    case ObjKind::Function: return "<function " + v.as<FunctionObject>()->qualname + " at " + addrOf(o) + ">";
    case ObjKind::NativeFunction: {
        auto *nf = v.as<NativeFunctionObject>();
        if (!nf->self.isNotFound())
            return "<built-in method " + nf->name + " of " + typeName(nf->self) + " object at " + addrOf(nf->self.isObject() ? nf->self.ptr() : nullptr) + ">";
        return "<built-in function " + nf->name + ">";
    }
    case ObjKind::BoundMethod: {
        auto *bm = v.as<BoundMethodObject>();
        std::string fname = bm->func.isFunction() ? bm->func.as<FunctionObject>()->qualname
                            : bm->func.isKind(ObjKind::NativeFunction) ? bm->func.as<NativeFunctionObject>()->name
                                                                       : "?";
        if (bm->func.isKind(ObjKind::NativeFunction))
            return "<built-in method " + fname + " of " + typeName(bm->self) + " object at " + addrOf(bm->self.isObject() ? bm->self.ptr() : nullptr) + ">";
        return "<bound method " + fname + " of " + repr(ts, bm->self) + ">";
    }
    case ObjKind::Type: {
        auto *t = v.as<TypeObject>();
        if (t->module.empty() || t->module == "builtins")
            return "<class '" + t->name + "'>";
        return "<class '" + t->module + "." + t->name + "'>";
    }
    case ObjKind::Module: {
        auto *m = v.as<ModuleObject>();
        return "<module '" + m->name + "' (built-in)>";
    }
    case ObjKind::Generator: {
        auto *g = static_cast<GeneratorObject *>(o);
        const char *k = g->genKind == GeneratorObject::Coroutine ? "coroutine" : g->genKind == GeneratorObject::AsyncGenerator ? "async_generator" : "generator";
        return std::string("<") + k + " object " + g->qualname + " at " + addrOf(o) + ">";
    }
    case ObjKind::Cell: return "<cell at " + addrOf(o) + ">";
    case ObjKind::Exception:
    case ObjKind::Instance:
    case ObjKind::Native: {
        TypeObject *t = o->type();
        Value m = t->lookup("__repr__");
        if (!m.isNotFound()) {
            Value r = call(ts, m, {v});
            if (r.isError())
                return fail();
            if (!r.isStr()) {
                ts.raise(types().TypeError, "__repr__ returned non-string (type " + typeName(r) + ")");
                return fail();
            }
            return r.asString();
        }
        if (o->kind() == ObjKind::Exception) {
            Value args = v.as<ExceptionObject>()->args;
            std::string inner;
            auto &items = args.as<TupleObject>()->items;
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i)
                    inner += ", ";
                inner += repr(ts, items[i]);
            }
            return t->name + "(" + inner + ")";
        }
        if (o->kind() == ObjKind::Native && t->hooks.repr)
            return t->hooks.repr(ts, v);
        std::string mod = t->module.empty() ? "builtins" : t->module;
        if (mod == "builtins")
            return "<" + t->name + " object at " + addrOf(o) + ">";
        return "<" + mod + "." + t->name + " object at " + addrOf(o) + ">";
    }
    default:
        if (o->type() == types().notImplementedType)
            return "NotImplemented";
        if (o->type() == types().ellipsisType)
            return "Ellipsis";
        if (o->type() == types().property)
            return "<property object at " + addrOf(o) + ">";
        return "<" + o->type()->name + " object at " + addrOf(o) + ">";
    }
}

std::string str(ThreadState &ts, const Value &v, bool *ok)
{
    if (ok)
        *ok = true;
    if (v.isStr())
        return v.asString();
    if (v.isObject() && (v.ptr()->kind() == ObjKind::Instance || v.ptr()->kind() == ObjKind::Exception ||
                         v.ptr()->kind() == ObjKind::Native)) {
        Value m = v.type()->lookup("__str__");
        if (!m.isNotFound()) {
            Value r = call(ts, m, {v});
            if (r.isError() || !r.isStr()) {
                if (!r.isError())
                    ts.raise(types().TypeError, "__str__ returned non-string (type " + typeName(r) + ")");
                if (ok)
                    *ok = false;
                return {};
            }
            return r.asString();
        }
        if (v.isException()) {
            auto &items = v.as<ExceptionObject>()->args.as<TupleObject>()->items;
            if (items.empty())
                return "";
            if (items.size() == 1) {
                if (v.type()->isSubtypeOf(types().KeyError))
                    return repr(ts, items[0], ok);
                return str(ts, items[0], ok);
            }
            return repr(ts, v.as<ExceptionObject>()->args, ok);
        }
    }
    return repr(ts, v, ok);
}

Value reprValue(ThreadState &ts, const Value &v)
{
    bool ok;
    std::string s = repr(ts, v, &ok);
    if (!ok)
        return Value::error();
    return makeStr(std::move(s));
}

Value strValue(ThreadState &ts, const Value &v)
{
    if (v.isStr())
        return v;
    bool ok;
    std::string s = str(ts, v, &ok);
    if (!ok)
        return Value::error();
    return makeStr(std::move(s));
}

// ------------------------------------------------------------------ strings by code point
std::int64_t strLength(const StrObject *s) { return static_cast<std::int64_t>(s->length()); }

static std::size_t byteOffset(const StrObject *s, std::int64_t cp)
{
    if (s->isAscii())
        return static_cast<std::size_t>(cp);
    const std::string &b = s->value;
    std::size_t i = 0;
    std::int64_t n = 0;
    while (i < b.size()) {
        if (n == cp)
            return i;
        unsigned char c = static_cast<unsigned char>(b[i]);
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++n;
    }
    return b.size();
}

static std::string codePointAt(const StrObject *s, std::int64_t cp)
{
    std::size_t a = byteOffset(s, cp);
    std::size_t b = byteOffset(s, cp + 1);
    return s->value.substr(a, b - a);
}

Value sliceIndexes(ThreadState &ts, const SliceObject *s, std::int64_t len, std::int64_t &start, std::int64_t &stop,
                   std::int64_t &step)
{
    auto get = [&](const Value &v, std::int64_t &out, bool &present) -> bool {
        present = !v.isNone();
        if (!present)
            return true;
        if (!isIntLike(v)) {
            ts.raise(types().TypeError, "slice indices must be integers or None or have an __index__ method");
            return false;
        }
        bool ok;
        out = v.asInt(&ok);
        if (!ok)
            out = v.as<BigIntObject>()->value->isNegative() ? INT64_MIN / 2 : INT64_MAX / 2;
        return true;
    };
    bool hs, he, hst;
    std::int64_t a = 0, b = 0, c = 1;
    if (!get(s->step, c, hst) || !get(s->start, a, hs) || !get(s->stop, b, he))
        return Value::error();
    if (!hst)
        c = 1;
    if (c == 0)
        return ts.raise(types().ValueError, "slice step cannot be zero");
    if (c > 0) {
        if (!hs)
            a = 0;
        else if (a < 0)
            a = std::max<std::int64_t>(0, a + len);
        else
            a = std::min(a, len);
        if (!he)
            b = len;
        else if (b < 0)
            b = std::max<std::int64_t>(0, b + len);
        else
            b = std::min(b, len);
    } else {
        if (!hs)
            a = len - 1;
        else if (a < 0)
            a = std::max<std::int64_t>(-1, a + len);
        else
            a = std::min(a, len - 1);
        if (!he)
            b = -1;
        else if (b < 0)
            b = std::max<std::int64_t>(-1, b + len);
        else
            b = std::min(b, len - 1);
    }
    start = a;
    stop = b;
    step = c;
    return Value::none();
}

static std::vector<std::int64_t> sliceRange(std::int64_t a, std::int64_t b, std::int64_t c)
{
    std::vector<std::int64_t> out;
    if (c > 0)
        for (std::int64_t i = a; i < b; i += c)
            out.push_back(i);
    else
        for (std::int64_t i = a; i > b; i += c)
            out.push_back(i);
    return out;
}

Value getItem(ThreadState &ts, const Value &obj, const Value &key)
{
    if (!obj.isObject()) {
        if (obj.isNone())
            return ts.raise(types().TypeError, "'NoneType' object is not subscriptable");
        return ts.raise(types().TypeError, "'" + typeName(obj) + "' object is not subscriptable");
    }
    Object *o = obj.ptr();
    switch (o->kind()) {
    case ObjKind::List:
    case ObjKind::Tuple:
    case ObjKind::Str:
    case ObjKind::Range:
    case ObjKind::Bytes: {
        const char *tn = o->kind() == ObjKind::List ? "list" : o->kind() == ObjKind::Tuple ? "tuple" : o->kind() == ObjKind::Str ? "string" : o->kind() == ObjKind::Bytes ? "index" : "range object";
        std::int64_t len;
        std::vector<Value> items;
        if (o->kind() == ObjKind::List) {
            ContainerGuard g(obj.as<ListObject>()->lock);
            items = obj.as<ListObject>()->items;
            len = static_cast<std::int64_t>(items.size());
        } else if (o->kind() == ObjKind::Tuple) {
            len = static_cast<std::int64_t>(obj.as<TupleObject>()->items.size());
        } else if (o->kind() == ObjKind::Str) {
            len = strLength(obj.as<StrObject>());
        } else if (o->kind() == ObjKind::Bytes) {
            len = static_cast<std::int64_t>(obj.as<BytesObject>()->value.size());
        } else {
            len = obj.as<RangeObject>()->length();
        }
        const std::vector<Value> &src = o->kind() == ObjKind::Tuple ? obj.as<TupleObject>()->items : items;
        if (isIntLike(key)) {
            bool ok;
            std::int64_t i = key.asInt(&ok);
            if (ok && i < 0)
                i += len;
            if (!ok || i < 0 || i >= len)
                return ts.raise(types().IndexError, std::string(tn) + " index out of range");
            switch (o->kind()) {
            case ObjKind::Str: return makeStr(codePointAt(obj.as<StrObject>(), i));
            case ObjKind::Bytes: return Value::fromInt(static_cast<unsigned char>(obj.as<BytesObject>()->value[i]));
            case ObjKind::Range: {
                auto *r = obj.as<RangeObject>();
                return Value::fromInt(r->start + i * r->step);
            }
            default: return src[i];
            }
        }
        if (key.isKind(ObjKind::Slice)) {
            std::int64_t a, b, c;
            if (sliceIndexes(ts, key.as<SliceObject>(), len, a, b, c).isError())
                return Value::error();
            auto idx = sliceRange(a, b, c);
            switch (o->kind()) {
            case ObjKind::Str: {
                auto *s = obj.as<StrObject>();
                if (c == 1) {
                    if (b <= a)
                        return makeStr("");
                    std::size_t x = byteOffset(s, a), y = byteOffset(s, b);
                    return makeStr(s->value.substr(x, y - x));
                }
                std::string out;
                for (auto i : idx)
                    out += codePointAt(s, i);
                return makeStr(std::move(out));
            }
            case ObjKind::Bytes: {
                std::string out;
                for (auto i : idx)
                    out.push_back(obj.as<BytesObject>()->value[i]);
                return Value(new BytesObject(std::move(out)));
            }
            case ObjKind::Range: {
                auto *r = obj.as<RangeObject>();
                std::int64_t ns = r->start + a * r->step;
                std::int64_t ne = r->start + b * r->step;
                return Value(new RangeObject(ns, ne, r->step * c));
            }
            default: {
                std::vector<Value> out;
                out.reserve(idx.size());
                for (auto i : idx)
                    out.push_back(src[i]);
                return o->kind() == ObjKind::List ? makeList(std::move(out)) : makeTuple(std::move(out));
            }
            }
        }
        const char *what = o->kind() == ObjKind::Str ? "string" : o->kind() == ObjKind::Range ? "range" : o->kind() == ObjKind::Bytes ? "byte" : typeName(obj) == "list" ? "list" : "tuple";
        return ts.raise(types().TypeError, std::string(what) + " indices must be integers or slices, not " + typeName(key));
    }
    case ObjKind::Dict: {
        Value out;
        if (!obj.as<DictObject>()->get(ts, key, out))
            return Value::error();
        if (out.isNotFound() && !obj.as<DictObject>()->defaultFactory.isNone()) {
            // defaultdict: create, store and return the missing value
            out = call(ts, obj.as<DictObject>()->defaultFactory, {});
            if (out.isError() || !obj.as<DictObject>()->set(ts, key, out))
                return Value::error();
            return out;
        }
        if (out.isNotFound() && obj.type() != types().dict) {
            Value missing = obj.type()->lookup("__missing__");
            if (!missing.isNotFound())
                return call(ts, missing, {obj, key});
        }
        if (out.isNotFound()) {
            Value exc = makeException(types().KeyError, "");
            exc.as<ExceptionObject>()->args = makeTuple({key});
            return ts.raise(exc);
        }
        return out;
    }
    case ObjKind::Type: {
        // typing-style generics (list[int], dict[str, int]) act as their origin type
        Value m = obj.as<TypeObject>()->lookup("__class_getitem__");
        if (!m.isNotFound())
            return call(ts, m, {obj, key});
        TypeObject *t = obj.as<TypeObject>();
        if (t == types().list)
            return makeGenericAlias(obj, key, false);
        if (!t->isUserClass)
            return obj;
        return ts.raise(types().TypeError, "type '" + t->name + "' is not subscriptable");
    }
    default: {
        Value m = o->type()->lookup("__getitem__");
        if (!m.isNotFound())
            return call(ts, m, {obj, key});
        return ts.raise(types().TypeError, "'" + typeName(obj) + "' object is not subscriptable");
    }
    }
}

bool setItem(ThreadState &ts, const Value &obj, const Value &key, const Value &v)
{
    bool del = v.isUnbound();
    if (obj.isList()) {
        auto *l = obj.as<ListObject>();
        if (isIntLike(key)) {
            ContainerGuard g(l->lock);
            std::int64_t len = static_cast<std::int64_t>(l->items.size());
            bool ok;
            std::int64_t i = key.asInt(&ok);
            if (ok && i < 0)
                i += len;
            if (!ok || i < 0 || i >= len) {
                ts.raise(types().IndexError, del ? "list assignment index out of range" : "list assignment index out of range");
                return false;
            }
            if (del)
                l->items.erase(l->items.begin() + i);
            else
                l->items[i] = v;
            return true;
        }
        if (key.isKind(ObjKind::Slice)) {
            std::int64_t a, b, c;
            std::int64_t len = static_cast<std::int64_t>(l->items.size());
            if (sliceIndexes(ts, key.as<SliceObject>(), len, a, b, c).isError())
                return false;
            std::vector<Value> repl;
            if (!del && !collect(ts, v, repl))
                return false;
            ContainerGuard g(l->lock);
            if (c == 1) {
                if (b < a)
                    b = a;
                l->items.erase(l->items.begin() + a, l->items.begin() + b);
                if (!del)
                    l->items.insert(l->items.begin() + a, repl.begin(), repl.end());
                return true;
            }
            auto idx = sliceRange(a, b, c);
            if (del) {
                std::sort(idx.begin(), idx.end(), std::greater<>());
                for (auto i : idx)
                    l->items.erase(l->items.begin() + i);
                return true;
            }
            if (repl.size() != idx.size()) {
                ts.raise(types().ValueError, "attempt to assign sequence of size " + std::to_string(repl.size()) +
                                                 " to extended slice of size " + std::to_string(idx.size()));
                return false;
            }
            for (std::size_t k = 0; k < idx.size(); ++k)
                l->items[idx[k]] = repl[k];
            return true;
        }
        ts.raise(types().TypeError, "list indices must be integers or slices, not " + typeName(key));
        return false;
    }
    if (obj.isDict()) {
        auto *d = obj.as<DictObject>();
        if (del) {
            bool found;
            if (!d->remove(ts, key, found))
                return false;
            if (!found) {
                Value exc = makeException(types().KeyError, "");
                exc.as<ExceptionObject>()->args = makeTuple({key});
                ts.raise(exc);
                return false;
            }
            return true;
        }
        return d->set(ts, key, v);
    }
    if (obj.isInstanceLike()) {
        Value m = obj.type()->lookup(del ? "__delitem__" : "__setitem__");
        if (!m.isNotFound()) {
            Value r = del ? call(ts, m, {obj, key}) : call(ts, m, {obj, key, v});
            return !r.isError();
        }
    }
    if (del)
        ts.raise(types().TypeError, "'" + typeName(obj) + "' object doesn't support item deletion");
    else
        ts.raise(types().TypeError, "'" + typeName(obj) + "' object does not support item assignment");
    return false;
}

// ------------------------------------------------------------------ iteration
Value getIter(ThreadState &ts, const Value &v)
{
    if (!v.isObject())
        return ts.raise(types().TypeError, "'" + typeName(v) + "' object is not iterable");
    Object *o = v.ptr();
    switch (o->kind()) {
    case ObjKind::Range: {
        auto *r = v.as<RangeObject>();
        auto *it = new IteratorObject(types().iterator);
        it->isRange = true;
        it->rangeCur = r->start;
        it->rangeStop = r->stop;
        it->rangeStep = r->step;
        it->next = [it](ThreadState &) -> Value {
            if (it->rangeStep > 0 ? it->rangeCur < it->rangeStop : it->rangeCur > it->rangeStop) {
                std::int64_t c = it->rangeCur;
                it->rangeCur += it->rangeStep;
                return Value::fromInt(c);
            }
            return Value::notFound();
        };
        return Value(it);
    }
    case ObjKind::List: {
        Value keep = v;
        std::size_t i = 0;
        return makeIterator([keep, i](ThreadState &) mutable -> Value {
            auto *l = keep.as<ListObject>();
            ContainerGuard g(l->lock);
            if (i < l->items.size())
                return l->items[i++];
            return Value::notFound();
        });
    }
    case ObjKind::Tuple: {
        Value keep = v;
        std::size_t i = 0;
        return makeIterator([keep, i](ThreadState &) mutable -> Value {
            auto &items = keep.as<TupleObject>()->items;
            if (i < items.size())
                return items[i++];
            return Value::notFound();
        });
    }
    case ObjKind::Str: {
        Value keep = v;
        std::size_t i = 0;
        return makeIterator([keep, i](ThreadState &) mutable -> Value {
            const std::string &s = keep.asString();
            if (i >= s.size())
                return Value::notFound();
            unsigned char c = static_cast<unsigned char>(s[i]);
            std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            Value r = makeStr(s.substr(i, len));
            i += len;
            return r;
        });
    }
    case ObjKind::Bytes: {
        Value keep = v;
        std::size_t i = 0;
        return makeIterator([keep, i](ThreadState &) mutable -> Value {
            const std::string &s = keep.as<BytesObject>()->value;
            if (i >= s.size())
                return Value::notFound();
            return Value::fromInt(static_cast<unsigned char>(s[i++]));
        });
    }
    case ObjKind::Dict:
    case ObjKind::Set: {
        DictObject *d = o->kind() == ObjKind::Dict ? v.as<DictObject>() : &v.as<SetObject>()->table;
        Value keep = v;
        std::size_t i = 0;
        std::size_t startSize = d->size();
        return makeIterator([keep, d, i, startSize](ThreadState &ts) mutable -> Value {
            ContainerGuard g(d->lock);
            if (d->size() != startSize) {
                ts.raise(types().RuntimeError, keep.isDict() ? "dictionary changed size during iteration" : "Set changed size during iteration");
                return Value::error();
            }
            auto &ents = d->entries();
            while (i < ents.size() && ents[i].key.isUnbound())
                ++i;
            if (i < ents.size())
                return ents[i++].key;
            return Value::notFound();
        });
    }
    case ObjKind::Iterator:
    case ObjKind::Generator: return v;
    default: {
        Value m = o->type()->lookup("__iter__");
        if (!m.isNotFound())
            return call(ts, m, {v});
        m = o->type()->lookup("__getitem__");
        if (!m.isNotFound()) {
            Value keep = v;
            std::int64_t i = 0;
            return makeIterator([keep, m, i](ThreadState &ts) mutable -> Value {
                Value r = call(ts, m, {keep, Value::fromInt(i++)});
                if (r.isError() && (ts.exceptionMatches(types().IndexError) || ts.exceptionMatches(types().StopIteration))) {
                    ts.fetchException();
                    return Value::notFound();
                }
                return r;
            });
        }
        return ts.raise(types().TypeError, "'" + typeName(v) + "' object is not iterable");
    }
    }
}

Value stopIterationValue(const Value &exc)
{
    if (!exc.isException())
        return Value::none();
    auto &items = exc.as<ExceptionObject>()->args.as<TupleObject>()->items;
    return items.empty() ? Value::none() : items[0];
}

Value iterNext(ThreadState &ts, const Value &it)
{
    if (it.isKind(ObjKind::Iterator))
        return it.as<IteratorObject>()->next(ts);
    if (it.isGenerator()) {
        ResumeResult r = resume(ts, it, Value::none());
        if (r.kind == ResumeResult::Yielded)
            return r.value;
        if (r.kind == ResumeResult::Returned)
            return Value::notFound();
        if (ts.exceptionMatches(types().StopIteration) && it.as<GeneratorObject>()->state.load() == GeneratorObject::Done &&
            false)
            return Value::notFound();
        return Value::error();
    }
    Value m = it.type()->lookup("__next__");
    if (m.isNotFound())
        return ts.raise(types().TypeError, "'" + typeName(it) + "' object is not an iterator");
    Value r = call(ts, m, {it});
    if (r.isError() && ts.exceptionMatches(types().StopIteration)) {
        ts.fetchException();
        return Value::notFound();
    }
    return r;
}

bool collect(ThreadState &ts, const Value &iterable, std::vector<Value> &out)
{
    if (iterable.isList()) {
        ContainerGuard g(iterable.as<ListObject>()->lock);
        out.insert(out.end(), iterable.as<ListObject>()->items.begin(), iterable.as<ListObject>()->items.end());
        return true;
    }
    if (iterable.isTuple()) {
        auto &items = iterable.as<TupleObject>()->items;
        out.insert(out.end(), items.begin(), items.end());
        return true;
    }
    Value it = getIter(ts, iterable);
    if (it.isError())
        return false;
    for (;;) {
        Value x = iterNext(ts, it);
        if (x.isError())
            return false;
        if (x.isNotFound())
            return true;
        out.push_back(std::move(x));
        if (out.size() > (1u << 27)) {
            ts.raise(types().MemoryError, "");
            return false;
        }
    }
}

// ------------------------------------------------------------------ small helpers
void dictSet(const Value &dict, std::string_view key, Value v) { dict.as<DictObject>()->setStr(key, std::move(v)); }
Value dictGet(const Value &dict, std::string_view key) { return dict.as<DictObject>()->getStr(key); }
Value listAppend(const Value &list, Value v)
{
    auto *l = list.as<ListObject>();
    ContainerGuard g(l->lock);
    l->items.push_back(std::move(v));
    return Value::none();
}

} // namespace loopscope::lang
