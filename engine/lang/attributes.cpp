// Attributes, instantiation, exceptions and the native API (native functions, types,
// modules, function introspection, copying values between interpreters).
#include "vm.h"

#include "bigint.h"
#include "interpreter.h"

#include <cstdio>
#include <set>

namespace loopscope::lang {

// ------------------------------------------------------------------ attributes
static Value bindDescriptor(const Value &obj, const Value &attr)
{
    if (!attr.isObject())
        return attr;
    switch (attr.ptr()->kind()) {
    case ObjKind::Function:
    case ObjKind::NativeFunction: return Value(new BoundMethodObject(obj, attr));
    case ObjKind::StaticMethod: return attr.as<StaticMethodObject>()->func;
    case ObjKind::ClassMethod: return Value(new BoundMethodObject(typeValue(obj.type()), attr.as<StaticMethodObject>()->func));
    default: return attr;
    }
}

static Value functionAttr(ThreadState &ts, const Value &obj, std::string_view name)
{
    auto *f = obj.as<FunctionObject>();
    if (f->dict.isDict()) {
        Value v = f->dict.as<DictObject>()->getStr(name);
        if (!v.isNotFound())
            return v;
    }
    if (name == "__name__")
        return makeStr(f->name);
    if (name == "__qualname__")
        return makeStr(f->qualname);
    if (name == "__module__")
        return f->moduleName;
    if (name == "__doc__")
        return Value::none();
    if (name == "__defaults__")
        return f->defaults.empty() ? Value::none() : makeTuple(f->defaults);
    if (name == "__dict__") {
        if (!f->dict.isDict())
            f->dict = makeDict();
        return f->dict;
    }
    if (name == "__annotations__") {
        Value d = makeDict();
        for (auto &p : f->signature())
            if (p.hasAnnotation)
                dictSet(d, p.name, p.annotation);
        if (!f->annotations.empty() && !f->annotations.back().isNotFound())
            dictSet(d, "return", f->annotations.back());
        return d;
    }
    (void)ts;
    return Value::notFound();
}

Value getAttrOpt(ThreadState &ts, const Value &obj, std::string_view name)
{
    if (!obj.isObject()) {
        if (name == "__class__")
            return typeValue(obj.type());
        Value m = obj.type()->lookup(name);
        if (!m.isNotFound())
            return bindDescriptor(obj, m);
        if (obj.isSmallInt() || obj.isBool()) {
            if (name == "real" || name == "numerator")
                return Value::fromInt(obj.asInt());
            if (name == "imag")
                return Value::smallInt(0);
            if (name == "denominator")
                return Value::smallInt(1);
        }
        return Value::notFound();
    }
    Object *o = obj.ptr();
    switch (o->kind()) {
    case ObjKind::Module: {
        Value v = obj.as<ModuleObject>()->dict.as<DictObject>()->getStr(name);
        if (!v.isNotFound())
            return v;
        if (name == "__dict__")
            return obj.as<ModuleObject>()->dict;
        return Value::notFound();
    }
    case ObjKind::Type: {
        auto *t = obj.as<TypeObject>();
        if (name == "__name__")
            return makeStr(t->name);
        if (name == "__qualname__")
            return makeStr(t->name);
        if (name == "__module__")
            return makeStr(t->module.empty() ? "builtins" : t->module);
        if (name == "__doc__")
            return Value::none();
        if (name == "__bases__")
            return makeTuple(t->base ? std::vector<Value>{typeValue(t->base)} : std::vector<Value>{});
        if (name == "__base__")
            return t->base ? typeValue(t->base) : Value::none();
        if (name == "__mro__") {
            std::vector<Value> mro;
            for (TypeObject *x = t; x; x = x->base)
                mro.push_back(typeValue(x));
            return makeTuple(std::move(mro));
        }
        if (name == "__dict__")
            return t->dict;
        if (name == "__class__")
            return typeValue(types().type);
        Value v = t->lookup(name);
        if (v.isNotFound())
            return v;
        if (v.isKind(ObjKind::StaticMethod))
            return v.as<StaticMethodObject>()->func;
        if (v.isKind(ObjKind::ClassMethod))
            return Value(new BoundMethodObject(obj, v.as<StaticMethodObject>()->func));
        return v;
    }
    case ObjKind::Function: {
        Value v = functionAttr(ts, obj, name);
        if (!v.isNotFound())
            return v;
        if (name == "__class__")
            return typeValue(types().function);
        return Value::notFound();
    }
    case ObjKind::BoundMethod: {
        auto *bm = obj.as<BoundMethodObject>();
        if (name == "__self__")
            return bm->self;
        if (name == "__func__")
            return bm->func;
        return getAttrOpt(ts, bm->func, name);
    }
    case ObjKind::NativeFunction: {
        auto *nf = obj.as<NativeFunctionObject>();
        if (name == "__name__" || name == "__qualname__")
            return makeStr(nf->name);
        if (name == "__self__")
            return nf->self.isNotFound() ? Value::none() : nf->self;
        if (name == "__module__")
            return Value::none();
        if (name == "__doc__")
            return Value::none();
        break;
    }
    case ObjKind::Generator: {
        auto *g = static_cast<GeneratorObject *>(o);
        if (name == "__name__")
            return makeStr(g->name);
        if (name == "__qualname__")
            return makeStr(g->qualname);
        break;
    }
    case ObjKind::Instance:
    case ObjKind::Exception:
    case ObjKind::Native: {
        TypeObject *t = o->type();
        Value desc = t->lookup(name);
        if (desc.isKind(ObjKind::Property)) {
            Value g = desc.as<PropertyObject>()->getter;
            return call(ts, g, {obj});
        }
        DictObject *attrs = o->kind() == ObjKind::Native ? &obj.as<NativeObject>()->attrs : &obj.as<InstanceObject>()->attrs;
        Value v = attrs->getStr(name);
        if (!v.isNotFound())
            return v;
        if (o->kind() == ObjKind::Exception) {
            auto *e = obj.as<ExceptionObject>();
            if (name == "args")
                return e->args;
            if (name == "__cause__")
                return e->cause;
            if (name == "__context__")
                return e->context;
            if (name == "__suppress_context__")
                return Value::fromBool(e->suppressContext);
            if (name == "__traceback__")
                return Value::none();
            if (name == "value" && t->isSubtypeOf(types().StopIteration))
                return stopIterationValue(obj);
            if (name == "code" && t->isSubtypeOf(types().SystemExit))
                return stopIterationValue(obj);
        }
        if (name == "__class__")
            return typeValue(t);
        if (name == "__dict__" && o->kind() != ObjKind::Native) {
            Value d = makeDict();
            for (auto &kv : attrs->items())
                d.as<DictObject>()->set(ts, kv.first, kv.second);
            return d;
        }
        if (!desc.isNotFound())
            return bindDescriptor(obj, desc);
        for (TypeObject *x = t; x; x = x->base)
            if (x->hooks.getattr) {
                Value r = x->hooks.getattr(ts, obj, name);
                if (!r.isNotFound())
                    return r;
                break;
            }
        if (o->kind() != ObjKind::Native) {
            Value ga = t->lookup("__getattr__");
            if (!ga.isNotFound()) {
                Value r = call(ts, ga, {obj, makeStr(std::string(name))});
                if (r.isError() && ts.exceptionMatches(types().AttributeError)) {
                    ts.fetchException();
                    return Value::notFound();
                }
                return r;
            }
        }
        return Value::notFound();
    }
    default: break;
    }
    if (name == "__class__")
        return typeValue(o->type());
    Value m = o->type()->lookup(name);
    if (!m.isNotFound())
        return bindDescriptor(obj, m);
    if (o->kind() == ObjKind::Float) {
        if (name == "real")
            return obj;
        if (name == "imag")
            return makeFloat(0.0);
    }
    if (o->kind() == ObjKind::BigInt && (name == "real" || name == "numerator"))
        return obj;
    if (o->kind() == ObjKind::Range) {
        auto *r = obj.as<RangeObject>();
        if (name == "start")
            return Value::fromInt(r->start);
        if (name == "stop")
            return Value::fromInt(r->stop);
        if (name == "step")
            return Value::fromInt(r->step);
    }
    if (o->kind() == ObjKind::Slice) {
        auto *s = obj.as<SliceObject>();
        if (name == "start")
            return s->start;
        if (name == "stop")
            return s->stop;
        if (name == "step")
            return s->step;
    }
    return Value::notFound();
}

Value getAttr(ThreadState &ts, const Value &obj, std::string_view name)
{
    Value v = getAttrOpt(ts, obj, name);
    if (!v.isNotFound())
        return v;
    if (obj.isModule())
        return ts.raise(types().AttributeError, "module '" + obj.as<ModuleObject>()->name + "' has no attribute '" + std::string(name) + "'");
    if (obj.isType())
        return ts.raise(types().AttributeError, "type object '" + obj.as<TypeObject>()->name + "' has no attribute '" + std::string(name) + "'");
    return ts.raise(types().AttributeError, "'" + typeName(obj) + "' object has no attribute '" + std::string(name) + "'");
}

bool setAttr(ThreadState &ts, const Value &obj, std::string_view name, const Value &v)
{
    bool del = v.isUnbound();
    if (obj.isObject()) {
        Object *o = obj.ptr();
        switch (o->kind()) {
        case ObjKind::Instance:
        case ObjKind::Exception:
        case ObjKind::Native: {
            TypeObject *t = o->type();
            Value desc = t->lookup(name);
            if (desc.isKind(ObjKind::Property)) {
                Value s = desc.as<PropertyObject>()->setter;
                if (s.isNone()) {
                    ts.raise(types().AttributeError, "can't set attribute '" + std::string(name) + "'");
                    return false;
                }
                return !call(ts, s, {obj, v}).isError();
            }
            if (o->kind() == ObjKind::Exception) {
                auto *e = obj.as<ExceptionObject>();
                if (name == "args") {
                    std::vector<Value> items;
                    if (!collect(ts, v, items))
                        return false;
                    e->args = makeTuple(std::move(items));
                    return true;
                }
                if (name == "__cause__") {
                    e->cause = v;
                    e->suppressContext = true;
                    return true;
                }
                if (name == "__context__") {
                    e->context = v;
                    return true;
                }
                if (name == "__traceback__")
                    return true;
            }
            if (o->kind() == ObjKind::Native) {
                for (TypeObject *x = t; x; x = x->base)
                    if (x->hooks.setattr) {
                        if (x->hooks.setattr(ts, obj, name, v))
                            return !ts.hasException();
                        if (ts.hasException())
                            return false;
                        break;
                    }
            }
            DictObject *attrs = o->kind() == ObjKind::Native ? &obj.as<NativeObject>()->attrs : &obj.as<InstanceObject>()->attrs;
            if (del) {
                bool found;
                attrs->remove(ts, makeStr(std::string(name)), found);
                if (!found) {
                    ts.raise(types().AttributeError, "'" + typeName(obj) + "' object has no attribute '" + std::string(name) + "'");
                    return false;
                }
                return true;
            }
            attrs->setStr(name, v);
            return true;
        }
        case ObjKind::Type: {
            auto *t = obj.as<TypeObject>();
            if (!t->isUserClass && t->refcount() >= (1u << 29)) {
                ts.raise(types().TypeError, "cannot set '" + std::string(name) + "' attribute of immutable type '" + t->name + "'");
                return false;
            }
            if (name == "__name__" && v.isStr()) {
                t->name = v.asString();
                return true;
            }
            if (del) {
                bool found;
                t->dict.as<DictObject>()->remove(ts, makeStr(std::string(name)), found);
                return true;
            }
            t->dict.as<DictObject>()->setStr(name, v);
            return true;
        }
        case ObjKind::Function: {
            auto *f = obj.as<FunctionObject>();
            if (name == "__name__" && v.isStr()) {
                f->name = v.asString();
                return true;
            }
            if (name == "__qualname__" && v.isStr()) {
                f->qualname = v.asString();
                return true;
            }
            if (name == "__module__") {
                f->moduleName = v;
                return true;
            }
            if (!f->dict.isDict())
                f->dict = makeDict();
            f->dict.as<DictObject>()->setStr(name, v);
            return true;
        }
        case ObjKind::Module:
            if (del) {
                bool found;
                obj.as<ModuleObject>()->dict.as<DictObject>()->remove(ts, makeStr(std::string(name)), found);
                return true;
            }
            obj.as<ModuleObject>()->dict.as<DictObject>()->setStr(name, v);
            return true;
        default: break;
        }
    }
    ts.raise(types().AttributeError, "'" + typeName(obj) + "' object has no attribute '" + std::string(name) + "'");
    return false;
}

// ------------------------------------------------------------------ instances and exceptions
Value makeException(TypeObject *type, std::string message)
{
    auto *e = new ExceptionObject(type);
    Value v(e);
    if (!message.empty())
        e->args = makeTuple({makeStr(std::move(message))});
    return v;
}

int reportUncaught(ThreadState &ts, const Value &exc)
{
    Interpreter &interp = ts.interpreter();
    if (exc.isException() && exc.type()->isSubtypeOf(types().SystemExit)) {
        auto &items = exc.as<ExceptionObject>()->args.as<TupleObject>()->items;
        if (items.empty() || items[0].isNone())
            return 0;
        const Value &code = items[0];
        if (code.isSmallInt() || code.isBool())
            return static_cast<int>(code.asInt() & 0xff);
        interp.write(ts, str(ts, code) + "\n", true);
        return 1;
    }
    interp.write(ts, formatException(ts, exc), true);
    return 1;
}

Value exceptionArgs(const Value &exc) { return exc.isException() ? exc.as<ExceptionObject>()->args : makeTuple({}); }

bool isInstance(const Value &v, const TypeObject *type)
{
    if (type == types().int_ && v.isBool())
        return true;
    return v.type()->isSubtypeOf(type);
}

Value instantiateType(ThreadState &ts, TypeObject *t, const Value *args, std::size_t nargs, const TupleObject *kwnames)
{
    if (t->construct) {
        std::size_t nkw = kwnames ? kwnames->items.size() : 0;
        std::vector<KeywordArg> kws(nkw);
        for (std::size_t k = 0; k < nkw; ++k) {
            kws[k].name = kwnames->items[k].asString();
            kws[k].value = args[nargs - nkw + k];
        }
        CallArgs ca;
        ca.positional = std::span<const Value>(args, nargs - nkw);
        ca.keywords = kws;
        return guardedNativeCall(ts, t->construct, ca);
    }
    TypeObject *nativeBase = nullptr;
    for (TypeObject *x = t; x; x = x->base)
        if (x->instanceKind == ObjKind::Native && x->construct) {
            nativeBase = x;
            break;
        }
    (void)nativeBase;
    Value self;
    bool isExc = t->instanceKind == ObjKind::Exception;
    if (isExc) {
        auto *e = new ExceptionObject(t);
        self = Value(e);
        std::size_t nkw = kwnames ? kwnames->items.size() : 0;
        e->args = makeTuple(std::vector<Value>(args, args + (nargs - nkw)));
    } else if (t->instanceKind == ObjKind::Instance) {
        self = Value(new InstanceObject(t));
    } else if (t->instanceKind == ObjKind::Native && t->isUserClass) {
        self = Value(new NativeObject(t));
    } else {
        return ts.raise(types().TypeError, "cannot create '" + t->name + "' instances");
    }
    static const Value initName = [] {
        Value v = makeStr("__init__");
        v.ptr()->makeImmortal();
        return v;
    }();
    Value init = t->lookup(initName);
    if (!init.isNotFound()) {
        std::vector<Value> all;
        all.reserve(nargs + 1);
        all.push_back(self);
        all.insert(all.end(), args, args + nargs);
        Value r = callValue(ts, init, all.data(), all.size(), kwnames);
        if (r.isError())
            return r;
        if (!r.isNone())
            return ts.raise(types().TypeError, "__init__() should return None, not '" + typeName(r) + "'");
    } else if (!isExc && nargs > 0) {
        return ts.raise(types().TypeError, t->name + "() takes no arguments");
    }
    return self;
}

Value exceptionFromTypeOrInstance(ThreadState &ts, const Value &v)
{
    if (v.isException())
        return v;
    if (v.isType() && v.as<TypeObject>()->isExceptionType())
        return instantiateType(ts, v.as<TypeObject>(), nullptr, 0, nullptr);
    return ts.raise(types().TypeError, "exceptions must derive from BaseException");
}

static void collectChain(const Value &exc, std::vector<std::pair<Value, int>> &chain, std::set<const void *> &seen)
{
    // chain entries: (exception, how it links to the next: 0 none, 1 cause, 2 context)
    if (!exc.isException() || !seen.insert(exc.ptr()).second)
        return;
    auto *e = exc.as<ExceptionObject>();
    if (!e->cause.isNone() && e->cause.isException()) {
        collectChain(e->cause, chain, seen);
        if (!chain.empty())
            chain.back().second = 1;
    } else if (!e->suppressContext && e->context.isException()) {
        collectChain(e->context, chain, seen);
        if (!chain.empty())
            chain.back().second = 2;
    }
    chain.emplace_back(exc, 0);
}

std::string exceptionSummary(ThreadState &ts, const Value &exc)
{
    if (!exc.isException())
        return repr(ts, exc);
    std::string name = exc.type()->qualifiedName();
    bool ok;
    Value saved = ts.hasException() ? ts.fetchException() : Value::none();
    std::string msg = str(ts, exc, &ok);
    if (!ok) {
        ts.fetchException();
        msg = "<exception str() failed>";
    }
    if (!saved.isNone())
        ts.restoreException(saved);
    if (msg.empty())
        return name;
    return name + ": " + msg;
}

static std::string stripLine(const std::string &s)
{
    std::size_t a = s.find_first_not_of(" \t\f");
    if (a == std::string::npos)
        return "";
    std::size_t b = s.find_last_not_of(" \t\r\n\f");
    return s.substr(a, b - a + 1);
}

namespace {

// CPython's traceback printing of exception groups (traceback._ExceptionPrintContext):
// inside a group every line gets a margin, "| " (or "+ " for a top-level group's first
// line), indented two spaces per level; each member is headed "+---- i ----".
struct GroupPrint {
    int depth = 0;
    bool needClose = false;
    std::string indent() const { return std::string(std::size_t(2 * depth), ' '); }
};

constexpr int kMaxGroupWidth = 15;
constexpr int kMaxGroupDepth = 10;

void emit(std::string &out, const GroupPrint &ctx, const std::string &text, char margin = '|')
{
    std::string prefix = ctx.indent();
    if (ctx.depth > 0)
        prefix += std::string(1, margin) + ' ';
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t nl = text.find('\n', at);
        const std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
        out += prefix;
        out.append(text, at, end - at);
        at = end;
    }
}

// The members of an exception group (BaseExceptionGroup and its subclasses), or none.
const std::vector<Value> *groupMembers(ThreadState &ts, const Value &exc)
{
    const Value group = ts.interpreter().builtinsRaw()->getStr("BaseExceptionGroup");
    if (!group.isType() || !isInstance(exc, group.as<TypeObject>()))
        return nullptr;
    const Value members = exc.as<ExceptionObject>()->attrs.getStr("exceptions");
    return members.isTuple() ? &asTuple(members)->items : nullptr;
}

std::string stackText(ThreadState &ts, const ExceptionObject *eo)
{
    std::string out;
    // entries were added innermost first as the exception unwound; print outermost first
    const std::vector<TracebackEntry> &tb = eo->traceback;
    // consecutive identical lines are collapsed as CPython does after 3 repeats
    std::size_t i = tb.size();
    std::string lastKey;
    int repeat = 0;
    auto flushRepeat = [&]() {
        if (repeat > 3)
            out += "  [Previous line repeated " + std::to_string(repeat - 3) + " more time" + (repeat - 3 > 1 ? "s" : "") + "]\n";
        repeat = 0;
    };
    while (i-- > 0) {
        const TracebackEntry &te = tb[i];
        std::string key = te.code ? te.code->filename + ":" + std::to_string(te.line) + ":" + te.code->name : "";
        if (key == lastKey) {
            ++repeat;
            if (repeat > 3)
                continue;
        } else {
            flushRepeat();
            lastKey = key;
            repeat = 1;
        }
        std::string fn = te.code ? te.code->filename : "?";
        std::string name = te.code ? te.code->name : "?";
        out += "  File \"" + fn + "\", line " + std::to_string(te.line) + ", in " + name + "\n";
        std::string src = stripLine(ts.interpreter().sourceLine(fn, te.line));
        if (!src.empty())
            out += "    " + src + "\n";
    }
    flushRepeat();
    return out;
}

void formatInto(ThreadState &ts, const Value &exc, GroupPrint &ctx, std::set<const void *> &seen, std::string &out)
{
    std::vector<std::pair<Value, int>> chain;
    collectChain(exc, chain, seen);
    for (auto &[e, link] : chain) {
        auto *eo = e.as<ExceptionObject>();
        const std::vector<Value> *members = groupMembers(ts, e);
        if (!members) {
            if (!eo->traceback.empty()) {
                emit(out, ctx, "Traceback (most recent call last):\n");
                emit(out, ctx, stackText(ts, eo));
            }
            emit(out, ctx, exceptionSummary(ts, e) + "\n");
        } else if (ctx.depth > kMaxGroupDepth) {
            emit(out, ctx, "... (max_group_depth is " + std::to_string(kMaxGroupDepth) + ")\n");
        } else {
            const bool topLevel = ctx.depth == 0;
            if (topLevel)
                ++ctx.depth;
            if (!eo->traceback.empty()) {
                emit(out, ctx, "Exception Group Traceback (most recent call last):\n", topLevel ? '+' : '|');
                emit(out, ctx, stackText(ts, eo));
            }
            emit(out, ctx, exceptionSummary(ts, e) + "\n");
            const int count = int(members->size());
            const int shown = count <= kMaxGroupWidth ? count : kMaxGroupWidth + 1;
            ctx.needClose = false;
            for (int i = 0; i < shown; ++i) {
                const bool last = i == shown - 1;
                if (last)
                    ctx.needClose = true; // the closing line may come from a nested group
                const bool truncated = i >= kMaxGroupWidth;
                out += ctx.indent() + (i == 0 ? "+-" : "  ") + "+---------------- " +
                       (truncated ? std::string("...") : std::to_string(i + 1)) + " ----------------\n";
                ++ctx.depth;
                if (!truncated) {
                    formatInto(ts, (*members)[std::size_t(i)], ctx, seen, out);
                } else {
                    const int remaining = count - kMaxGroupWidth;
                    emit(out, ctx, "and " + std::to_string(remaining) + " more exception" + (remaining > 1 ? "s" : "") + "\n");
                }
                if (last && ctx.needClose) {
                    out += ctx.indent() + "+------------------------------------\n";
                    ctx.needClose = false;
                }
                --ctx.depth;
            }
            if (topLevel)
                ctx.depth = 0;
        }
        if (link == 1)
            emit(out, ctx, "\nThe above exception was the direct cause of the following exception:\n\n");
        else if (link == 2)
            emit(out, ctx, "\nDuring handling of the above exception, another exception occurred:\n\n");
    }
}

} // namespace

