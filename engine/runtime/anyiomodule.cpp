// anyio, anyio.to_thread, and fastapi/starlette.concurrency: the 40-token road every
// `def` endpoint takes.
#include "future.h"
#include "nativecoroutine.h"
#include "runtimestate.h"

namespace loopscope::runtime {

using namespace lang;

namespace {

class LimiterObject : public NativeObject {
public:
    using NativeObject::NativeObject;
    CapacityLimiter *limiter = nullptr; // bound limiter (owned or a loop's default)
    std::unique_ptr<CapacityLimiter> owned;
    int total = 40; // before the first use binds it to a loop

    CapacityLimiter *bind(ThreadState &ts)
    {
        if (limiter)
            return limiter;
        EventLoop *loop = requireRunningLoop(ts);
        if (!loop)
            return nullptr;
        owned = std::make_unique<CapacityLimiter>(loop, total, runtimeState(ts).settings.limiterOrder,
                                                  "CapacityLimiter");
        limiter = owned.get();
        return limiter;
    }
};

LimiterObject *limiterSelf(ThreadState &ts, const CallArgs &args)
{
    auto *l = args.size() ? dynamic_cast<LimiterObject *>(args[0].ptr()) : nullptr;
    if (!l)
        ts.raise(types().TypeError, "descriptor requires a 'CapacityLimiter' object");
    return l;
}

bool checkTotal(ThreadState &ts, const Value &v, int &out)
{
    if (v.isFloat() && v.asDouble() == std::numeric_limits<double>::infinity()) {
        out = 1 << 30;
        return true;
    }
    if (!v.isInt() || v.isBool()) {
        ts.raise(types().TypeError, "total_tokens must be an int or math.inf");
        return false;
    }
    const std::int64_t n = v.asInt();
    if (n < 1) {
        ts.raise(types().ValueError, "total_tokens must be >= 1");
        return false;
    }
    out = int(std::min<std::int64_t>(n, 1 << 30));
    return true;
}

// `await limiter.acquire()`: a token at once (after one checkpoint) or a place in line.
Value limiterAcquire(ThreadState &ts, const Value &selfV)
{
    struct State {
        int stage = 0;
        Value future;
        CapacityLimiter *limiter = nullptr;
        CapacityLimiter::WaitId id = 0;
        std::int64_t request = -1;
    };
    auto st = std::make_shared<State>();
    return makeNativeCoroutine(ts, "acquire", [st, selfV](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        if (st->stage == 0) {
            st->stage = 1;
            if (exc)
                return raiseThrown(ts, *exc);
            auto *l = static_cast<LimiterObject *>(selfV.ptr());
            st->limiter = l->bind(ts);
            if (!st->limiter)
                return raised();
            st->request = ts.currentRequest;
            Value fut = FutureObject::create(ts, st->limiter->loop());
            st->id = st->limiter->acquire(
                [fut] {
                    if (ThreadState *cur = ThreadState::current())
                        FutureObject::from(fut)->setResult(*cur, Value::none());
                },
                st->request);
            if (st->id == 0)
                return yieldValue(Value::none()); // AnyIO's checkpoint
            st->future = fut;
            return yieldValue(fut);
        }
        if (st->future.isNone()) {
            if (exc) {
                st->limiter->release(st->request);
                return raiseThrown(ts, *exc);
            }
            return returnValue(Value::none());
        }
        FutureObject *f = FutureObject::from(st->future);
        if (exc || f->cancelled()) {
            if (!st->limiter->cancelWait(st->id))
                st->limiter->release(st->request);
            if (exc)
                return raiseThrown(ts, *exc);
            ts.raise(newCancelledError(ts, f->cancelMessage()));
            return raised();
        }
        if (!f->done())
            return yieldValue(st->future);
        return returnValue(Value::none());
    });
}

Value makeStatistics(const CapacityLimiter::Statistics &s)
{
    static Value type = [] {
        NativeTypeSpec spec;
        spec.name = "CapacityLimiterStatistics";
        spec.module = "anyio";
        return makeNativeType(std::move(spec));
    }();
    auto *o = new NativeObject(type.as<TypeObject>());
    Value v(o);
    o->attrs.setStr("borrowed_tokens", Value::fromInt(s.borrowed));
    o->attrs.setStr("total_tokens", Value::fromInt(s.total));
    o->attrs.setStr("tasks_waiting", Value::fromInt(s.waiting));
    o->attrs.setStr("borrowers", makeTuple({}));
    return v;
}

Value makeLimiterType()
{
    NativeTypeSpec spec;
    spec.name = "CapacityLimiter";
    spec.module = "anyio";
    spec.construct = [](ThreadState &ts, const CallArgs &args) -> Value {
        Value total = args.keyword("total_tokens");
        if (total.isNotFound()) {
            for (std::size_t i = 0; i < args.size(); ++i)
                if (!args[i].isType())
                    total = args[i];
        }
        if (total.isNotFound())
            return ts.raise(types().TypeError, "CapacityLimiter() missing 1 required positional argument: 'total_tokens'");
        int n = 0;
        if (!checkTotal(ts, total, n))
            return Value::error();
        auto *l = new LimiterObject(runtimeState(ts).limiterType.as<TypeObject>());
        l->total = n;
        return Value(l);
    };
    spec.methods.push_back({"acquire", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return limiterSelf(ts, args) ? limiterAcquire(ts, args[0]) : Value::error();
                            }});
    spec.methods.push_back({"acquire_nowait", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LimiterObject *l = limiterSelf(ts, args);
                                CapacityLimiter *c = l ? l->bind(ts) : nullptr;
                                if (!c)
                                    return Value::error();
                                if (!c->tryAcquire(ts.currentRequest))
                                    return ts.raise(types().RuntimeError, "WouldBlock");
                                return Value::none();
                            }});
    spec.methods.push_back({"release", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LimiterObject *l = limiterSelf(ts, args);
                                CapacityLimiter *c = l ? l->bind(ts) : nullptr;
                                if (!c)
                                    return Value::error();
                                if (c->borrowed() == 0)
                                    return ts.raise(types().RuntimeError,
                                                    "this borrower isn't holding any of this CapacityLimiter's tokens");
                                c->release(ts.currentRequest);
                                return Value::none();
                            }});
    spec.methods.push_back({"statistics", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LimiterObject *l = limiterSelf(ts, args);
                                if (!l)
                                    return Value::error();
                                if (!l->limiter)
                                    return makeStatistics({0, l->total, 0});
                                return makeStatistics(l->limiter->statistics());
                            }});
    spec.methods.push_back({"__aenter__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return limiterSelf(ts, args) ? limiterAcquire(ts, args[0]) : Value::error();
                            }});
    spec.methods.push_back({"__aexit__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LimiterObject *l = limiterSelf(ts, args);
                                CapacityLimiter *c = l ? l->bind(ts) : nullptr;
                                if (!c)
                                    return Value::error();
                                c->release(ts.currentRequest);
                                return makeNativeCoroutine(ts, "__aexit__", [](ThreadState &, const Value &, const Value *) {
                                    return returnValue(Value::none());
                                });
                            }});
    spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
        auto *l = dynamic_cast<LimiterObject *>(self.ptr());
        if (!l)
            return Value::notFound();
        const int total = l->limiter ? l->limiter->totalTokens() : l->total;
        const int borrowed = l->limiter ? l->limiter->borrowed() : 0;
        if (name == "total_tokens")
            return Value::fromInt(total);
        if (name == "borrowed_tokens")
            return Value::fromInt(borrowed);
        if (name == "available_tokens")
            return Value::fromInt(total > borrowed ? total - borrowed : 0);
        return Value::notFound();
    };
    spec.hooks.setattr = [](ThreadState &ts, const Value &self, std::string_view name, const Value &v) -> bool {
        auto *l = dynamic_cast<LimiterObject *>(self.ptr());
        if (!l || name != "total_tokens")
            return false;
        int n = 0;
        if (!checkTotal(ts, v, n))
            return true; // handled, exception set
        if (l->limiter)
            l->limiter->setTotalTokens(n);
        else
            l->total = n;
        return true;
    };
    spec.hooks.repr = [](ThreadState &, const Value &self) -> std::string {
        auto *l = dynamic_cast<LimiterObject *>(self.ptr());
        const int total = l && l->limiter ? l->limiter->totalTokens() : l ? l->total : 0;
        const int borrowed = l && l->limiter ? l->limiter->borrowed() : 0;
        return "<anyio.CapacityLimiter object borrowed=" + std::to_string(borrowed) + "/" + std::to_string(total) + ">";
    };
    return makeNativeType(std::move(spec));
}

