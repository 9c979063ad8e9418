// The heap objects behind Value: numbers, strings, containers, functions, types,
// instances, exceptions, modules. Containers carry a tiny lock that is only taken when
// some interpreter runs free-threaded (gil=false); under a GIL it costs one load.
#pragma once

#include "value.h"

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace loopscope::lang {

class Code;
class BigInt;
struct CallArgs;
struct ResumeResult;

// True once any interpreter runs without a GIL: containers then lock per operation.
extern std::atomic<bool> g_lockContainers;

class ContainerLock {
public:
    void lock() const noexcept
    {
        if (!g_lockContainers.load(std::memory_order_relaxed))
            return;
        while (m_flag.exchange(true, std::memory_order_acquire)) {
            while (m_flag.load(std::memory_order_relaxed)) { }
        }
    }
    void unlock() const noexcept
    {
        if (!g_lockContainers.load(std::memory_order_relaxed) && !m_flag.load(std::memory_order_relaxed))
            return;
        m_flag.store(false, std::memory_order_release);
    }

private:
    mutable std::atomic<bool> m_flag{false};
};

class ContainerGuard {
public:
    explicit ContainerGuard(const ContainerLock &l) : m_l(l) { m_l.lock(); }
    ~ContainerGuard() { m_l.unlock(); }

private:
    const ContainerLock &m_l;
};

class FloatObject : public Object {
public:
    explicit FloatObject(double v);
    double value;
};

class BigIntObject : public Object {
public:
    explicit BigIntObject(std::shared_ptr<const BigInt> v);
    std::shared_ptr<const BigInt> value;
};

class StrObject : public Object {
public:
    explicit StrObject(std::string s);
    std::string value;
    // Code point length and whether the text is pure ASCII (then byte index == char index).
    std::size_t length() const;
    bool isAscii() const { return m_ascii; }
    std::size_t hash() const;

private:
    bool m_ascii;
    mutable std::size_t m_length = std::size_t(-1);
    mutable std::atomic<std::size_t> m_hash{0};
};

class BytesObject : public Object {
public:
    explicit BytesObject(std::string b);
    std::string value;
};

class ListObject : public Object {
public:
    ListObject();
    explicit ListObject(std::vector<Value> v);
    std::vector<Value> items;
    ContainerLock lock;
};

class TupleObject : public Object {
public:
    explicit TupleObject(std::vector<Value> v);
    std::vector<Value> items;
};

// Insertion-ordered hash table with Python's key equality (1 == 1.0 == True).
class DictObject : public Object {
public:
    DictObject();
    struct Entry {
        Value key;   // unbound() for a deleted entry
        Value value;
        std::size_t hash = 0;
    };
    // All return false with an exception set in ts when hashing/comparing fails.
    bool get(ThreadState &ts, const Value &key, Value &out) const; // out = notFound() if absent
    bool set(ThreadState &ts, const Value &key, Value value);
    bool remove(ThreadState &ts, const Value &key, bool &found);
    // Fast paths for str keys (globals, attributes, kwargs): no exception possible.
    Value getStr(std::string_view key) const;            // notFound() if absent
    Value getStr(const Value &strKey) const;              // uses the str's cached hash
    void setStr(std::string_view key, Value value);
    void setStr(const Value &strKey, Value value);
    std::size_t size() const { return m_used; }
    void clear();
    // Snapshot of live entries in insertion order.
    std::vector<std::pair<Value, Value>> items() const;
    std::vector<Value> keys() const;

    // Entry storage, for the VM's global-slot cache (index stays valid until a rebuild).
    const std::vector<Entry> &entries() const { return m_entries; }
    std::vector<Entry> &entriesMut() { return m_entries; }
    ContainerLock lock;
    Value defaultFactory; // collections.defaultdict's factory (None otherwise)

private:
    long find(ThreadState *ts, const Value &key, std::size_t hash, bool &err) const;
    long findStr(std::string_view key, std::size_t hash) const;
    template <typename Matches>
    long probe(std::size_t hash, Matches matches) const;
    void insertNew(Value key, Value value, std::size_t hash);
    void rebuild(std::size_t minCapacity);

    std::vector<Entry> m_entries;
    std::vector<std::int32_t> m_index; // -1 empty, -2 dummy, else entry index
    std::size_t m_used = 0;
};

class SetObject : public Object {
public:
    SetObject();
    DictObject table; // values unused
};

class RangeObject : public Object {
public:
    RangeObject(std::int64_t start, std::int64_t stop, std::int64_t step);
    std::int64_t start, stop, step;
    std::int64_t length() const;
};

class SliceObject : public Object {
public:
    SliceObject(Value start, Value stop, Value step);
    Value start, stop, step;
};

class CellObject : public Object {
public:
    CellObject();
    Value value; // unbound() when empty
};

// A parameter as the fastapi layer sees it (inspect.Parameter's shape).
struct ParamInfo {
    enum Kind { PositionalOnly, PositionalOrKeyword, VarPositional, KeywordOnly, VarKeyword };
    std::string name;
    Kind kind = PositionalOrKeyword;
    bool hasDefault = false;
    Value defaultValue;
    bool hasAnnotation = false;
    Value annotation;
};

class FunctionObject : public Object {
public:
    FunctionObject(std::shared_ptr<const Code> code, Value globals);
    std::shared_ptr<const Code> code;
    Value globals;                  // DictObject of the defining module
    std::vector<Value> defaults;    // for the last N positional parameters
    std::vector<Value> kwDefaults;  // per keyword-only parameter; notFound() = none
    std::vector<Value> closure;     // CellObjects
    std::vector<Value> annotations; // per parameter (notFound() = none), then the return
    Value dict;                     // __dict__ (DictObject), created lazily
    std::string name, qualname;
    Value moduleName;

    std::vector<ParamInfo> signature() const;
    bool isAsync() const;
    bool isGenerator() const;
    const std::string &filename() const;
    int firstLine() const;
};

using NativeFn = std::function<Value(ThreadState &, const CallArgs &)>;

class NativeFunctionObject : public Object {
public:
    NativeFunctionObject(std::string name, NativeFn fn, Value self = Value::notFound());
    std::string name;     // shown in errors: "sleep", "list.append"
    std::string qualName; // "time.sleep": what samplePosition() reports as nativeCall
    NativeFn fn;
    Value self;           // bound receiver (notFound() when unbound)
    bool releasesGilHint = false;
};

class BoundMethodObject : public Object {
public:
    BoundMethodObject(Value self, Value func);
    Value self, func;
};

class PropertyObject : public Object {
public:
    explicit PropertyObject(Value getter);
    Value getter, setter;
};

class StaticMethodObject : public Object {
public:
    StaticMethodObject(Value f, bool isClassMethod);
    Value func;
    bool classMethod;
};

// Hooks a native type may provide (asyncio Future, Task, Lock, CapacityLimiter, ...).
struct NativeTypeHooks {
    // Attribute read not satisfied by the type's methods: return notFound() if unknown.
    std::function<Value(ThreadState &, const Value &self, std::string_view name)> getattr;
    // Attribute write: return false (without an exception) if not handled.
    std::function<bool(ThreadState &, const Value &self, std::string_view name, const Value &)> setattr;
    // A native iterator used by `await`/`yield from`: one step. exc == nullptr: send(sent);
    // otherwise throw(*exc). Yielded/Returned/Raised like resume().
    std::function<ResumeResult(ThreadState &, const Value &self, const Value &sent, const Value *exc)> resume;
    // repr(obj); default "<module.Name object at 0x...>".
    std::function<std::string(ThreadState &, const Value &self)> repr;
};

class TypeObject : public Object {
public:
    TypeObject(std::string name, TypeObject *base, ObjKind instanceKind);
    std::string name;
    std::string module;           // "builtins", "asyncio", "__main__"...
    TypeObject *base;             // nullptr only for object
    Value baseRef;                // keeps a non-builtin base alive
    Value dict;                   // DictObject: methods and class attributes
    ObjKind instanceKind;         // Instance, Exception, Native, or a builtin kind
    NativeFn construct;           // natives / builtins: called for Type(...)
    NativeTypeHooks hooks;
    bool isUserClass = false;
    bool allowSubclass = false; // native types that user classes may derive from

    bool isSubtypeOf(const TypeObject *other) const;
    bool isExceptionType() const;
    // Looks name up along the base chain; notFound() if absent.
    Value lookup(std::string_view name) const;
    Value lookup(const Value &strName) const; // faster: the str's hash is cached
    std::string qualifiedName() const; // "ValueError", "asyncio.exceptions.CancelledError"
};

class InstanceObject : public Object {
public:
    explicit InstanceObject(TypeObject *type, ObjKind kind = ObjKind::Instance);
    Value typeRef; // keeps a user class alive
    DictObject attrs;
};

struct TracebackEntry {
    std::shared_ptr<const Code> code;
    int line = 0;
};

class ExceptionObject : public InstanceObject {
public:
    explicit ExceptionObject(TypeObject *type);
    Value args;                    // tuple
    Value cause, context;          // exceptions or None
    bool suppressContext = false;
    std::vector<TracebackEntry> traceback; // outermost first
};

class ModuleObject : public Object {
public:
    explicit ModuleObject(std::string name);
    std::string name;
    Value dict; // DictObject: the module's globals
};

// Base class for objects of native types: subclass it in C++ and create the Python type
// with makeNativeType(); construct instances with `new MyObj(type)` wrapped in a Value.
class NativeObject : public Object {
public:
    explicit NativeObject(TypeObject *type);
    Value typeRef;
    DictObject attrs; // free attribute storage (setattr on a native object)
};

// A built-in iterator (list/tuple/str/dict/range/enumerate/zip/map/... iterators).
class IteratorObject : public Object {
public:
    explicit IteratorObject(TypeObject *type);
    // Returns the next value, notFound() when exhausted, error() on exception.
    std::function<Value(ThreadState &)> next;
    // Fast path for range iteration in the VM.
    bool isRange = false;
    std::int64_t rangeCur = 0, rangeStop = 0, rangeStep = 1;
};

// Helpers.
Value makeFloat(double v);
Value makeStr(std::string s);
Value makeList(std::vector<Value> items);
Value makeTuple(std::vector<Value> items);
Value makeDict();
Value makeIterator(std::function<Value(ThreadState &)> next);

ListObject *asList(const Value &v);
TupleObject *asTuple(const Value &v);
DictObject *asDict(const Value &v);
StrObject *asStr(const Value &v);

} // namespace loopscope::lang