std::string formatException(ThreadState &ts, const Value &exc)
{
    if (!exc.isException())
        return exceptionSummary(ts, exc) + "\n";
    std::string out;
    GroupPrint ctx;
    std::set<const void *> seen;
    formatInto(ts, exc, ctx, seen, out);
    return out;
}

// ------------------------------------------------------------------ native API
Value CallArgs::keyword(std::string_view name) const
{
    for (auto &k : keywords)
        if (k.name == name)
            return k.value;
    return Value::notFound();
}

Value CallArgs::arg(std::size_t i, std::string_view name) const
{
    if (i < positional.size())
        return positional[i];
    return keyword(name);
}

bool CallArgs::checkCount(ThreadState &ts, std::string_view fname, std::size_t min, std::size_t max) const
{
    std::size_t n = positional.size();
    if (n >= min && n <= max)
        return true;
    std::string f(fname);
    if (min == max) {
        if (min == 0)
            ts.raise(types().TypeError, f + "() takes no arguments (" + std::to_string(n) + " given)");
        else if (min == 1)
            ts.raise(types().TypeError, f + "() takes exactly one argument (" + std::to_string(n) + " given)");
        else
            ts.raise(types().TypeError, f + " expected " + std::to_string(min) + " arguments, got " + std::to_string(n));
    } else if (n < min) {
        ts.raise(types().TypeError, f + " expected at least " + std::to_string(min) + " argument" + (min == 1 ? "" : "s") + ", got " + std::to_string(n));
    } else {
        ts.raise(types().TypeError, f + " expected at most " + std::to_string(max) + " argument" + (max == 1 ? "" : "s") + ", got " + std::to_string(n));
    }
    return false;
}