void ensureLimiterType(RuntimeState &rs)
{
    if (rs.limiterType.isNone())
        rs.limiterType = makeLimiterType();
}

Value defaultLimiterObject(ThreadState &ts)
{
    EventLoop *loop = requireRunningLoop(ts);
    if (!loop)
        return Value::error();
    RuntimeState &rs = runtimeState(ts);
    ensureLimiterType(rs);
    auto *l = new LimiterObject(rs.limiterType.as<TypeObject>());
    l->limiter = &loop->defaultLimiter();
    l->total = l->limiter->totalTokens();
    return Value(l);
}

std::vector<Value> positionalFrom(const CallArgs &args, std::size_t first)
{
    std::vector<Value> out;
    for (std::size_t i = first; i < args.size(); ++i)
        out.push_back(args[i]);
    return out;
}

Value runSyncFn(ThreadState &ts, const CallArgs &args)
{
    if (args.size() < 1)
        return ts.raise(types().TypeError, "run_sync() missing 1 required positional argument: 'func'");
    if (!args.onlyKeywords(ts, "run_sync", {"cancellable", "limiter"}))
        return Value::error();
    CapacityLimiter *limiter = nullptr;
    Value lim = args.keyword("limiter");
    if (!lim.isNotFound() && !lim.isNone()) {
        auto *l = dynamic_cast<LimiterObject *>(lim.ptr());
        if (!lim.isKind(ObjKind::Native) || !l)
            return ts.raise(types().TypeError, "limiter must be a CapacityLimiter");
        limiter = l->bind(ts);
        if (!limiter)
            return Value::error();
    }
    return runSyncCoroutine(ts, args[0], positionalFrom(args, 1), {}, limiter);
}

