// Built-in native modules: time, math, random, json, functools, sys, typing,
// threading, os. (asyncio, anyio, fastapi... are registered by other layers.)
#include "vm.h"

#include "bigint.h"
#include "gil.h"
#include "interpreter.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace loopscope {
extern const char *const kExceptionGroupsSource; // exception_groups.py, compiled in
}

namespace loopscope::lang {

Value toFloatValue(ThreadState &ts, const Value &v);
Value percentFormat(ThreadState &ts, const std::string &fmt, const Value &args);
bool sortValues(ThreadState &ts, std::vector<Value> &items, const Value &key, bool reverse);

namespace {

Value fn(const char *module, const char *name, NativeFn f)
{
    return makeNativeFunction(name, std::move(f), std::string(module) + "." + name);
}

bool number(ThreadState &ts, const Value &v, double &out, const char *what = "must be real number")
{
    if (v.isFloat() || v.isSmallInt() || v.isBool() || v.isBigInt()) {
        out = v.asDouble();
        return true;
    }
    ts.raise(types().TypeError, std::string(what) + ", not " + typeName(v));
    return false;
}

double monoSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------- time
Value timeModule(ThreadState &)
{
    const char *M = "time";
    return makeModule("time", {
        {"sleep", fn(M, "sleep", [](ThreadState &ts, const CallArgs &a) -> Value {
             if (!a.checkCount(ts, "sleep", 1, 1))
                 return Value::error();
             double s;
             if (!(a[0].isFloat() || a[0].isSmallInt() || a[0].isBool() || a[0].isBigInt()))
                 return ts.raise(types().TypeError, "'" + typeName(a[0]) + "' object cannot be interpreted as an integer");
             s = a[0].asDouble();
             if (s < 0)
                 return ts.raise(types().ValueError, "sleep length must be non-negative");
             {
                 GilRelease unlock(ts, "time.sleep");
                 // sleep in slices so a cancellation request is honoured promptly
                 auto end = std::chrono::steady_clock::now() +
                            std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
                 while (true) {
                     auto now = std::chrono::steady_clock::now();
                     if (now >= end)
                         break;
                     if (ts.evalBreaker.load(std::memory_order_relaxed) & ThreadState::AsyncException)
                         break;
                     auto chunk = std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::steady_clock::duration(std::chrono::milliseconds(20)));
                     std::this_thread::sleep_for(chunk);
                 }
             }
             if (ts.evalBreaker.load(std::memory_order_relaxed) & ThreadState::AsyncException) {
                 if (!ts.handleEvalBreaker())
                     return Value::error();
             }
             return Value::none();
         })},
        {"time", fn(M, "time", [](ThreadState &, const CallArgs &) {
             return makeFloat(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
         })},
        {"time_ns", fn(M, "time_ns", [](ThreadState &, const CallArgs &) {
             return Value::fromInt(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
         })},
        {"monotonic", fn(M, "monotonic", [](ThreadState &, const CallArgs &) { return makeFloat(monoSeconds()); })},
        {"monotonic_ns", fn(M, "monotonic_ns", [](ThreadState &, const CallArgs &) {
             return Value::fromInt(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
         })},
        {"perf_counter", fn(M, "perf_counter", [](ThreadState &, const CallArgs &) { return makeFloat(monoSeconds()); })},
        {"perf_counter_ns", fn(M, "perf_counter_ns", [](ThreadState &, const CallArgs &) {
             return Value::fromInt(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
         })},
        {"process_time", fn(M, "process_time", [](ThreadState &, const CallArgs &) {
             return makeFloat(static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
         })},
        {"thread_time", fn(M, "thread_time", [](ThreadState &, const CallArgs &) {
             timespec t{};
             clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
             return makeFloat(static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9);
         })},
        {"thread_time_ns", fn(M, "thread_time_ns", [](ThreadState &, const CallArgs &) {
             timespec t{};
             clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
             return Value::fromInt(std::int64_t(t.tv_sec) * 1000000000 + t.tv_nsec);
         })},
    });
}

// ---------------------------------------------------------------- math
Value mathModule(ThreadState &)
{
    const char *M = "math";
    auto unary = [M](const char *name, double (*f)(double)) {
        return std::pair<std::string, Value>(name, fn(M, name, [f, name](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, name, 1, 1))
                return Value::error();
            double x;
            if (!number(ts, a[0], x))
                return Value::error();
            double r = f(x);
            if (std::isnan(r) && !std::isnan(x))
                return ts.raise(types().ValueError, "math domain error");
            return makeFloat(r);
        }));
    };
    std::vector<std::pair<std::string, Value>> attrs = {
        {"pi", makeFloat(M_PI)}, {"e", makeFloat(M_E)}, {"tau", makeFloat(2 * M_PI)},
        {"inf", makeFloat(INFINITY)}, {"nan", makeFloat(NAN)},
        unary("sqrt", std::sqrt), unary("exp", std::exp), unary("sin", std::sin), unary("cos", std::cos),
        unary("tan", std::tan), unary("asin", std::asin), unary("acos", std::acos), unary("atan", std::atan),
        unary("log2", std::log2), unary("log10", std::log10), unary("fabs", std::fabs), unary("sinh", std::sinh),
        unary("cosh", std::cosh), unary("tanh", std::tanh),
    };
    auto toIntResult = [M](const char *name, double (*f)(double)) {
        return std::pair<std::string, Value>(name, fn(M, name, [f, name](ThreadState &ts, const CallArgs &a) -> Value {
            if (!a.checkCount(ts, name, 1, 1))
                return Value::error();
            if (a[0].isSmallInt() || a[0].isBigInt())
                return a[0];
            double x;
            if (!number(ts, a[0], x))
                return Value::error();
            if (std::isinf(x))
                return ts.raise(types().OverflowError, "cannot convert float infinity to integer");
            if (std::isnan(x))
                return ts.raise(types().ValueError, "cannot convert float NaN to integer");
            double r = f(x);
            if (std::fabs(r) < 9e18)
                return Value::fromInt(static_cast<std::int64_t>(r));
            return makeBigInt(std::make_shared<BigInt>(BigInt::fromDouble(r)));
        }));
    };
    attrs.push_back(toIntResult("floor", std::floor));
    attrs.push_back(toIntResult("ceil", std::ceil));
    attrs.push_back(toIntResult("trunc", std::trunc));
    attrs.push_back({"log", fn(M, "log", [](ThreadState &ts, const CallArgs &a) -> Value {
                         if (!a.checkCount(ts, "log", 1, 2))
                             return Value::error();
                         double x, b = M_E;
                         if (!number(ts, a[0], x) || (a.size() > 1 && !number(ts, a[1], b)))
                             return Value::error();
                         if (x <= 0 || b <= 0 || b == 1)
                             return ts.raise(types().ValueError, "math domain error");
                         return makeFloat(a.size() > 1 ? std::log(x) / std::log(b) : std::log(x));
                     })});
    attrs.push_back({"pow", fn(M, "pow", [](ThreadState &ts, const CallArgs &a) -> Value {
                         double x, y;
                         if (!a.checkCount(ts, "pow", 2, 2) || !number(ts, a[0], x) || !number(ts, a[1], y))
                             return Value::error();
                         return makeFloat(std::pow(x, y));
                     })});
    attrs.push_back({"atan2", fn(M, "atan2", [](ThreadState &ts, const CallArgs &a) -> Value {
                         double x, y;
                         if (!a.checkCount(ts, "atan2", 2, 2) || !number(ts, a[0], y) || !number(ts, a[1], x))
                             return Value::error();
                         return makeFloat(std::atan2(y, x));
                     })});
    attrs.push_back({"hypot", fn(M, "hypot", [](ThreadState &ts, const CallArgs &a) -> Value {
                         double s = 0;
                         for (auto &v : a.positional) {
                             double x;
                             if (!number(ts, v, x))
                                 return Value::error();
                             s += x * x;
                         }
                         return makeFloat(std::sqrt(s));
                     })});
    auto floatTest = [M](const char *name, bool (*test)(double)) {
        return std::pair<std::string, Value>(name, fn(M, name, [test, name](ThreadState &ts, const CallArgs &a) -> Value {
            double x;
            if (!a.checkCount(ts, name, 1, 1) || !number(ts, a[0], x))
                return Value::error();
            return Value::fromBool(test(x));
        }));
    };
    attrs.push_back(floatTest("isnan", [](double x) { return std::isnan(x); }));
    attrs.push_back(floatTest("isinf", [](double x) { return std::isinf(x); }));
    attrs.push_back(floatTest("isfinite", [](double x) { return std::isfinite(x); }));
    attrs.push_back({"isclose", fn(M, "isclose", [](ThreadState &ts, const CallArgs &a) -> Value {
                         double x, y;
                         if (!a.checkCount(ts, "isclose", 2, 2) || !number(ts, a[0], x) || !number(ts, a[1], y))
                             return Value::error();
                         double rel = 1e-9, abs = 0.0;
                         Value r = a.keyword("rel_tol"), ab = a.keyword("abs_tol");
                         if (!r.isNotFound())
                             rel = r.asDouble();
                         if (!ab.isNotFound())
                             abs = ab.asDouble();
                         if (x == y)
                             return Value::trueValue();
                         double diff = std::fabs(x - y);
                         return Value::fromBool(diff <= std::fabs(rel * y) || diff <= std::fabs(rel * x) || diff <= abs);
                     })});
    attrs.push_back({"factorial", fn(M, "factorial", [](ThreadState &ts, const CallArgs &a) -> Value {
                         if (!a.checkCount(ts, "factorial", 1, 1))
                             return Value::error();
                         if (!(a[0].isSmallInt() || a[0].isBool()))
                             return ts.raise(types().TypeError, "'" + typeName(a[0]) + "' object cannot be interpreted as an integer");
                         std::int64_t n = a[0].asInt();
                         if (n < 0)
                             return ts.raise(types().ValueError, "factorial() not defined for negative values");
                         BigInt r(1);
                         for (std::int64_t i = 2; i <= n; ++i)
                             r = BigInt::mul(r, BigInt(i));
                         return makeBigInt(std::make_shared<BigInt>(std::move(r)));
                     })});
    attrs.push_back({"gcd", fn(M, "gcd", [](ThreadState &, const CallArgs &a) -> Value {
                         std::int64_t g = 0;
                         for (auto &v : a.positional) {
                             std::int64_t x = std::llabs(v.asInt());
                             while (x) {
                                 std::int64_t t = g % x;
                                 g = x;
                                 x = t;
                             }
                         }
                         return Value::fromInt(g);
                     })});
    attrs.push_back({"fsum", fn(M, "fsum", [](ThreadState &ts, const CallArgs &a) -> Value {
                         std::vector<Value> items;
                         if (!a.checkCount(ts, "fsum", 1, 1) || !collect(ts, a[0], items))
                             return Value::error();
                         long double s = 0;
                         for (auto &v : items)
                             s += v.asDouble();
                         return makeFloat(static_cast<double>(s));
                     })});
    attrs.push_back({"radians", fn(M, "radians", [](ThreadState &, const CallArgs &a) { return makeFloat(a[0].asDouble() * M_PI / 180.0); })});
    attrs.push_back({"degrees", fn(M, "degrees", [](ThreadState &, const CallArgs &a) { return makeFloat(a[0].asDouble() * 180.0 / M_PI); })});
    return makeModule("math", std::move(attrs));
}

// ---------------------------------------------------------------- random (CPython's Mersenne Twister)
struct MT {
    std::uint32_t mt[624];
    int mti = 625;
    void initGenrand(std::uint32_t s)
    {
        mt[0] = s;
        for (mti = 1; mti < 624; mti++)
            mt[mti] = 1812433253u * (mt[mti - 1] ^ (mt[mti - 1] >> 30)) + mti;
    }
    void initByArray(const std::vector<std::uint32_t> &key)
    {
        initGenrand(19650218u);
        std::size_t i = 1, j = 0;
        std::size_t k = std::max<std::size_t>(624, key.size());
        for (; k; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<std::uint32_t>(j);
            i++;
            j++;
            if (i >= 624) {
                mt[0] = mt[623];
                i = 1;
            }
            if (j >= key.size())
                j = 0;
        }
        for (k = 623; k; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - static_cast<std::uint32_t>(i);
            i++;
            if (i >= 624) {
                mt[0] = mt[623];
                i = 1;
            }
        }
        mt[0] = 0x80000000u;
    }
    std::uint32_t genrand()
    {
        static const std::uint32_t mag01[2] = {0x0u, 0x9908b0dfu};
        std::uint32_t y;
        if (mti >= 624) {
            int kk;
            if (mti == 625)
                initGenrand(5489u);
            for (kk = 0; kk < 624 - 397; kk++) {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + 397] ^ (y >> 1) ^ mag01[y & 0x1u];
            }
            for (; kk < 623; kk++) {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + (397 - 624)] ^ (y >> 1) ^ mag01[y & 0x1u];
            }
            y = (mt[623] & 0x80000000u) | (mt[0] & 0x7fffffffu);
            mt[623] = mt[396] ^ (y >> 1) ^ mag01[y & 0x1u];
            mti = 0;
        }
        y = mt[mti++];
        y ^= (y >> 11);
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= (y >> 18);
        return y;
    }
    double random()
    {
        std::uint32_t a = genrand() >> 5, b = genrand() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }
    std::uint64_t getrandbits(int k)
    {
        if (k <= 32)
            return genrand() >> (32 - k);
        std::uint64_t lo = genrand();
        std::uint64_t hi = genrand() >> (64 - k);
        return (hi << 32) | lo;
    }
    std::uint64_t randbelow(std::uint64_t n)
    {
        if (n == 0)
            return 0;
        int k = 0;
        for (std::uint64_t x = n; x; x >>= 1)
            ++k;
        std::uint64_t r = getrandbits(k);
        while (r >= n)
            r = getrandbits(k);
        return r;
    }
};

Value randomModule(ThreadState &)
{
    auto state = std::make_shared<MT>();
    auto mutex = std::make_shared<std::mutex>();
    {
        std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^ static_cast<std::uint64_t>(getpid());
        state->initByArray({static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
    }
    const char *M = "random";
    auto seedFn = [state, mutex](ThreadState &ts, const CallArgs &a) -> Value {
        std::lock_guard<std::mutex> lock(*mutex);
        if (a.size() == 0 || a[0].isNone()) {
            std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
            state->initByArray({static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
            return Value::none();
        }
        const Value &s = a[0];
        BigInt b;
        if (s.isSmallInt() || s.isBool())
            b = BigInt(s.asInt());
        else if (s.isBigInt())
            b = *s.as<BigIntObject>()->value;
        else if (s.isStr() || s.isFloat()) {
            std::size_t h;
            if (!hashValue(ts, s, h))
                return Value::error();
            b = BigInt(static_cast<std::int64_t>(h & 0x7fffffffffffffffULL));
        } else {
            return ts.raise(types().TypeError, "The only supported seed types are: None, int, float, str, bytes, and bytearray.");
        }
        if (b.isNegative())
            b = b.negated();
        std::vector<std::uint32_t> key;
        BigInt x = b;
        while (!x.isZero()) {
            BigInt q, r;
            BigInt::divmod(x, BigInt(std::int64_t(1) << 32), q, r);
            key.push_back(static_cast<std::uint32_t>(r.toInt64()));
            x = q;
        }
        if (key.empty())
            key.push_back(0);
        state->initByArray(key);
        return Value::none();
    };
    auto intArg = [](ThreadState &ts, const Value &v, std::int64_t &out) {
        if (!(v.isSmallInt() || v.isBool())) {
            ts.raise(types().TypeError, "'" + typeName(v) + "' object cannot be interpreted as an integer");
            return false;
        }
        out = v.asInt();
        return true;
    };
    return makeModule("random", {
        {"seed", fn(M, "seed", seedFn)},
        {"random", fn(M, "random", [state, mutex](ThreadState &, const CallArgs &) {
             std::lock_guard<std::mutex> lock(*mutex);
             return makeFloat(state->random());
         })},
        {"uniform", fn(M, "uniform", [state, mutex](ThreadState &ts, const CallArgs &a) -> Value {
             double x, y;
             if (!a.checkCount(ts, "uniform", 2, 2) || !number(ts, a[0], x) || !number(ts, a[1], y))
                 return Value::error();
             std::lock_guard<std::mutex> lock(*mutex);
             return makeFloat(x + (y - x) * state->random());
         })},
        {"randint", fn(M, "randint", [state, mutex, intArg](ThreadState &ts, const CallArgs &a) -> Value {
             std::int64_t x, y;
             if (!a.checkCount(ts, "randint", 2, 2) || !intArg(ts, a[0], x) || !intArg(ts, a[1], y))
                 return Value::error();
             if (y < x)
                 return ts.raise(types().ValueError, "empty range for randrange() (" + std::to_string(x) + ", " + std::to_string(y + 1) + ", " + std::to_string(y + 1 - x) + ")");
             std::lock_guard<std::mutex> lock(*mutex);
             return Value::fromInt(x + static_cast<std::int64_t>(state->randbelow(static_cast<std::uint64_t>(y - x + 1))));
         })},
        {"randrange", fn(M, "randrange", [state, mutex, intArg](ThreadState &ts, const CallArgs &a) -> Value {
             std::int64_t start = 0, stop, step = 1;
             if (!a.checkCount(ts, "randrange", 1, 3))
                 return Value::error();
             if (a.size() == 1) {
                 if (!intArg(ts, a[0], stop))
                     return Value::error();
             } else if (!intArg(ts, a[0], start) || !intArg(ts, a[1], stop) || (a.size() > 2 && !intArg(ts, a[2], step)))
                 return Value::error();
             std::int64_t n = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / (-step);
             if (n <= 0)
                 return ts.raise(types().ValueError, "empty range for randrange()");
             std::lock_guard<std::mutex> lock(*mutex);
             return Value::fromInt(start + step * static_cast<std::int64_t>(state->randbelow(static_cast<std::uint64_t>(n))));
         })},
        {"choice", fn(M, "choice", [state, mutex](ThreadState &ts, const CallArgs &a) -> Value {
             std::vector<Value> items;
             if (!a.checkCount(ts, "choice", 1, 1) || !collect(ts, a[0], items))
                 return Value::error();
             if (items.empty())
                 return ts.raise(types().IndexError, "Cannot choose from an empty sequence");
             std::lock_guard<std::mutex> lock(*mutex);
             return items[state->randbelow(items.size())];
         })},
        {"shuffle", fn(M, "shuffle", [state, mutex](ThreadState &ts, const CallArgs &a) -> Value {
             if (!a.checkCount(ts, "shuffle", 1, 1))
                 return Value::error();
             if (!a[0].isList())
                 return ts.raise(types().TypeError, "shuffle() requires a list");
             auto *l = a[0].as<ListObject>();
             std::lock_guard<std::mutex> lock(*mutex);
             ContainerGuard g(l->lock);
             for (std::size_t i = l->items.size(); i-- > 1;) {
                 std::size_t j = state->randbelow(i + 1);
                 std::swap(l->items[i], l->items[j]);
             }
             return Value::none();
         })},
        {"sample", fn(M, "sample", [state, mutex](ThreadState &ts, const CallArgs &a) -> Value {
             std::vector<Value> pool;
             if (!a.checkCount(ts, "sample", 2, 2) || !collect(ts, a[0], pool))
                 return Value::error();
             std::int64_t k = a[1].asInt();
             if (k < 0 || k > static_cast<std::int64_t>(pool.size()))
                 return ts.raise(types().ValueError, "Sample larger than population or is negative");
             std::lock_guard<std::mutex> lock(*mutex);
             std::vector<Value> out;
             std::size_t n = pool.size();
             for (std::int64_t i = 0; i < k; ++i) {
                 std::size_t j = state->randbelow(n - i);
                 out.push_back(pool[j]);
                 pool[j] = pool[n - i - 1];
             }
             return makeList(std::move(out));
         })},
        {"getrandbits", fn(M, "getrandbits", [state, mutex](ThreadState &, const CallArgs &a) -> Value {
             std::lock_guard<std::mutex> lock(*mutex);
             int k = static_cast<int>(std::clamp<std::int64_t>(a[0].asInt(), 0, 62));
             return Value::fromInt(static_cast<std::int64_t>(state->getrandbits(k)));
         })},
    });
}

} // namespace

Value jsonModule(ThreadState &ts);      // json.cpp
Value functoolsModule(ThreadState &ts); // json.cpp

// ---------------------------------------------------------------- sys streams
static Value streamType()
{
    static Value t = [] {
        NativeTypeSpec spec;
        spec.name = "TextIOWrapper";
        spec.module = "_io";
        spec.methods.push_back({"write", [](ThreadState &ts, const CallArgs &a) -> Value {
                                    if (a.size() != 2 || !a[1].isStr())
                                        return ts.raise(types().TypeError, "write() argument must be str, not " + (a.size() > 1 ? typeName(a[1]) : std::string("nothing")));
                                    bool err = a[0].as<NativeObject>()->attrs.getStr("_stderr").isTrueConst();
                                    ts.interpreter().write(ts, a[1].asString(), err);
                                    return Value::fromInt(static_cast<std::int64_t>(a[1].as<StrObject>()->length()));
                                }});
        spec.methods.push_back({"flush", [](ThreadState &ts, const CallArgs &a) -> Value {
                                    (void)a;
                                    if (!ts.interpreter().options().output)
                                        std::fflush(stdout);
                                    return Value::none();
                                }});
        spec.methods.push_back({"isatty", [](ThreadState &, const CallArgs &) { return Value::falseValue(); }});
        Value v = makeNativeType(std::move(spec));
        v.ptr()->makeImmortal();
        return v;
    }();
    return t;
}

Value streamObject(ThreadState &, bool isStderr)
{
    auto *o = new NativeObject(streamType().as<TypeObject>());
    Value v(o);
    o->attrs.setStr("_stderr", Value::fromBool(isStderr));
    return v;
}

int streamKind(const Value &v)
{
    if (!v.isKind(ObjKind::Native) || v.type() != streamType().as<TypeObject>())
        return 0;
    return v.as<NativeObject>()->attrs.getStr("_stderr").isTrueConst() ? 2 : 1;
}

static Value sysModule(ThreadState &ts)
{
    Interpreter &interp = ts.interpreter();
    std::vector<Value> argv;
    for (auto &a : interp.options().argv)
        argv.push_back(makeStr(a));
    if (argv.empty())
        argv.push_back(makeStr(""));
    const char *M = "sys";
    return makeModule("sys", {
        {"argv", makeList(std::move(argv))},
        {"stdout", streamObject(ts, false)},
        {"stderr", streamObject(ts, true)},
        {"version", makeStr("3.11.2 (loopscope)")},
        {"version_info", makeTuple({Value::smallInt(3), Value::smallInt(11), Value::smallInt(2), makeStr("final"), Value::smallInt(0)})},
        {"platform", makeStr("linux")},
        {"maxsize", Value::fromInt(INT64_MAX)},
        {"byteorder", makeStr("little")},
        {"implementation", makeStr("loopscope")},
        {"modules", makeDict()},
        {"getswitchinterval", fn(M, "getswitchinterval", [](ThreadState &ts, const CallArgs &) {
             Gil *g = ts.interpreter().gil();
             return makeFloat(g ? g->switchInterval() : ts.interpreter().options().switchIntervalSeconds);
         })},
        {"setswitchinterval", fn(M, "setswitchinterval", [](ThreadState &ts, const CallArgs &a) -> Value {
             double s;
             if (!a.checkCount(ts, "setswitchinterval", 1, 1) || !number(ts, a[0], s))
                 return Value::error();
             if (s <= 0)
                 return ts.raise(types().ValueError, "switch interval must be strictly positive");
             if (Gil *g = ts.interpreter().gil())
                 g->setSwitchInterval(s);
             return Value::none();
         })},
        {"getrecursionlimit", fn(M, "getrecursionlimit", [](ThreadState &ts, const CallArgs &) { return Value::fromInt(ts.interpreter().recursionLimit()); })},
        {"setrecursionlimit", fn(M, "setrecursionlimit", [](ThreadState &ts, const CallArgs &a) -> Value {
             if (!a.checkCount(ts, "setrecursionlimit", 1, 1))
                 return Value::error();
             std::int64_t n = a[0].asInt();
             if (n < 1)
                 return ts.raise(types().ValueError, "recursion limit must be greater or equal than 1");
             ts.interpreter().setRecursionLimit(static_cast<int>(std::min<std::int64_t>(n, 1000000)));
             return Value::none();
         })},
        {"exit", fn(M, "exit", [](ThreadState &ts, const CallArgs &a) -> Value {
             Value e = makeException(types().SystemExit, "");
             if (a.size() > 0)
                 e.as<ExceptionObject>()->args = makeTuple({a[0]});
             return ts.raise(e);
         })},
        {"getrefcount", fn(M, "getrefcount", [](ThreadState &, const CallArgs &a) {
             return Value::fromInt(a.size() && a[0].isObject() ? a[0].ptr()->refcount() : 1);
         })},
        {"exc_info", fn(M, "exc_info", [](ThreadState &ts, const CallArgs &) {
             Value h = ts.handledException();
             if (h.isNone())
                 return makeTuple({Value::none(), Value::none(), Value::none()});
             return makeTuple({typeValue(h.type()), h, Value::none()});
         })},
        {"is_finalizing", fn(M, "is_finalizing", [](ThreadState &, const CallArgs &) { return Value::falseValue(); })},
        {"_is_gil_enabled", fn(M, "_is_gil_enabled", [](ThreadState &ts, const CallArgs &) { return Value::fromBool(ts.interpreter().gil() != nullptr); })},
    });
}

namespace {

// How typing shows a type argument: builtins and None by name, the rest by repr.
std::string typeArgs(ThreadState &ts, const Value &args, const char *separator)
{
    std::string text;
    const auto &items = args.as<TupleObject>()->items;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            text += separator;
        const TypeObject *t = items[i].isType() ? items[i].as<TypeObject>() : nullptr;
        if (!t || t->isUserClass)
            text += repr(ts, items[i]);
        else
            text += t == types().none ? "None" : t->name;
    }
    return text;
}

Value typingObjectType(const char *name, std::function<std::string(ThreadState &, const Value &)> repr)
{
    NativeTypeSpec spec;
    spec.name = name;
    spec.module = "types";
    spec.hooks.repr = std::move(repr);
    Value t = makeNativeType(std::move(spec));
    t.ptr()->makeImmortal();
    return t;
}

Value genericAliasType()
{
    static Value type = typingObjectType("GenericAlias", [](ThreadState &ts, const Value &self) {
        const auto &attrs = self.as<NativeObject>()->attrs;
        const std::string origin = attrs.getStr("_typing").isTrueConst() ? "typing.List"
                                                                        : attrs.getStr("__origin__").as<TypeObject>()->name;
        return origin + "[" + typeArgs(ts, attrs.getStr("__args__"), ", ") + "]";
    });
    return type;
}

Value unionType()
{
    static Value type = typingObjectType("UnionType", [](ThreadState &ts, const Value &self) {
        return typeArgs(ts, self.as<NativeObject>()->attrs.getStr("__args__"), " | ");
    });
    return type;
}

} // namespace

Value makeUnionType(std::vector<Value> args)
{
    std::vector<Value> flat;
    auto add = [&flat](const Value &v) {
        for (const Value &f : flat)
            if (f.is(v))
                return;
        flat.push_back(v);
    };
    for (const Value &a : args) {
        std::vector<Value> inner;
        if (a.isNone()) {
            add(typeValue(types().none)); // as NoneType, as CPython keeps it
        } else if (unionArgs(a, &inner)) {
            for (const Value &i : inner)
                add(i);
        } else {
            add(a);
        }
    }
    if (flat.size() == 1)
        return flat[0]; // int | int is int
    auto *o = new NativeObject(unionType().as<TypeObject>());
    Value v(o);
    o->attrs.setStr("__args__", makeTuple(std::move(flat)));
    return v;
}

bool unionArgs(const Value &v, std::vector<Value> *args)
{
    if (!v.isObject() || v.ptr()->type() != unionType().as<TypeObject>())
        return false;
    if (args)
        *args = v.as<NativeObject>()->attrs.getStr("__args__").as<TupleObject>()->items;
    return true;
}

Value makeGenericAlias(const Value &origin, const Value &args, bool typingForm)
{
    auto *o = new NativeObject(genericAliasType().as<TypeObject>());
    Value v(o);
    o->attrs.setStr("__origin__", origin);
    o->attrs.setStr("__args__", args.isTuple() ? args : makeTuple({args}));
    o->attrs.setStr("_typing", Value::fromBool(typingForm));
    return v;
}

bool genericAlias(const Value &v, Value *origin, Value *args)
{
    if (!v.isObject() || v.ptr()->type() != genericAliasType().as<TypeObject>())
        return false;
    const auto &attrs = v.as<NativeObject>()->attrs;
    if (origin)
        *origin = attrs.getStr("__origin__");
    if (args)
        *args = attrs.getStr("__args__");
    return true;
}

static Value typingModule(ThreadState &)
{
    // Markers: subscripting gives the origin type (Optional[int] -> int, List[int] -> list).
    NativeTypeSpec spec;
    spec.name = "_SpecialForm";
    spec.module = "typing";
    spec.methods.push_back({"__getitem__", [](ThreadState &, const CallArgs &a) -> Value {
                                Value origin = a[0].as<NativeObject>()->attrs.getStr("__origin__");
                                Value name = a[0].as<NativeObject>()->attrs.getStr("_name");
                                if (name.isStr() && name.asString() == "Optional")
                                    return makeUnionType({a[1], Value::none()}); // X | None
                                if (name.isStr() && name.asString() == "Union")
                                    return a[1].isTuple() ? makeUnionType(a[1].as<TupleObject>()->items) : a[1];
                                if (origin.isNotFound() || origin.isNone()) {
                                    // Union[X, ...], Annotated[X, ...]: the first argument
                                    if (a[1].isTuple() && !a[1].as<TupleObject>()->items.empty())
                                        return a[1].as<TupleObject>()->items[0];
                                    return a[1];
                                }
                                if (origin.is(typeValue(types().list)))
                                    return makeGenericAlias(origin, a[1], true);
                                return origin;
                            }});
    spec.methods.push_back({"__call__", [](ThreadState &, const CallArgs &a) -> Value { return a.size() > 1 ? a[1] : Value::none(); }});
    spec.hooks.repr = [](ThreadState &, const Value &self) {
        Value n = self.as<NativeObject>()->attrs.getStr("_name");
        return "typing." + (n.isStr() ? n.asString() : std::string("?"));
    };
    static Value formType = [&] {
        Value t = makeNativeType(std::move(spec));
        t.ptr()->makeImmortal();
        return t;
    }();
    auto form = [](const char *name, Value origin) {
        auto *o = new NativeObject(formType.as<TypeObject>());
        Value v(o);
        o->attrs.setStr("_name", makeStr(name));
        o->attrs.setStr("__origin__", origin);
        return v;
    };
    const CoreTypes &t = types();
    return makeModule("typing", {
        {"Optional", form("Optional", Value::none())},
        {"Union", form("Union", Value::none())},
        {"Annotated", form("Annotated", Value::none())},
        {"Any", form("Any", Value::none())},
        {"List", form("List", typeValue(t.list))},
        {"Dict", form("Dict", typeValue(t.dict))},
        {"Tuple", form("Tuple", typeValue(t.tuple))},
        {"Set", form("Set", typeValue(t.set))},
        {"Callable", form("Callable", Value::none())},
        {"Iterator", form("Iterator", Value::none())},
        {"Iterable", form("Iterable", Value::none())},
        {"Generator", form("Generator", Value::none())},
        {"AsyncIterator", form("AsyncIterator", Value::none())},
        {"AsyncGenerator", form("AsyncGenerator", Value::none())},
        {"Awaitable", form("Awaitable", Value::none())},
        {"Coroutine", form("Coroutine", Value::none())},
        {"TYPE_CHECKING", Value::falseValue()},
        {"cast", makeNativeFunction("cast", [](ThreadState &, const CallArgs &a) { return a.size() > 1 ? a[1] : Value::none(); })},
    });
}

static Value threadingModule(ThreadState &)
{
    const char *M = "threading";
    NativeTypeSpec thr;
    thr.name = "Thread";
    thr.module = "threading";
    thr.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
        if (name == "name")
            return self.as<NativeObject>()->attrs.getStr("_name");
        if (name == "ident" || name == "native_id")
            return self.as<NativeObject>()->attrs.getStr("_ident");
        if (name == "daemon")
            return Value::falseValue();
        return Value::notFound();
    };
    thr.hooks.repr = [](ThreadState &, const Value &self) {
        Value n = self.as<NativeObject>()->attrs.getStr("_name");
        return "<_MainThread(" + (n.isStr() ? n.asString() : std::string("?")) + ", started)>";
    };
    static Value threadType = [&] {
        Value t = makeNativeType(std::move(thr));
        t.ptr()->makeImmortal();
        return t;
    }();
    NativeTypeSpec lock;
    lock.name = "lock";
    lock.module = "_thread";
    struct LockState {
        std::mutex m;
    };
    lock.construct = nullptr;
    lock.methods.push_back({"acquire", [](ThreadState &ts, const CallArgs &a) -> Value {
                                auto *o = a[0].as<NativeObject>();
                                Value blocking = a.arg(1, "blocking");
                                bool block = blocking.isNotFound() || blocking.asBool();
                                // a lock is a flag under the GIL; waiting releases it
                                for (;;) {
                                    Value held = o->attrs.getStr("_held");
                                    if (!held.isTrueConst()) {
                                        o->attrs.setStr("_held", Value::trueValue());
                                        return Value::trueValue();
                                    }
                                    if (!block)
                                        return Value::falseValue();
                                    GilRelease unlock(ts, "threading.Lock.acquire");
                                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                                }
                            }});
    lock.methods.push_back({"release", [](ThreadState &ts, const CallArgs &a) -> Value {
                                auto *o = a[0].as<NativeObject>();
                                if (!o->attrs.getStr("_held").isTrueConst())
                                    return ts.raise(types().RuntimeError, "release unlocked lock");
                                o->attrs.setStr("_held", Value::falseValue());
                                return Value::none();
                            }});
    lock.methods.push_back({"locked", [](ThreadState &, const CallArgs &a) { return Value::fromBool(a[0].as<NativeObject>()->attrs.getStr("_held").isTrueConst()); }});
    lock.methods.push_back({"__enter__", [](ThreadState &ts, const CallArgs &a) -> Value { return callMethod(ts, a[0], "acquire", {}); }});
    lock.methods.push_back({"__exit__", [](ThreadState &ts, const CallArgs &a) -> Value {
                                Value r = callMethod(ts, a[0], "release", {});
                                return r.isError() ? r : Value::falseValue();
                            }});
    static Value lockType = [&] {
        Value t = makeNativeType(std::move(lock));
        t.ptr()->makeImmortal();
        return t;
    }();
    auto makeLock = [](ThreadState &, const CallArgs &) -> Value {
        auto *o = new NativeObject(lockType.as<TypeObject>());
        Value v(o);
        o->attrs.setStr("_held", Value::falseValue());
        return v;
    };
    return makeModule("threading", {
        {"current_thread", fn(M, "current_thread", [](ThreadState &ts, const CallArgs &) {
             auto *o = new NativeObject(threadType.as<TypeObject>());
             Value v(o);
             o->attrs.setStr("_name", makeStr(ts.name()));
             o->attrs.setStr("_ident", Value::fromInt(static_cast<std::int64_t>(ts.ident() & 0x3fffffffffffffffULL)));
             return v;
         })},
        {"get_ident", fn(M, "get_ident", [](ThreadState &ts, const CallArgs &) { return Value::fromInt(static_cast<std::int64_t>(ts.ident() & 0x3fffffffffffffffULL)); })},
        {"get_native_id", fn(M, "get_native_id", [](ThreadState &ts, const CallArgs &) { return Value::fromInt(static_cast<std::int64_t>(ts.ident() & 0x3fffffffffffffffULL)); })},
        {"active_count", fn(M, "active_count", [](ThreadState &ts, const CallArgs &) { return Value::fromInt(static_cast<std::int64_t>(ts.interpreter().threads().size())); })},
        {"Lock", fn(M, "Lock", makeLock)},
        {"RLock", fn(M, "RLock", makeLock)},
    });
}

static Value osModule(ThreadState &)
{
    const char *M = "os";
    NativeTypeSpec env;
    env.name = "_Environ";
    env.module = "os";
    env.methods.push_back({"get", [](ThreadState &ts, const CallArgs &a) -> Value {
                               if (!a.checkCount(ts, "get", 2, 3))
                                   return Value::error();
                               if (!a[1].isStr())
                                   return ts.raise(types().TypeError, "str expected, not " + typeName(a[1]));
                               const char *v = std::getenv(a[1].asString().c_str());
                               if (!v)
                                   return a.size() > 2 ? a[2] : Value::none();
                               return makeStr(v);
                           }});
    env.methods.push_back({"__getitem__", [](ThreadState &ts, const CallArgs &a) -> Value {
                               const char *v = a[1].isStr() ? std::getenv(a[1].asString().c_str()) : nullptr;
                               if (!v) {
                                   Value exc = makeException(types().KeyError, "");
                                   exc.as<ExceptionObject>()->args = makeTuple({a[1]});
                                   return ts.raise(exc);
                               }
                               return makeStr(v);
                           }});
    env.methods.push_back({"__contains__", [](ThreadState &, const CallArgs &a) {
                               return Value::fromBool(a[1].isStr() && std::getenv(a[1].asString().c_str()));
                           }});
    static Value envType = [&] {
        Value t = makeNativeType(std::move(env));
        t.ptr()->makeImmortal();
        return t;
    }();
    Value environ(new NativeObject(envType.as<TypeObject>()));
    return makeModule("os", {
        {"getpid", fn(M, "getpid", [](ThreadState &, const CallArgs &) { return Value::fromInt(getpid()); })},
        {"cpu_count", fn(M, "cpu_count", [](ThreadState &ts, const CallArgs &) { return Value::fromInt(ts.interpreter().options().cpuCount); })},
        {"getenv", fn(M, "getenv", [](ThreadState &, const CallArgs &a) -> Value {
             const char *v = a.size() && a[0].isStr() ? std::getenv(a[0].asString().c_str()) : nullptr;
             if (!v)
                 return a.size() > 1 ? a[1] : Value::none();
             return makeStr(v);
         })},
        {"environ", environ},
        {"sep", makeStr("/")},
        {"linesep", makeStr("\n")},
        {"name", makeStr("posix")},
    });
}

// The exception groups (exception_groups.py, compiled in), imported by the first lookup
// of ExceptionGroup or BaseExceptionGroup (vm.cpp), which then finds them in builtins.
static Value exceptionGroupsModule(ThreadState &ts)
{
    Interpreter &interp = ts.interpreter();
    Value module = makeModule("_exceptiongroups");
    interp.addModule("_exceptiongroups", module); // the run below fills this same module
    moduleSet(module, "__builtins__", interp.builtinsDict());
    if (interp.runBundledModule(ts, kExceptionGroupsSource, "_exceptiongroups").isError())
        return Value::error();
    const DictObject *globals = module.as<ModuleObject>()->dict.as<DictObject>();
    for (const char *name : {"BaseExceptionGroup", "ExceptionGroup"})
        interp.builtinsRaw()->setStr(name, globals->getStr(name));
    return module;
}

static Value tracebackModule(ThreadState &)
{
    const char *M = "traceback";
    auto current = [](ThreadState &ts, const CallArgs &a) -> Value {
        Value e = a.size() ? a[0] : a.keyword("exc");
        if (e.isNotFound() || e.isNone())
            e = ts.handledException();
        return e;
    };
    auto formatted = [current](ThreadState &ts, const CallArgs &a) -> std::string {
        Value e = current(ts, a);
        if (e.isNone())
            return "NoneType: None\n";
        return formatException(ts, e);
    };
    return makeModule("traceback", {
        {"format_exc", fn(M, "format_exc", [formatted](ThreadState &ts, const CallArgs &a) { return makeStr(formatted(ts, a)); })},
        {"print_exc", fn(M, "print_exc", [formatted](ThreadState &ts, const CallArgs &a) {
             ts.interpreter().write(ts, formatted(ts, a), true);
             return Value::none();
         })},
        {"print_exception", fn(M, "print_exception", [formatted](ThreadState &ts, const CallArgs &a) {
             ts.interpreter().write(ts, formatted(ts, a), true);
             return Value::none();
         })},
        {"format_exception", fn(M, "format_exception", [formatted](ThreadState &ts, const CallArgs &a) {
             return makeList({makeStr(formatted(ts, a))});
         })},
    });
}

// logging: loggers with levels; without basicConfig() warnings and above print the bare
// message to stderr (the "last resort" handler), after basicConfig() "LEVEL:name:message".
static Value loggingModule(ThreadState &)
{
    struct State {
        std::mutex m;
        bool configured = false;
        int rootLevel = 30;
    };
    auto st = std::make_shared<State>();
    static const char *levelNames[] = {"NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
    auto levelName = [](std::int64_t lvl) -> std::string {
        if (lvl % 10 == 0 && lvl >= 0 && lvl <= 50)
            return levelNames[lvl / 10];
        return "Level " + std::to_string(lvl);
    };
    auto emit = [st, levelName](ThreadState &ts, const std::string &name, std::int64_t loggerLevel, std::int64_t level,
                                const CallArgs &a, std::size_t first, bool withExc) -> Value {
        int effective;
        bool configured;
        {
            std::lock_guard<std::mutex> lock(st->m);
            effective = loggerLevel > 0 ? static_cast<int>(loggerLevel) : st->rootLevel;
            configured = st->configured;
        }
        if (level < effective)
            return Value::none();
        if (a.size() <= first)
            return ts.raise(types().TypeError, "missing 1 required positional argument: 'msg'");
        Value msgV = strValue(ts, a[first]);
        if (msgV.isError())
            return msgV;
        std::string msg = msgV.asString();
        if (a.size() > first + 1) {
            std::vector<Value> rest(a.positional.begin() + first + 1, a.positional.end());
            Value args = rest.size() == 1 && rest[0].isDict() ? rest[0] : makeTuple(std::move(rest));
            Value f = percentFormat(ts, msg, args);
            if (f.isError())
                return f;
            msg = f.asString();
        }
        std::string line = configured ? levelName(level) + ":" + name + ":" + msg : msg;
        line += "\n";
        Value exc = withExc ? ts.handledException() : Value::none();
        if (!exc.isNone())
            line += formatException(ts, exc);
        ts.interpreter().write(ts, line, true);
        return Value::none();
    };
    NativeTypeSpec spec;
    spec.name = "Logger";
    spec.module = "logging";
    auto method = [emit](std::int64_t level, bool withExc) {
        return [emit, level, withExc](ThreadState &ts, const CallArgs &a) -> Value {
            auto *o = a[0].as<NativeObject>();
            return emit(ts, o->attrs.getStr("name").asString(), o->attrs.getStr("level").asInt(), level, a, 1, withExc);
        };
    };
    spec.methods.push_back({"debug", method(10, false)});
    spec.methods.push_back({"info", method(20, false)});
    spec.methods.push_back({"warning", method(30, false)});
    spec.methods.push_back({"warn", method(30, false)});
    spec.methods.push_back({"error", method(40, false)});
    spec.methods.push_back({"exception", method(40, true)});
    spec.methods.push_back({"critical", method(50, false)});
    spec.methods.push_back({"setLevel", [](ThreadState &, const CallArgs &a) -> Value {
                                a[0].as<NativeObject>()->attrs.setStr("level", a.size() > 1 ? a[1] : Value::smallInt(0));
                                return Value::none();
                            }});
    spec.methods.push_back({"addHandler", [](ThreadState &, const CallArgs &) { return Value::none(); }});
    spec.methods.push_back({"isEnabledFor", [st](ThreadState &, const CallArgs &a) -> Value {
                                std::int64_t lvl = a[0].as<NativeObject>()->attrs.getStr("level").asInt();
                                std::lock_guard<std::mutex> lock(st->m);
                                return Value::fromBool(a.size() > 1 && a[1].asInt() >= (lvl > 0 ? lvl : st->rootLevel));
                            }});
    Value loggerType = makeNativeType(std::move(spec));
    auto loggers = std::make_shared<std::map<std::string, Value>>();
    auto getLogger = [loggerType, loggers, st](ThreadState &, const CallArgs &a) -> Value {
        std::string name = a.size() && a[0].isStr() ? a[0].asString() : "root";
        std::lock_guard<std::mutex> lock(st->m);
        auto it = loggers->find(name);
        if (it != loggers->end())
            return it->second;
        auto *o = new NativeObject(loggerType.as<TypeObject>());
        Value v(o);
        o->attrs.setStr("name", makeStr(name));
        o->attrs.setStr("level", Value::smallInt(0));
        (*loggers)[name] = v;
        return v;
    };
    auto rootCall = [emit, st](std::int64_t level, bool withExc) {
        return [emit, st, level, withExc](ThreadState &ts, const CallArgs &a) {
            {
                // module-level helpers configure the root logger on first use, as CPython's do
                std::lock_guard<std::mutex> lock(st->m);
                st->configured = true;
            }
            return emit(ts, "root", 0, level, a, 0, withExc);
        };
    };
    const char *M = "logging";
    return makeModule("logging", {
        {"DEBUG", Value::smallInt(10)}, {"INFO", Value::smallInt(20)}, {"WARNING", Value::smallInt(30)},
        {"ERROR", Value::smallInt(40)}, {"CRITICAL", Value::smallInt(50)}, {"NOTSET", Value::smallInt(0)},
        {"Logger", loggerType},
        {"getLogger", fn(M, "getLogger", getLogger)},
        {"basicConfig", fn(M, "basicConfig", [st](ThreadState &, const CallArgs &a) -> Value {
             std::lock_guard<std::mutex> lock(st->m);
             if (st->configured)
                 return Value::none(); // the root logger already has a handler
             st->configured = true;
             Value lvl = a.keyword("level");
             if (lvl.isSmallInt())
                 st->rootLevel = static_cast<int>(lvl.smallValue());
             return Value::none();
         })},
        {"debug", fn(M, "debug", rootCall(10, false))},
        {"info", fn(M, "info", rootCall(20, false))},
        {"warning", fn(M, "warning", rootCall(30, false))},
        {"error", fn(M, "error", rootCall(40, false))},
        {"exception", fn(M, "exception", rootCall(40, true))},
        {"critical", fn(M, "critical", rootCall(50, false))},
    });
}

// dataclasses.dataclass: __init__, __repr__ and __eq__ from the class annotations.
static Value applyDataclass(ThreadState &ts, const Value &cls)
{
    if (!cls.isType())
        return ts.raise(types().TypeError, "dataclass() should be called on a class");
    auto *t = cls.as<TypeObject>();
    struct Field {
        std::string name;
        Value dflt;    // notFound(): required
        Value factory; // default_factory, called per instance
    };
    auto fields = std::make_shared<std::vector<Field>>();
    // base dataclasses first
    std::vector<TypeObject *> chain;
    for (TypeObject *x = t; x && x->isUserClass; x = x->base)
        chain.insert(chain.begin(), x);
    for (TypeObject *x : chain) {
        Value ann = x->dict.as<DictObject>()->getStr("__annotations__");
        if (!ann.isDict())
            continue;
        for (auto &kv : ann.as<DictObject>()->items()) {
            std::string n = kv.first.asString();
            Value d = x->dict.as<DictObject>()->getStr(n);
            Value factory = Value::none();
            if (d.isKind(ObjKind::Native) && d.type()->name == "_DefaultFactory") {
                factory = d.as<NativeObject>()->attrs.getStr("factory");
                d = Value::none();
                x->dict.as<DictObject>()->setStr(n, Value::none());
            }
            bool replaced = false;
            for (auto &f : *fields)
                if (f.name == n) {
                    f.dflt = d;
                    f.factory = factory;
                    replaced = true;
                }
            if (!replaced)
                fields->push_back(Field{n, d, factory});
        }
    }
    bool seenDefault = false;
    for (auto &f : *fields) {
        if (!f.dflt.isNotFound())
            seenDefault = true;
        else if (seenDefault)
            return ts.raise(types().TypeError, "non-default argument '" + f.name + "' follows default argument");
    }
    std::string clsName = t->name;
    auto dict = t->dict.as<DictObject>();
    if (dict->getStr("__init__").isNotFound())
        dict->setStr("__init__", makeNativeFunction("__init__", [fields, clsName](ThreadState &ts, const CallArgs &a) -> Value {
            std::size_t npos = a.size() - 1;
            if (npos > fields->size())
                return ts.raise(types().TypeError, clsName + ".__init__() takes " + std::to_string(fields->size() + 1) +
                                                       " positional arguments but " + std::to_string(npos + 1) + " were given");
            std::vector<Value> vals(fields->size(), Value::notFound());
            for (std::size_t i = 0; i < npos; ++i)
                vals[i] = a[i + 1];
            for (auto &k : a.keywords) {
                bool found = false;
                for (std::size_t i = 0; i < fields->size(); ++i)
                    if ((*fields)[i].name == k.name) {
                        if (!vals[i].isNotFound())
                            return ts.raise(types().TypeError, clsName + ".__init__() got multiple values for argument '" + std::string(k.name) + "'");
                        vals[i] = k.value;
                        found = true;
                    }
                if (!found)
                    return ts.raise(types().TypeError, clsName + ".__init__() got an unexpected keyword argument '" + std::string(k.name) + "'");
            }
            std::vector<std::string> missing;
            for (std::size_t i = 0; i < fields->size(); ++i) {
                if (vals[i].isNotFound()) {
                    if ((*fields)[i].dflt.isNotFound())
                        missing.push_back((*fields)[i].name);
                    else if (!(*fields)[i].factory.isNone()) {
                        vals[i] = call(ts, (*fields)[i].factory, {});
                        if (vals[i].isError())
                            return Value::error();
                    } else
                        vals[i] = (*fields)[i].dflt;
                }
            }
            if (!missing.empty()) {
                std::string list;
                for (std::size_t k = 0; k < missing.size(); ++k)
                    list += (k ? (missing.size() == 2 ? " and " : (k + 1 == missing.size() ? ", and " : ", ")) : "") + ("'" + missing[k] + "'");
                return ts.raise(types().TypeError, clsName + ".__init__() missing " + std::to_string(missing.size()) +
                                                       " required positional argument" + (missing.size() == 1 ? "" : "s") + ": " + list);
            }
            for (std::size_t i = 0; i < fields->size(); ++i)
                if (!setAttr(ts, a[0], (*fields)[i].name, vals[i]))
                    return Value::error();
            Value post = a[0].type()->lookup("__post_init__");
            if (!post.isNotFound() && call(ts, post, {a[0]}).isError())
                return Value::error();
            return Value::none();
        }, clsName + ".__init__"));
    if (dict->getStr("__repr__").isNotFound())
        dict->setStr("__repr__", makeNativeFunction("__repr__", [fields](ThreadState &ts, const CallArgs &a) -> Value {
            std::string out = a[0].type()->name + "(";
            for (std::size_t i = 0; i < fields->size(); ++i) {
                Value v = getAttr(ts, a[0], (*fields)[i].name);
                if (v.isError())
                    return v;
                bool ok;
                std::string r = repr(ts, v, &ok);
                if (!ok)
                    return Value::error();
                out += (i ? ", " : "") + (*fields)[i].name + "=" + r;
            }
            return makeStr(out + ")");
        }));
    if (dict->getStr("__eq__").isNotFound())
        dict->setStr("__eq__", makeNativeFunction("__eq__", [fields](ThreadState &ts, const CallArgs &a) -> Value {
            if (a.size() < 2 || a[1].type() != a[0].type())
                return Value::falseValue();
            for (auto &f : *fields) {
                Value x = getAttr(ts, a[0], f.name), y = getAttr(ts, a[1], f.name);
                if (x.isError() || y.isError())
                    return Value::error();
                int e = equals(ts, x, y);
                if (e <= 0)
                    return e < 0 ? Value::error() : Value::falseValue();
            }
            return Value::trueValue();
        }));
    return cls;
}

static Value dataclassesModule(ThreadState &)
{
    auto dataclass = makeNativeFunction("dataclass", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (a.size() == 1 && a[0].isType())
            return applyDataclass(ts, a[0]);
        // @dataclass(...) with options: the options are accepted and ignored
        return makeNativeFunction("wrap", [](ThreadState &ts, const CallArgs &b) -> Value {
            if (b.size() != 1)
                return ts.raise(types().TypeError, "dataclass() takes one class");
            return applyDataclass(ts, b[0]);
        });
    }, "dataclasses.dataclass");
    auto field = makeNativeFunction("field", [](ThreadState &ts, const CallArgs &a) -> Value {
        Value d = a.keyword("default");
        if (!d.isNotFound())
            return d;
        Value f = a.keyword("default_factory");
        if (!f.isNotFound()) {
            static Value markerType = [] {
                NativeTypeSpec spec;
                spec.name = "_DefaultFactory";
                spec.module = "dataclasses";
                Value t = makeNativeType(std::move(spec));
                t.ptr()->makeImmortal();
                return t;
            }();
            auto *o = new NativeObject(markerType.as<TypeObject>());
            Value v(o);
            o->attrs.setStr("factory", f);
            return v;
        }
        return ts.raise(types().TypeError, "field() without a default is not supported");
    }, "dataclasses.field");
    return makeModule("dataclasses", {{"dataclass", dataclass}, {"field", field}});
}

// collections: defaultdict and Counter (dicts with a different type), OrderedDict (dict).
static Value collectionsModule(ThreadState &)
{
    static Value ddType, counterType;
    static std::once_flag once;
    std::call_once(once, [] {
        auto make = [](const char *name) {
            auto *t = new TypeObject(name, types().dict, ObjKind::Dict);
            Value tv(t);
            t->module = "collections";
            t->makeImmortal();
            return tv;
        };
        ddType = make("defaultdict");
        counterType = make("Counter");
        ddType.as<TypeObject>()->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *d = new DictObject();
            Value dv(d);
            d->setType(ddType.as<TypeObject>());
            if (a.size() > 0) {
                if (!a[0].isNone() && !isCallable(a[0]))
                    return ts.raise(types().TypeError, "first argument must be callable or None");
                d->defaultFactory = a[0];
            }
            if (a.size() > 1) {
                Value r = call(ts, types().dict->lookup("update"), {dv, a[1]});
                if (r.isError())
                    return r;
            }
            return dv;
        };
        counterType.as<TypeObject>()->construct = [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *d = new DictObject();
            Value dv(d);
            d->setType(counterType.as<TypeObject>());
            if (a.size() > 0) {
                Value r = call(ts, counterType.as<TypeObject>()->lookup("update"), {dv, a[0]});
                if (r.isError())
                    return r;
            }
            for (auto &k : a.keywords)
                d->setStr(k.name, k.value);
            return dv;
        };
        auto cdict = counterType.as<TypeObject>()->dict.as<DictObject>();
        cdict->setStr("update", makeNativeFunction("update", [](ThreadState &ts, const CallArgs &a) -> Value {
            auto *d = a[0].as<DictObject>();
            if (a.size() > 1) {
                if (a[1].isDict()) {
                    for (auto &kv : a[1].as<DictObject>()->items()) {
                        Value cur;
                        if (!d->get(ts, kv.first, cur))
                            return Value::error();
                        Value n = cur.isNotFound() ? kv.second : binaryOp(ts, ast::Operator::Add, cur, kv.second, false);
                        if (n.isError() || !d->set(ts, kv.first, n))
                            return Value::error();
                    }
                } else {
                    std::vector<Value> items;
                    if (!collect(ts, a[1], items))
                        return Value::error();
                    for (auto &x : items) {
                        Value cur;
                        if (!d->get(ts, x, cur))
                            return Value::error();
                        std::int64_t c = cur.isNotFound() ? 0 : cur.asInt();
                        if (!d->set(ts, x, Value::fromInt(c + 1)))
                            return Value::error();
                    }
                }
            }
            return Value::none();
        }));
        cdict->setStr("__missing__", makeNativeFunction("__missing__", [](ThreadState &, const CallArgs &) { return Value::smallInt(0); }));
        cdict->setStr("most_common", makeNativeFunction("most_common", [](ThreadState &ts, const CallArgs &a) -> Value {
            std::vector<Value> pairs;
            for (auto &kv : a[0].as<DictObject>()->items())
                pairs.push_back(makeTuple({kv.first, kv.second}));
            Value key = makeNativeFunction("key", [](ThreadState &, const CallArgs &b) { return b[0].as<TupleObject>()->items[1]; });
            if (!sortValues(ts, pairs, key, true))
                return Value::error();
            if (a.size() > 1 && !a[1].isNone()) {
                std::size_t n = static_cast<std::size_t>(std::max<std::int64_t>(0, a[1].asInt()));
                if (pairs.size() > n)
                    pairs.resize(n);
            }
            return makeList(std::move(pairs));
        }));
        cdict->setStr("total", makeNativeFunction("total", [](ThreadState &ts, const CallArgs &a) -> Value {
            Value acc = Value::smallInt(0);
            for (auto &kv : a[0].as<DictObject>()->items()) {
                acc = binaryOp(ts, ast::Operator::Add, acc, kv.second, false);
                if (acc.isError())
                    return acc;
            }
            return acc;
        }));
    });
    return makeModule("collections", {{"defaultdict", ddType}, {"Counter", counterType}, {"OrderedDict", typeValue(types().dict)}});
}

Value importBuiltinModule(ThreadState &ts, std::string_view name)
{
    if (name == "collections")
        return collectionsModule(ts);
    if (name == "dataclasses")
        return dataclassesModule(ts);
    if (name == "logging")
        return loggingModule(ts);
    if (name == "traceback")
        return tracebackModule(ts);
    if (name == "_exceptiongroups")
        return exceptionGroupsModule(ts);
    if (name == "time")
        return timeModule(ts);
    if (name == "math")
        return mathModule(ts);
    if (name == "random")
        return randomModule(ts);
    if (name == "json")
        return jsonModule(ts);
    if (name == "functools")
        return functoolsModule(ts);
    if (name == "sys")
        return sysModule(ts);
    if (name == "typing")
        return typingModule(ts);
    if (name == "threading")
        return threadingModule(ts);
    if (name == "os")
        return osModule(ts);
    if (name == "builtins") {
        Value m = makeModule("builtins");
        for (auto &kv : ts.interpreter().builtinsDict().as<DictObject>()->items())
            moduleSet(m, kv.first.asString(), kv.second);
        return m;
    }
    return Value::notFound();
}

} // namespace loopscope::lang