bool CallArgs::noKeywords(ThreadState &ts, std::string_view fname) const
{
    if (keywords.empty())
        return true;
    ts.raise(types().TypeError, std::string(fname) + "() takes no keyword arguments");
    return false;
}

bool CallArgs::onlyKeywords(ThreadState &ts, std::string_view fname, std::initializer_list<std::string_view> allowed) const
{
    for (auto &k : keywords) {
        bool ok = false;
        for (auto a : allowed)
            ok = ok || a == k.name;
        if (!ok) {
            ts.raise(types().TypeError, std::string(fname) + "() got an unexpected keyword argument '" + std::string(k.name) + "'");
            return false;
        }
    }
    return true;
}

bool CallArgs::parse(ThreadState &ts, std::string_view fname, std::initializer_list<std::string_view> names,
                     std::size_t required, Value *out, std::size_t skip) const
{
    std::string f(fname);
    std::size_t n = names.size();
    std::size_t npos = positional.size() > skip ? positional.size() - skip : 0;
    if (npos > n) {
        ts.raise(types().TypeError, f + "() takes " + (required < n ? "from " + std::to_string(required) + " to " : std::string()) +
                                        std::to_string(n) + " positional argument" + (n == 1 ? "" : "s") + " but " +
                                        std::to_string(npos) + (npos == 1 ? " was" : " were") + " given");
        return false;
    }
    std::size_t i = 0;
    for (auto name : names) {
        out[i] = i < npos ? positional[skip + i] : Value::notFound();
        for (auto &k : keywords)
            if (k.name == name) {
                if (i < npos) {
                    ts.raise(types().TypeError, f + "() got multiple values for argument '" + std::string(name) + "'");
                    return false;
                }
                out[i] = k.value;
            }
        ++i;
    }
    for (auto &k : keywords) {
        bool known = false;
        for (auto name : names)
            known = known || name == k.name;
        if (!known) {
            ts.raise(types().TypeError, f + "() got an unexpected keyword argument '" + std::string(k.name) + "'");
            return false;
        }
    }
    std::vector<std::string> missing;
    i = 0;
    for (auto name : names) {
        if (i < required && out[i].isNotFound())
            missing.emplace_back(name);
        ++i;
    }
    if (!missing.empty()) {
        std::string list;
        for (std::size_t k = 0; k < missing.size(); ++k) {
            if (k)
                list += missing.size() == 2 ? " and " : (k + 1 == missing.size() ? ", and " : ", ");
            list += "'" + missing[k] + "'";
        }
        ts.raise(types().TypeError, f + "() missing " + std::to_string(missing.size()) + " required positional argument" +
                                        (missing.size() == 1 ? "" : "s") + ": " + list);
        return false;
    }
    return true;
}