Value runInThreadpoolFn(ThreadState &ts, const CallArgs &args)
{
    if (args.size() < 1)
        return ts.raise(types().TypeError, "run_in_threadpool() missing 1 required positional argument: 'func'");
    std::vector<std::pair<std::string, Value>> kwargs;
    for (const auto &kw : args.keywords)
        kwargs.emplace_back(std::string(kw.name), kw.value);
    return runSyncCoroutine(ts, args[0], positionalFrom(args, 1), std::move(kwargs), nullptr);
}

Value currentDefaultThreadLimiterFn(ThreadState &ts, const CallArgs &args)
{
    if (!args.checkCount(ts, "current_default_thread_limiter", 0, 0))
        return Value::error();
    return defaultLimiterObject(ts);
}

} // namespace

Value makeAnyioToThreadModule(ThreadState &ts)
{
    ensureLimiterType(runtimeState(ts));
    return makeModule("anyio.to_thread",
                      {{"run_sync", makeNativeFunction("run_sync", runSyncFn, "anyio.to_thread.run_sync")},
                       {"current_default_thread_limiter",
                        makeNativeFunction("current_default_thread_limiter", currentDefaultThreadLimiterFn,
                                           "anyio.to_thread.current_default_thread_limiter")}});
}

Value makeAnyioModule(ThreadState &ts)
{
    RuntimeState &rs = runtimeState(ts);
    ensureLimiterType(rs);
    // The submodule is made here and registered, so `import anyio.to_thread` (which
    // imports anyio first) finds it instead of importing anyio again.
    Value toThread = ts.interpreter().moduleIfLoaded("anyio.to_thread");
    if (toThread.isNone() || toThread.isNotFound()) {
        toThread = makeAnyioToThreadModule(ts);
        ts.interpreter().addModule("anyio.to_thread", toThread);
    }
    Value asyncio = ts.interpreter().importModule(ts, "asyncio");
    if (asyncio.isError())
        return asyncio;
    Value sleep = getAttr(ts, asyncio, "sleep");
    if (sleep.isError())
        return sleep;
    Value run = makeNativeFunction("run", [asyncio](ThreadState &ts, const CallArgs &args) -> Value {
        if (args.size() < 1)
            return ts.raise(types().TypeError, "run() missing 1 required positional argument: 'func'");
        std::vector<Value> rest = positionalFrom(args, 1);
        Value coro = call(ts, args[0], std::span<const Value>(rest));
        if (coro.isError())
            return coro;
        Value asyncioRun = getAttr(ts, asyncio, "run");
        if (asyncioRun.isError())
            return asyncioRun;
        return call(ts, asyncioRun, {coro});
    }, "anyio.run");
    return makeModule("anyio", {{"to_thread", toThread},
                                {"CapacityLimiter", rs.limiterType},
                                {"sleep", sleep},
                                {"run", run},
                                {"get_cancelled_exc_class", makeNativeFunction("get_cancelled_exc_class",
                                                                               [](ThreadState &ts, const CallArgs &) {
                                                                                   return runtimeState(ts).cancelledError;
                                                                               })}});
}

Value makeConcurrencyModule(ThreadState &ts, const std::string &name)
{
    (void)ts;
    return makeModule(name, {{"run_in_threadpool",
                              makeNativeFunction("run_in_threadpool", runInThreadpoolFn, name + ".run_in_threadpool")}});
}

} // namespace loopscope::runtime
