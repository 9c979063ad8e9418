// Heap objects: constructors, the dict table, the built-in type objects.
#include "objects.h"

#include "bigint.h"
#include "code.h"
#include "native.h"
#include "utf8.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

namespace loopscope::lang {

std::atomic<bool> g_lockContainers{false};

void initBuiltinMethods(CoreTypes &t); // builtinmethods.cpp

// ---------------------------------------------------------------- types
static TypeObject *g_typeType = nullptr;

static std::vector<TypeObject *> g_builtTypes;

static TypeObject *newType(const char *name, TypeObject *base, ObjKind kind)
{
    auto *t = new TypeObject(name, base, kind);
    t->makeImmortal();
    g_builtTypes.push_back(t);
    return t;
}

static void buildTypes(CoreTypes *t)
{
    // "type" and "object" first; the TypeObject constructor reads types() lazily, so
    // set m_type by hand for these two.
    t->object = newType("object", nullptr, ObjKind::Instance);
    t->type = newType("type", t->object, ObjKind::Type);
    t->object->setType(t->type);
    g_typeType = t->type;
    t->type->setType(t->type);
    auto mk = [&](const char *name, ObjKind k, TypeObject *base = nullptr) {
        TypeObject *ty = newType(name, base ? base : t->object, k);
        ty->setType(t->type);
        return ty;
    };
    t->int_ = mk("int", ObjKind::BigInt);
    t->bool_ = mk("bool", ObjKind::BigInt, t->int_);
    t->float_ = mk("float", ObjKind::Float);
    t->str = mk("str", ObjKind::Str);
    t->bytes = mk("bytes", ObjKind::Bytes);
    t->none = mk("NoneType", ObjKind::Other);
    t->list = mk("list", ObjKind::List);
    t->tuple = mk("tuple", ObjKind::Tuple);
    t->dict = mk("dict", ObjKind::Dict);
    t->set = mk("set", ObjKind::Set);
    t->range = mk("range", ObjKind::Range);
    t->slice = mk("slice", ObjKind::Slice);
    t->function = mk("function", ObjKind::Function);
    t->builtinFunction = mk("builtin_function_or_method", ObjKind::NativeFunction);
    t->method = mk("method", ObjKind::BoundMethod);
    t->cell = mk("cell", ObjKind::Cell);
    t->code = mk("code", ObjKind::Code);
    t->module = mk("module", ObjKind::Module);
    t->generator = mk("generator", ObjKind::Generator);
    t->coroutine = mk("coroutine", ObjKind::Generator);
    t->asyncGenerator = mk("async_generator", ObjKind::Generator);
    t->iterator = mk("iterator", ObjKind::Iterator);
    t->property = mk("property", ObjKind::Property);
    t->staticmethod = mk("staticmethod", ObjKind::StaticMethod);
    t->classmethod = mk("classmethod", ObjKind::ClassMethod);
    t->notImplementedType = mk("NotImplementedType", ObjKind::Other);
    t->ellipsisType = mk("ellipsis", ObjKind::Other);

    auto ex = [&](const char *name, TypeObject *base) {
        TypeObject *ty = newType(name, base, ObjKind::Exception);
        ty->setType(t->type);
        t->allExceptions.push_back(ty);
        return ty;
    };
    t->BaseException = ex("BaseException", t->object);
    t->SystemExit = ex("SystemExit", t->BaseException);
    t->KeyboardInterrupt = ex("KeyboardInterrupt", t->BaseException);
    t->GeneratorExit = ex("GeneratorExit", t->BaseException);
    t->Exception = ex("Exception", t->BaseException);
    t->ArithmeticError = ex("ArithmeticError", t->Exception);
    t->ZeroDivisionError = ex("ZeroDivisionError", t->ArithmeticError);
    t->OverflowError = ex("OverflowError", t->ArithmeticError);
    t->LookupError = ex("LookupError", t->Exception);
    t->KeyError = ex("KeyError", t->LookupError);
    t->IndexError = ex("IndexError", t->LookupError);
    t->ValueError = ex("ValueError", t->Exception);
    t->UnicodeError = ex("UnicodeError", t->ValueError);
    t->UnicodeDecodeError = ex("UnicodeDecodeError", t->UnicodeError);
    t->TypeError = ex("TypeError", t->Exception);
    t->NameError = ex("NameError", t->Exception);
    t->UnboundLocalError = ex("UnboundLocalError", t->NameError);
    t->AttributeError = ex("AttributeError", t->Exception);
    t->RuntimeError = ex("RuntimeError", t->Exception);
    t->RecursionError = ex("RecursionError", t->RuntimeError);
    t->NotImplementedError = ex("NotImplementedError", t->RuntimeError);
    t->StopIteration = ex("StopIteration", t->Exception);
    t->StopAsyncIteration = ex("StopAsyncIteration", t->Exception);
    t->OSError = ex("OSError", t->Exception);
    t->TimeoutError = ex("TimeoutError", t->OSError);
    t->ConnectionError = ex("ConnectionError", t->OSError);
    t->ConnectionResetError = ex("ConnectionResetError", t->ConnectionError);
    t->BrokenPipeError = ex("BrokenPipeError", t->ConnectionError);
    t->FileNotFoundError = ex("FileNotFoundError", t->OSError);
    t->PermissionError = ex("PermissionError", t->OSError);
    t->InterruptedError = ex("InterruptedError", t->OSError);
    t->BlockingIOError = ex("BlockingIOError", t->OSError);
    t->ProcessLookupError = ex("ProcessLookupError", t->OSError);
    t->ChildProcessError = ex("ChildProcessError", t->OSError);
    t->IsADirectoryError = ex("IsADirectoryError", t->OSError);
    t->NotADirectoryError = ex("NotADirectoryError", t->OSError);
    t->AssertionError = ex("AssertionError", t->Exception);
    t->ImportError = ex("ImportError", t->Exception);
    t->ModuleNotFoundError = ex("ModuleNotFoundError", t->ImportError);
    t->SyntaxError = ex("SyntaxError", t->Exception);
    t->IndentationError = ex("IndentationError", t->SyntaxError);
    t->BufferError = ex("BufferError", t->Exception);
    t->EOFError = ex("EOFError", t->Exception);
    t->MemoryError = ex("MemoryError", t->Exception);
    t->Warning = ex("Warning", t->Exception);
    t->DeprecationWarning = ex("DeprecationWarning", t->Warning);
    t->UserWarning = ex("UserWarning", t->Warning);
    t->RuntimeWarning = ex("RuntimeWarning", t->Warning);
    // type dicts created before the dict type existed
    for (TypeObject *x : g_builtTypes)
        x->dict.ptr()->setType(t->dict);
}

static std::atomic<CoreTypes *> g_ready{nullptr};
static CoreTypes *g_partial = nullptr;
static std::atomic<std::thread::id> g_builder{};

const CoreTypes &types()
{
    if (CoreTypes *t = g_ready.load(std::memory_order_acquire))
        return *t;
    if (g_builder.load() == std::this_thread::get_id())
        return *g_partial; // re-entered while building
    static std::mutex m;
    std::lock_guard<std::mutex> lock(m);
    if (CoreTypes *t = g_ready.load(std::memory_order_acquire))
        return *t;
    g_builder.store(std::this_thread::get_id());
    g_partial = new CoreTypes{};
    buildTypes(g_partial);
    initBuiltinMethods(*g_partial);
    g_ready.store(g_partial, std::memory_order_release);
    g_builder.store(std::thread::id{});
    return *g_partial;
}

Value typeValue(TypeObject *t) { return Value(static_cast<Object *>(t)); }

// ---------------------------------------------------------------- constructors
FloatObject::FloatObject(double v) : Object(ObjKind::Float, types().float_), value(v) {}
BigIntObject::BigIntObject(std::shared_ptr<const BigInt> v)
    : Object(ObjKind::BigInt, types().int_), value(std::move(v)) {}

static bool asciiOnly(const std::string &s)
{
    for (unsigned char c : s)
        if (c >= 0x80)
            return false;
    return true;
}

StrObject::StrObject(std::string s) : Object(ObjKind::Str, types().str), value(std::move(s))
{
    m_ascii = asciiOnly(value);
    if (m_ascii)
        m_length = value.size();
}

std::size_t StrObject::length() const
{
    if (m_length == std::size_t(-1))
        m_length = codePointCount(value);
    return m_length;
}

std::size_t StrObject::hash() const
{
    std::size_t h = m_hash.load(std::memory_order_relaxed);
    if (h == 0) {
        h = std::hash<std::string_view>()(value);
        if (h == 0 || h == std::size_t(-1))
            h = 1;
        m_hash.store(h, std::memory_order_relaxed);
    }
    return h;
}

BytesObject::BytesObject(std::string b) : Object(ObjKind::Bytes, types().bytes), value(std::move(b)) {}
ListObject::ListObject() : Object(ObjKind::List, types().list) {}
ListObject::ListObject(std::vector<Value> v) : Object(ObjKind::List, types().list), items(std::move(v)) {}
TupleObject::TupleObject(std::vector<Value> v) : Object(ObjKind::Tuple, types().tuple), items(std::move(v)) {}
SetObject::SetObject() : Object(ObjKind::Set, types().set) {}
RangeObject::RangeObject(std::int64_t a, std::int64_t b, std::int64_t c)
    : Object(ObjKind::Range, types().range), start(a), stop(b), step(c) {}

std::int64_t RangeObject::length() const
{
    if (step > 0 && start < stop)
        return (stop - start - 1) / step + 1;
    if (step < 0 && start > stop)
        return (start - stop - 1) / (-step) + 1;
    return 0;
}

SliceObject::SliceObject(Value a, Value b, Value c)
    : Object(ObjKind::Slice, types().slice), start(std::move(a)), stop(std::move(b)), step(std::move(c)) {}
CellObject::CellObject() : Object(ObjKind::Cell, types().cell), value(Value::unbound()) {}

FunctionObject::FunctionObject(std::shared_ptr<const Code> c, Value g)
    : Object(ObjKind::Function, types().function), code(std::move(c)), globals(std::move(g))
{
    name = code->name;
    qualname = code->qualname;
}

bool FunctionObject::isAsync() const { return code->flags & (Code::IsCoroutine | Code::IsAsyncGenerator); }
bool FunctionObject::isGenerator() const { return code->flags & (Code::IsGenerator | Code::IsAsyncGenerator); }
const std::string &FunctionObject::filename() const { return code->filename; }
int FunctionObject::firstLine() const { return code->firstLine; }

std::vector<ParamInfo> FunctionObject::signature() const
{
    std::vector<ParamInfo> out;
    const Code &c = *code;
    int nd = static_cast<int>(defaults.size());
    int idx = 0;
    auto ann = [&](ParamInfo &p, int i) {
        if (i < static_cast<int>(annotations.size()) && !annotations[i].isNotFound()) {
            p.hasAnnotation = true;
            p.annotation = annotations[i];
        }
    };
    for (int i = 0; i < c.argCount; ++i, ++idx) {
        ParamInfo p;
        p.name = c.varnames[i];
        p.kind = i < c.posOnlyCount ? ParamInfo::PositionalOnly : ParamInfo::PositionalOrKeyword;
        int di = i - (c.argCount - nd);
        if (di >= 0) {
            p.hasDefault = true;
            p.defaultValue = defaults[di];
        }
        ann(p, idx);
        out.push_back(std::move(p));
    }
    int slot = c.argCount;
    int varargSlot = -1;
    if (c.flags & Code::HasVarArgs)
        varargSlot = c.argCount + c.kwOnlyCount;
    if (varargSlot >= 0) {
        ParamInfo p;
        p.name = c.varnames[varargSlot];
        p.kind = ParamInfo::VarPositional;
        ann(p, c.argCount + c.kwOnlyCount);
        out.push_back(std::move(p));
    }
    for (int k = 0; k < c.kwOnlyCount; ++k, ++slot) {
        ParamInfo p;
        p.name = c.varnames[slot];
        p.kind = ParamInfo::KeywordOnly;
        if (k < static_cast<int>(kwDefaults.size()) && !kwDefaults[k].isNotFound()) {
            p.hasDefault = true;
            p.defaultValue = kwDefaults[k];
        }
        ann(p, slot);
        out.push_back(std::move(p));
    }
    if (c.flags & Code::HasVarKeywords) {
        int s = c.argCount + c.kwOnlyCount + ((c.flags & Code::HasVarArgs) ? 1 : 0);
        ParamInfo p;
        p.name = c.varnames[s];
        p.kind = ParamInfo::VarKeyword;
        ann(p, s);
        out.push_back(std::move(p));
    }
    return out;
}

NativeFunctionObject::NativeFunctionObject(std::string n, NativeFn f, Value s)
    : Object(ObjKind::NativeFunction, types().builtinFunction), name(std::move(n)), fn(std::move(f)), self(std::move(s)) {}
BoundMethodObject::BoundMethodObject(Value s, Value f)
    : Object(ObjKind::BoundMethod, types().method), self(std::move(s)), func(std::move(f)) {}
PropertyObject::PropertyObject(Value g) : Object(ObjKind::Property, types().property), getter(std::move(g)), setter(Value::none()) {}
StaticMethodObject::StaticMethodObject(Value f, bool cm)
    : Object(cm ? ObjKind::ClassMethod : ObjKind::StaticMethod, cm ? types().classmethod : types().staticmethod),
      func(std::move(f)), classMethod(cm) {}

TypeObject::TypeObject(std::string n, TypeObject *b, ObjKind ik)
    : Object(ObjKind::Type, g_typeType), name(std::move(n)), module("builtins"), base(b), instanceKind(ik)
{
    dict = Value(new DictObject());
}

bool TypeObject::isSubtypeOf(const TypeObject *other) const
{
    for (const TypeObject *t = this; t; t = t->base)
        if (t == other)
            return true;
    return false;
}

bool TypeObject::isExceptionType() const { return isSubtypeOf(types().BaseException); }

Value TypeObject::lookup(std::string_view n) const
{
    for (const TypeObject *t = this; t; t = t->base) {
        Value v = t->dict.as<DictObject>()->getStr(n);
        if (!v.isNotFound())
            return v;
    }
    return Value::notFound();
}

Value TypeObject::lookup(const Value &strName) const
{
    for (const TypeObject *t = this; t; t = t->base) {
        Value v = t->dict.as<DictObject>()->getStr(strName);
        if (!v.isNotFound())
            return v;
    }
    return Value::notFound();
}

std::string TypeObject::qualifiedName() const
{
    if (module.empty() || module == "builtins" || module == "__main__")
        return name;
    return module + "." + name;
}

InstanceObject::InstanceObject(TypeObject *t, ObjKind k) : Object(k, t)
{
    if (t->isUserClass || !t->module.empty())
        typeRef = Value(static_cast<Object *>(t));
}

ExceptionObject::ExceptionObject(TypeObject *t) : InstanceObject(t, ObjKind::Exception)
{
    args = Value(new TupleObject({}));
}

ModuleObject::ModuleObject(std::string n) : Object(ObjKind::Module, types().module), name(std::move(n))
{
    dict = Value(new DictObject());
    dict.as<DictObject>()->setStr("__name__", Value::fromString(name));
}

NativeObject::NativeObject(TypeObject *t) : Object(ObjKind::Native, t), typeRef(static_cast<Object *>(t)) {}
IteratorObject::IteratorObject(TypeObject *t) : Object(ObjKind::Iterator, t) {}

void Object::destroy() const noexcept
{
    thread_local int depth = 0;
    thread_local std::vector<const Object *> pending;
    if (depth > 100) {
        pending.push_back(this);
        return;
    }
    ++depth;
    delete this;
    if (depth == 1) {
        while (!pending.empty()) {
            const Object *o = pending.back();
            pending.pop_back();
            delete o;
        }
    }
    --depth;
}

// ---------------------------------------------------------------- Value
Value Value::fromInt(std::int64_t v)
{
    if (fitsSmall(v))
        return smallInt(v);
    return Value(new BigIntObject(std::make_shared<BigInt>(v)));
}

Value Value::fromDouble(double d) { return Value(new FloatObject(d)); }
Value Value::fromString(std::string_view s) { return Value(new StrObject(std::string(s))); }
Value Value::fromString(std::string &&s) { return Value(new StrObject(std::move(s))); }
Value Value::list(std::vector<Value> items) { return Value(new ListObject(std::move(items))); }
Value Value::tuple(std::vector<Value> items) { return Value(new TupleObject(std::move(items))); }
Value Value::dict() { return Value(new DictObject()); }

std::int64_t Value::asInt(bool *ok) const
{
    if (ok)
        *ok = true;
    if (isSmallInt())
        return smallValue();
    if (isBool())
        return asBool() ? 1 : 0;
    if (isBigInt()) {
        const BigInt &b = *as<BigIntObject>()->value;
        if (b.fitsInt64())
            return b.toInt64();
    }
    if (ok)
        *ok = false;
    return 0;
}

double Value::asDouble() const
{
    if (isFloat())
        return as<FloatObject>()->value;
    if (isSmallInt())
        return static_cast<double>(smallValue());
    if (isBool())
        return asBool() ? 1.0 : 0.0;
    if (isBigInt())
        return as<BigIntObject>()->value->toDouble();
    return 0.0;
}

const std::string &Value::asString() const { return as<StrObject>()->value; }

TypeObject *Value::type() const noexcept
{
    const CoreTypes &t = types();
    if (isSmallInt())
        return t.int_;
    if (isBool())
        return t.bool_;
    if (isNone())
        return t.none;
    if (isObject())
        return ptr()->type();
    return t.none;
}

Value makeFloat(double v) { return Value(new FloatObject(v)); }
Value makeStr(std::string s) { return Value(new StrObject(std::move(s))); }
Value makeList(std::vector<Value> items) { return Value(new ListObject(std::move(items))); }
Value makeTuple(std::vector<Value> items) { return Value(new TupleObject(std::move(items))); }
Value makeDict() { return Value(new DictObject()); }
Value makeIterator(std::function<Value(ThreadState &)> next)
{
    auto *it = new IteratorObject(types().iterator);
    it->next = std::move(next);
    return Value(it);
}
ListObject *asList(const Value &v) { return v.as<ListObject>(); }
TupleObject *asTuple(const Value &v) { return v.as<TupleObject>(); }
DictObject *asDict(const Value &v) { return v.as<DictObject>(); }
StrObject *asStr(const Value &v) { return v.as<StrObject>(); }

// ---------------------------------------------------------------- dict
DictObject::DictObject() : Object(ObjKind::Dict, types().dict) {}

// Equality for dict keys of built-in types without calling Python code.
bool rawKeyEquals(const Value &a, const Value &b);
bool rawHash(const Value &v, std::size_t &out); // false: unhashable

namespace {
// CPython's open addressing: the index slot for `hash` first, then the next candidates.
struct ProbeSequence {
    ProbeSequence(std::size_t hash, std::size_t indexSize) : mask(indexSize - 1), i(hash & mask), perturb(hash) {}
    void next()
    {
        perturb >>= 5;
        i = (i * 5 + 1 + perturb) & mask;
    }
    std::size_t mask, i, perturb;
};
} // namespace

// The entry `matches` accepts along the probe sequence of `hash`, or -1.
template <typename Matches>
long DictObject::probe(std::size_t hash, Matches matches) const
{
    if (m_index.empty())
        return -1;
    for (ProbeSequence p(hash, m_index.size());; p.next()) {
        std::int32_t ix = m_index[p.i];
        if (ix == -1)
            return -1;
        if (ix >= 0 && matches(m_entries[ix]))
            return ix;
    }
}

long DictObject::findStr(std::string_view key, std::size_t hash) const
{
    return probe(hash, [&](const Entry &e) { return e.hash == hash && e.key.isStr() && e.key.asString() == key; });
}

long DictObject::find(ThreadState *, const Value &key, std::size_t hash, bool &err) const
{
    err = false;
    return probe(hash, [&](const Entry &e) { return e.hash == hash && (e.key.is(key) || rawKeyEquals(e.key, key)); });
}

void DictObject::rebuild(std::size_t minCapacity)
{
    std::vector<Entry> live;
    live.reserve(m_used + 1);
    for (auto &e : m_entries)
        if (!e.key.isUnbound())
            live.push_back(std::move(e));
    m_entries = std::move(live);
    std::size_t cap = 8;
    while (cap < minCapacity * 3 / 2 + 1)
        cap <<= 1;
    m_index.assign(cap, -1);
    for (std::size_t k = 0; k < m_entries.size(); ++k) {
        ProbeSequence p(m_entries[k].hash, cap);
        while (m_index[p.i] != -1)
            p.next();
        m_index[p.i] = static_cast<std::int32_t>(k);
    }
}

void DictObject::insertNew(Value key, Value value, std::size_t hash)
{
    if ((m_entries.size() + 1) * 3 >= m_index.size() * 2)
        rebuild(m_used + 1 > 8 ? (m_used + 1) * 2 : 8);
    ProbeSequence p(hash, m_index.size());
    while (m_index[p.i] >= 0)
        p.next();
    m_index[p.i] = static_cast<std::int32_t>(m_entries.size());
    m_entries.push_back(Entry{std::move(key), std::move(value), hash});
    ++m_used;
}

bool DictObject::get(ThreadState &ts, const Value &key, Value &out) const
{
    std::size_t h;
    if (!hashValue(ts, key, h))
        return false;
    ContainerGuard g(lock);
    bool err;
    long ix = find(&ts, key, h, err);
    out = ix >= 0 ? m_entries[ix].value : Value::notFound();
    return true;
}

bool DictObject::set(ThreadState &ts, const Value &key, Value value)
{
    std::size_t h;
    if (!hashValue(ts, key, h))
        return false;
    ContainerGuard g(lock);
    bool err;
    long ix = find(&ts, key, h, err);
    if (ix >= 0)
        m_entries[ix].value = std::move(value);
    else
        insertNew(key, std::move(value), h);
    return true;
}

bool DictObject::remove(ThreadState &ts, const Value &key, bool &found)
{
    std::size_t h;
    found = false;
    if (!hashValue(ts, key, h))
        return false;
    ContainerGuard g(lock);
    bool err;
    long ix = find(&ts, key, h, err);
    if (ix < 0)
        return true;
    found = true;
    // find the index slot pointing at ix and mark it dummy
    ProbeSequence p(h, m_index.size());
    while (m_index[p.i] != ix)
        p.next();
    m_index[p.i] = -2;
    m_entries[ix].key = Value::unbound();
    m_entries[ix].value = Value();
    --m_used;
    return true;
}

static std::size_t strHash(std::string_view s)
{
    std::size_t h = std::hash<std::string_view>()(s);
    if (h == 0 || h == std::size_t(-1))
        h = 1;
    return h;
}

Value DictObject::getStr(std::string_view key) const
{
    ContainerGuard g(lock);
    long ix = findStr(key, strHash(key));
    return ix >= 0 ? m_entries[ix].value : Value::notFound();
}

Value DictObject::getStr(const Value &strKey) const
{
    ContainerGuard g(lock);
    if (m_index.empty())
        return Value::notFound();
    std::size_t hash = strKey.as<StrObject>()->hash();
    const std::string &key = strKey.asString();
    long ix = probe(hash, [&](const Entry &e) {
        return e.key.is(strKey) || (e.hash == hash && e.key.isStr() && e.key.asString() == key);
    });
    return ix >= 0 ? m_entries[ix].value : Value::notFound();
}

void DictObject::setStr(std::string_view key, Value value)
{
    setStr(Value::fromString(key), std::move(value));
}

void DictObject::setStr(const Value &strKey, Value value)
{
    ContainerGuard g(lock);
    std::size_t h = strKey.as<StrObject>()->hash();
    long ix = findStr(strKey.asString(), h);
    if (ix >= 0)
        m_entries[ix].value = std::move(value);
    else
        insertNew(strKey, std::move(value), h);
}

void DictObject::clear()
{
    ContainerGuard g(lock);
    m_entries.clear();
    m_index.clear();
    m_used = 0;
}

std::vector<std::pair<Value, Value>> DictObject::items() const
{
    ContainerGuard g(lock);
    std::vector<std::pair<Value, Value>> out;
    out.reserve(m_used);
    for (auto &e : m_entries)
        if (!e.key.isUnbound())
            out.emplace_back(e.key, e.value);
    return out;
}

std::vector<Value> DictObject::keys() const
{
    ContainerGuard g(lock);
    std::vector<Value> out;
    out.reserve(m_used);
    for (auto &e : m_entries)
        if (!e.key.isUnbound())
            out.push_back(e.key);
    return out;
}

} // namespace loopscope::lang