Value makeNativeFunction(std::string name, NativeFn fn, std::string qualName)
{
    auto *f = new NativeFunctionObject(std::move(name), std::move(fn));
    f->qualName = qualName.empty() ? f->name : std::move(qualName);
    return Value(f);
}

Value makeNativeType(NativeTypeSpec spec)
{
    TypeObject *base = spec.base.isType() ? spec.base.as<TypeObject>() : types().object;
    ObjKind kind = base->isExceptionType() ? ObjKind::Exception : ObjKind::Native;
    auto *t = new TypeObject(spec.name, base, kind);
    Value tv(t);
    t->module = spec.module;
    if (spec.base.isType())
        t->baseRef = spec.base;
    for (auto &[n, fn] : spec.methods) {
        std::string qn = (spec.module.empty() || spec.module == "builtins" ? "" : spec.module + ".") + spec.name + "." + n;
        t->dict.as<DictObject>()->setStr(n, makeNativeFunction(n, fn, qn));
    }
    for (auto &[n, v] : spec.attributes)
        t->dict.as<DictObject>()->setStr(n, v);
    t->construct = std::move(spec.construct);
    t->hooks = std::move(spec.hooks);
    t->allowSubclass = spec.allowSubclass;
    return tv;
}

Value makeModule(std::string name, std::vector<std::pair<std::string, Value>> attrs)
{
    auto *m = new ModuleObject(std::move(name));
    Value mv(m);
    for (auto &[n, v] : attrs)
        m->dict.as<DictObject>()->setStr(n, v);
    return mv;
}

