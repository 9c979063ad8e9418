// Value: the one handle every part of the endpoint language passes around.
//
// A Value is one 64-bit word. None, True, False, the error marker and small integers
// (63-bit) live inline; everything else is a pointer to a refcounted heap Object.
// Refcounts are atomic because values cross threads (worker threads, the loop thread,
// process-pool interpreters copy them with copyToInterpreter()).
#pragma once

#define LOOPSCOPE_INLINE [[gnu::always_inline]] inline

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loopscope::lang {

class Object;
class TypeObject;
class ThreadState;

// What a heap object is, for fast checks in the VM and the builtins. User classes and
// native types add new TypeObjects, not new kinds.
enum class ObjKind : std::uint8_t {
    Float, BigInt, Str, Bytes, List, Tuple, Dict, Set, Range, Slice,
    Function, NativeFunction, BoundMethod, Cell, Code, Type, Instance, Exception,
    Module, Generator, Iterator, Native, Property, StaticMethod, ClassMethod, Other
};

class Object {
public:
    explicit Object(ObjKind kind, TypeObject *type) : m_type(type), m_kind(kind) {}
    virtual ~Object() = default;
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;

    LOOPSCOPE_INLINE void incref() const noexcept { m_refcount.fetch_add(1, std::memory_order_relaxed); }
    LOOPSCOPE_INLINE void decref() const noexcept
    {
        if (m_refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) [[unlikely]]
            destroy();
    }
    std::uint32_t refcount() const noexcept { return m_refcount.load(std::memory_order_relaxed); }
    // Objects that live as long as the program (builtin types, interned constants).
    void makeImmortal() noexcept { m_refcount.store(1u << 30, std::memory_order_relaxed); }

    TypeObject *type() const noexcept { return m_type; }
    void setType(TypeObject *t) noexcept { m_type = t; }
    ObjKind kind() const noexcept { return m_kind; }

protected:
    // Deletes the object; very deep chains (a list nested 100,000 times) are unwound
    // iteratively instead of recursing through destructors.
    void destroy() const noexcept;
    TypeObject *m_type;
    ObjKind m_kind;
    mutable std::atomic<std::uint32_t> m_refcount{0};

    friend class TypeObject;
};

class Value {
public:
    // --- construction ---
    Value() noexcept : m_bits(kNone) {}
    LOOPSCOPE_INLINE Value(Object *obj) noexcept : m_bits(reinterpret_cast<std::uintptr_t>(obj))
    {
        if (obj)
            obj->incref();
        else
            m_bits = kNone;
    }
    LOOPSCOPE_INLINE Value(const Value &o) noexcept : m_bits(o.m_bits)
    {
        if (isObject())
            ptr()->incref();
    }
    LOOPSCOPE_INLINE Value(Value &&o) noexcept : m_bits(o.m_bits) { o.m_bits = kNone; }
    LOOPSCOPE_INLINE Value &operator=(const Value &o) noexcept
    {
        if (o.isObject())
            o.ptr()->incref();
        const std::uint64_t old = m_bits;
        m_bits = o.m_bits;
        if ((old & 3) == 0)
            reinterpret_cast<Object *>(old)->decref();
        return *this;
    }
    LOOPSCOPE_INLINE Value &operator=(Value &&o) noexcept
    {
        if (this != &o) {
            const std::uint64_t old = m_bits;
            m_bits = o.m_bits;
            o.m_bits = kNone;
            if ((old & 3) == 0)
                reinterpret_cast<Object *>(old)->decref();
        }
        return *this;
    }
    LOOPSCOPE_INLINE ~Value()
    {
        if (isObject())
            ptr()->decref();
    }

    static Value none() noexcept { return Value(kNone, RawTag{}); }
    static Value fromBool(bool b) noexcept { return Value(b ? kTrue : kFalse, RawTag{}); }
    static Value trueValue() noexcept { return Value(kTrue, RawTag{}); }
    static Value falseValue() noexcept { return Value(kFalse, RawTag{}); }
    // The marker a native or the VM returns after ts.raise(...): "an exception is set".
    static Value error() noexcept { return Value(kError, RawTag{}); }
    // "No such attribute/item" without an exception (getattr hooks, dict probes).
    static Value notFound() noexcept { return Value(kNotFound, RawTag{}); }
    // An unbound local slot ("cannot access local variable ...").
    static Value unbound() noexcept { return Value(kUnbound, RawTag{}); }

    static Value fromInt(std::int64_t v); // big ints beyond 63 bits become BigInt objects
    static constexpr bool fitsSmall(std::int64_t v) noexcept
    {
        return v >= kSmallMin && v <= kSmallMax;
    }
    static Value smallInt(std::int64_t v) noexcept
    {
        return Value((static_cast<std::uint64_t>(v) << 1) | 1u, RawTag{});
    }
    static Value fromDouble(double d);
    static Value fromString(std::string_view utf8);
    static Value fromString(std::string &&utf8);
    static Value fromString(const char *utf8) { return fromString(std::string_view(utf8)); }
    // Takes ownership of a freshly allocated object (refcount 0) or shares an existing one.
    static Value fromObject(Object *obj) noexcept { return Value(obj); }

    // --- checks ---
    bool isNone() const noexcept { return m_bits == kNone; }
    bool isBool() const noexcept { return m_bits == kTrue || m_bits == kFalse; }
    bool isTrueConst() const noexcept { return m_bits == kTrue; }
    bool isFalseConst() const noexcept { return m_bits == kFalse; }
    bool isError() const noexcept { return m_bits == kError; }
    bool isNotFound() const noexcept { return m_bits == kNotFound; }
    bool isUnbound() const noexcept { return m_bits == kUnbound; }
    bool isSmallInt() const noexcept { return (m_bits & 1) != 0; }
    bool isObject() const noexcept { return (m_bits & 3) == 0; }
    bool isBigInt() const noexcept { return isObject() && ptr()->kind() == ObjKind::BigInt; }
    // int in the Python sense, excluding bool (isinstance(True, int) is handled by types).
    bool isInt() const noexcept { return isSmallInt() || isBigInt(); }
    bool isFloat() const noexcept { return isObject() && ptr()->kind() == ObjKind::Float; }
    bool isStr() const noexcept { return isObject() && ptr()->kind() == ObjKind::Str; }
    bool isList() const noexcept { return isObject() && ptr()->kind() == ObjKind::List; }
    bool isTuple() const noexcept { return isObject() && ptr()->kind() == ObjKind::Tuple; }
    bool isDict() const noexcept { return isObject() && ptr()->kind() == ObjKind::Dict; }
    bool isSet() const noexcept { return isObject() && ptr()->kind() == ObjKind::Set; }
    bool isFunction() const noexcept { return isObject() && ptr()->kind() == ObjKind::Function; }
    bool isType() const noexcept { return isObject() && ptr()->kind() == ObjKind::Type; }
    bool isException() const noexcept { return isObject() && ptr()->kind() == ObjKind::Exception; }
    bool isModule() const noexcept { return isObject() && ptr()->kind() == ObjKind::Module; }
    bool isGenerator() const noexcept { return isObject() && ptr()->kind() == ObjKind::Generator; }
    // A user-class instance, an exception or a native object (dunder methods apply).
    bool isInstanceLike() const noexcept
    {
        if (!isObject())
            return false;
        ObjKind k = ptr()->kind();
        return k == ObjKind::Instance || k == ObjKind::Exception || k == ObjKind::Native;
    }
    bool isKind(ObjKind k) const noexcept { return isObject() && ptr()->kind() == k; }

    // --- accessors (call only after the matching check) ---
    bool asBool() const noexcept { return m_bits == kTrue; }
    std::int64_t smallValue() const noexcept { return static_cast<std::int64_t>(m_bits) >> 1; }
    // int/bool as int64; false in ok (and no exception) when it does not fit.
    std::int64_t asInt(bool *ok = nullptr) const;
    double asDouble() const;              // float, int or bool
    const std::string &asString() const;  // str only
    Object *ptr() const noexcept { return reinterpret_cast<Object *>(m_bits); }
    template<class T> T *as() const noexcept { return static_cast<T *>(ptr()); }
    TypeObject *type() const noexcept;    // the Python type (bool for True/False, ...)

    std::uint64_t bits() const noexcept { return m_bits; }
    bool is(const Value &o) const noexcept { return m_bits == o.m_bits; }

    // Creation helpers for C++ callers.
    static Value list(std::vector<Value> items = {});
    static Value tuple(std::vector<Value> items = {});
    static Value dict(); // empty; fill with dictSet()

    static constexpr std::int64_t kSmallMax = (std::int64_t(1) << 62) - 1;
    static constexpr std::int64_t kSmallMin = -(std::int64_t(1) << 62);

private:
    struct RawTag {};
    Value(std::uint64_t bits, RawTag) noexcept : m_bits(bits) {}

    static constexpr std::uint64_t kNone = 0x02;
    static constexpr std::uint64_t kFalse = 0x0A;
    static constexpr std::uint64_t kTrue = 0x12;
    static constexpr std::uint64_t kError = 0x1A;
    static constexpr std::uint64_t kNotFound = 0x22;
    static constexpr std::uint64_t kUnbound = 0x2A;

    std::uint64_t m_bits;
};

} // namespace loopscope::lang