void moduleSet(const Value &module, std::string_view name, Value v) { module.as<ModuleObject>()->dict.as<DictObject>()->setStr(name, std::move(v)); }

bool functionInfo(const Value &v, FunctionInfo &out)
{
    if (!v.isFunction())
        return false;
    auto *f = v.as<FunctionObject>();
    out.name = f->name;
    out.qualname = f->qualname;
    out.filename = f->filename();
    out.module = f->moduleName.isStr() ? f->moduleName.asString() : "";
    out.firstLine = f->firstLine();
    out.isAsync = f->code->isCoroutine() || f->code->isAsyncGenerator();
    out.isGenerator = f->code->isGenerator() || f->code->isAsyncGenerator();
    out.params = f->signature();
    if (!f->annotations.empty() && !f->annotations.back().isNotFound()) {
        out.hasReturnAnnotation = true;
        out.returnAnnotation = f->annotations.back();
    }
    return true;
}

Value copyToInterpreter(ThreadState &fromTs, const Value &v, ThreadState &toTs)
{
    if (!v.isObject())
        return v;
    switch (v.ptr()->kind()) {
    case ObjKind::Float: return makeFloat(v.asDouble());
    case ObjKind::BigInt: return Value(new BigIntObject(v.as<BigIntObject>()->value));
    case ObjKind::Str: return makeStr(v.asString());
    case ObjKind::Bytes: return Value(new BytesObject(v.as<BytesObject>()->value));
    case ObjKind::List:
    case ObjKind::Tuple: {
        std::vector<Value> src = v.isList() ? v.as<ListObject>()->items : v.as<TupleObject>()->items;
        std::vector<Value> out;
        for (auto &x : src) {
            Value c = copyToInterpreter(fromTs, x, toTs);
            if (c.isError())
                return c;
            out.push_back(std::move(c));
        }
        return v.isList() ? makeList(std::move(out)) : makeTuple(std::move(out));
    }
    case ObjKind::Dict: {
        Value d = makeDict();
        for (auto &kv : v.as<DictObject>()->items()) {
            Value k = copyToInterpreter(fromTs, kv.first, toTs);
            Value x = copyToInterpreter(fromTs, kv.second, toTs);
            if (k.isError() || x.isError())
                return Value::error();
            if (!d.as<DictObject>()->set(toTs, k, x))
                return Value::error();
        }
        return d;
    }
    case ObjKind::Type:
        if (!v.as<TypeObject>()->isUserClass)
            return v; // built-in types and exception classes are shared by all interpreters
        break;
    case ObjKind::Exception: {
        auto *e = v.as<ExceptionObject>();
        if (!e->type()->isUserClass) {
            auto *ne = new ExceptionObject(e->type());
            Value nv(ne);
            Value a = copyToInterpreter(fromTs, e->args, toTs);
            if (a.isError())
                return a;
            ne->args = a;
            return nv;
        }
        break;
    }
    case ObjKind::Function: {
        auto *f = v.as<FunctionObject>();
        std::string mod = f->moduleName.isStr() ? f->moduleName.asString() : "__main__";
        Value m = toTs.interpreter().moduleIfLoaded(mod);
        if (m.isModule()) {
            Value fn = m.as<ModuleObject>()->dict.as<DictObject>()->getStr(f->name);
            if (!fn.isNotFound())
                return fn;
        }
        return toTs.raise(types().AttributeError, "Can't get attribute '" + f->name + "' on <module '" + mod + "'>");
    }
    case ObjKind::NativeFunction:
        if (v.as<NativeFunctionObject>()->self.isNotFound())
            return v;
        break;
    default: break;
    }
    (void)fromTs;
    return toTs.raise(types().TypeError, "cannot pickle '" + typeName(v) + "' object");
}

} // namespace loopscope::lang
