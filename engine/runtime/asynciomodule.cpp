// The asyncio module: run, sleep, gather, create_task, wait_for, to_thread, the running
// loop object, Future/Task, Lock, Semaphore, Event and the exceptions.
#include "future.h"
#include "nativecoroutine.h"
#include "runtimestate.h"
#include "task.h"

#include <QCoreApplication>

#include <deque>

namespace loopscope {
extern const char *const kAsyncioExtrasSource; // asyncio_extras.py, compiled in
}

namespace loopscope::runtime {

using namespace lang;

namespace {

// ---------------------------------------------------------------- helpers

bool toSeconds(ThreadState &ts, const Value &v, double &out, const char *what)
{
    if (v.isInt() || v.isFloat() || v.isBool()) {
        out = v.asDouble();
        return true;
    }
    ts.raise(types().TypeError, std::string("'") + typeName(v) + "' object cannot be interpreted as " + what);
    return false;
}

std::vector<std::pair<std::string, Value>> collectKwargs(const CallArgs &args,
                                                         std::initializer_list<std::string_view> skip = {})
{
    std::vector<std::pair<std::string, Value>> out;
    for (const auto &kw : args.keywords) {
        bool skipped = false;
        for (auto s : skip)
            skipped = skipped || kw.name == s;
        if (!skipped)
            out.emplace_back(std::string(kw.name), kw.value);
    }
    return out;
}

std::vector<Value> positionalFrom(const CallArgs &args, std::size_t first)
{
    std::vector<Value> out;
    for (std::size_t i = first; i < args.size(); ++i)
        out.push_back(args[i]);
    return out;
}

// Runs a Python callable as a loop callback, reporting exceptions like asyncio does.
EventLoop::Callback pyCallback(Value fn, std::vector<Value> args, std::shared_ptr<bool> cancelled)
{
    return [fn, args, cancelled] {
        if (cancelled && *cancelled)
            return;
        ThreadState *ts = ThreadState::current();
        if (!ts)
            return;
        ensureGil(*ts);
        Value r = call(*ts, fn, std::span<const Value>(args));
        if (r.isError())
            reportCallbackException(*ts, "Exception in callback " + repr(*ts, fn) + "()", ts->fetchException());
    };
}

// ---------------------------------------------------------------- handles and the loop object

class HandleObject : public NativeObject {
public:
    HandleObject(TypeObject *t, std::shared_ptr<bool> c, std::shared_ptr<TimerHandle> timer)
        : NativeObject(t)
        , cancelled(std::move(c))
        , timer(std::move(timer))
    {
    }
    std::shared_ptr<bool> cancelled;
    std::shared_ptr<TimerHandle> timer;
};

class LoopObject : public NativeObject {
public:
    LoopObject(TypeObject *t, EventLoop *l)
        : NativeObject(t)
        , loop(l)
    {
    }
    EventLoop *loop;
    bool closed = false;
};

Value makeHandleType()
{
    NativeTypeSpec spec;
    spec.name = "TimerHandle";
    spec.module = "asyncio.events";
    spec.methods.push_back({"cancel", [](ThreadState &ts, const CallArgs &args) -> Value {
                                auto *h = args.size() ? dynamic_cast<HandleObject *>(args[0].ptr()) : nullptr;
                                if (!h)
                                    return ts.raise(types().TypeError, "expected a Handle");
                                *h->cancelled = true;
                                if (h->timer)
                                    h->timer->cancel();
                                return Value::none();
                            }});
    spec.methods.push_back({"cancelled", [](ThreadState &ts, const CallArgs &args) -> Value {
                                auto *h = args.size() ? dynamic_cast<HandleObject *>(args[0].ptr()) : nullptr;
                                if (!h)
                                    return ts.raise(types().TypeError, "expected a Handle");
                                return Value::fromBool(*h->cancelled);
                            }});
    spec.methods.push_back({"when", [](ThreadState &ts, const CallArgs &args) -> Value {
                                auto *h = args.size() ? dynamic_cast<HandleObject *>(args[0].ptr()) : nullptr;
                                if (!h)
                                    return ts.raise(types().TypeError, "expected a Handle");
                                return Value::fromDouble(h->timer ? h->timer->when() : 0.0);
                            }});
    return makeNativeType(std::move(spec));
}

LoopObject *loopSelf(ThreadState &ts, const CallArgs &args)
{
    auto *l = args.size() ? dynamic_cast<LoopObject *>(args[0].ptr()) : nullptr;
    if (!l) {
        ts.raise(types().TypeError, "expected an event loop");
        return nullptr;
    }
    if (l->closed || !l->loop) {
        ts.raise(types().RuntimeError, "Event loop is closed");
        return nullptr;
    }
    return l;
}

Value makeHandle(ThreadState &ts, std::shared_ptr<bool> cancelled, std::shared_ptr<TimerHandle> timer)
{
    RuntimeState &rs = runtimeState(ts);
    return Value(new HandleObject(rs.handleType.as<TypeObject>(), std::move(cancelled), std::move(timer)));
}

Value makeLoopType()
{
    NativeTypeSpec spec;
    spec.name = "_UnixSelectorEventLoop";
    spec.module = "asyncio.unix_events";
    spec.methods.push_back({"time", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return loopSelf(ts, args) ? Value::fromDouble(EventLoop::time()) : Value::error();
                            }});
    spec.methods.push_back({"is_running", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                return l ? Value::fromBool(l->loop->isRunning()) : Value::error();
                            }});
    spec.methods.push_back({"is_closed", [](ThreadState &ts, const CallArgs &args) -> Value {
                                auto *l = args.size() ? dynamic_cast<LoopObject *>(args[0].ptr()) : nullptr;
                                if (!l)
                                    return ts.raise(types().TypeError, "expected an event loop");
                                return Value::fromBool(l->closed);
                            }});
    spec.methods.push_back({"get_debug", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return loopSelf(ts, args) ? Value::falseValue() : Value::error();
                            }});
    spec.methods.push_back({"set_debug", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return loopSelf(ts, args) ? Value::none() : Value::error();
                            }});
    spec.methods.push_back({"call_soon", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                if (!l || !args.checkCount(ts, "call_soon", 2, size_t(-1)))
                                    return Value::error();
                                auto cancelled = std::make_shared<bool>(false);
                                StepInfo info;
                                info.request = ts.currentRequest;
                                l->loop->callSoon(pyCallback(args[1], positionalFrom(args, 2), cancelled), info);
                                return makeHandle(ts, cancelled, nullptr);
                            }});
    spec.methods.push_back({"call_soon_threadsafe", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                if (!l || !args.checkCount(ts, "call_soon_threadsafe", 2, size_t(-1)))
                                    return Value::error();
                                auto cancelled = std::make_shared<bool>(false);
                                l->loop->callSoonThreadsafe(pyCallback(args[1], positionalFrom(args, 2), cancelled));
                                return makeHandle(ts, cancelled, nullptr);
                            }});
    auto later = [](bool absolute) {
        return [absolute](ThreadState &ts, const CallArgs &args) -> Value {
            LoopObject *l = loopSelf(ts, args);
            if (!l || !args.checkCount(ts, absolute ? "call_at" : "call_later", 3, size_t(-1)))
                return Value::error();
            double t = 0;
            if (!toSeconds(ts, args[1], t, "a number"))
                return Value::error();
            auto cancelled = std::make_shared<bool>(false);
            StepInfo info;
            info.request = ts.currentRequest;
            auto cb = pyCallback(args[2], positionalFrom(args, 3), cancelled);
            auto timer = absolute ? l->loop->callAt(t, cb, info) : l->loop->callLater(t, cb, info);
            return makeHandle(ts, cancelled, timer);
        };
    };
    spec.methods.push_back({"call_later", later(false)});
    spec.methods.push_back({"call_at", later(true)});
    spec.methods.push_back({"create_future", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                return l ? FutureObject::create(ts, l->loop) : Value::error();
                            }});
    spec.methods.push_back({"create_task", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                if (!l || !args.checkCount(ts, "create_task", 2, 2))
                                    return Value::error();
                                Value name = args.keyword("name");
                                return createTask(ts, args[1], -2,
                                                  name.isNotFound() || name.isNone() ? std::string() : str(ts, name));
                            }});
    spec.methods.push_back({"run_in_executor", [](ThreadState &ts, const CallArgs &args) -> Value {
                                LoopObject *l = loopSelf(ts, args);
                                if (!l || !args.checkCount(ts, "run_in_executor", 3, size_t(-1)))
                                    return Value::error();
                                if (!args.noKeywords(ts, "run_in_executor"))
                                    return Value::error();
                                return runInExecutor(ts, l->loop, args[1], args[2], positionalFrom(args, 3));
                            }});
    spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
        auto *l = dynamic_cast<LoopObject *>(self.ptr());
        if (l && l->loop && !l->closed && name == "slow_callback_duration")
            return Value::fromDouble(l->loop->slowCallbackDuration());
        return Value::notFound();
    };
    spec.hooks.setattr = [](ThreadState &ts, const Value &self, std::string_view name, const Value &v) -> bool {
        auto *l = dynamic_cast<LoopObject *>(self.ptr());
        if (l && l->loop && !l->closed && name == "slow_callback_duration" && (v.isInt() || v.isFloat())) {
            l->loop->setSlowCallbackDuration(v.asDouble());
            return true;
        }
        (void)ts;
        return false;
    };
    spec.hooks.repr = [](ThreadState &ts, const Value &self) -> std::string {
        auto *l = dynamic_cast<LoopObject *>(self.ptr());
        const bool closed = !l || l->closed;
        (void)ts;
        return std::string("<_UnixSelectorEventLoop running=") +
               (l && l->loop && !closed && l->loop->isRunning() ? "True" : "False") +
               " closed=" + (closed ? "True" : "False") + " debug=False>";
    };
    return makeNativeType(std::move(spec));
}

// ---------------------------------------------------------------- sleep, gather, wait_for

Value asyncioSleep(ThreadState &ts, const CallArgs &args)
{
    if (!args.checkCount(ts, "sleep", 1, 2) || !args.onlyKeywords(ts, "sleep", {"delay", "result"}))
        return Value::error();
    Value delayV = args.arg(0, "delay");
    Value result = args.arg(1, "result");
    if (result.isNotFound())
        result = Value::none();
    double delay = 0;
    if (!toSeconds(ts, delayV, delay, "a number"))
        return Value::error();
    struct State {
        int stage = 0;
        Value future;
        std::shared_ptr<TimerHandle> timer;
    };
    auto st = std::make_shared<State>();
    return makeNativeCoroutine(ts, "sleep", [st, delay, result](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        if (st->stage == 0) {
            st->stage = 1;
            if (exc)
                return raiseThrown(ts, *exc);
            if (delay <= 0)
                return yieldValue(Value::none()); // exactly one loop iteration
            EventLoop *loop = requireRunningLoop(ts);
            if (!loop)
                return raised();
            Value fut = FutureObject::create(ts, loop);
            st->future = fut;
            StepInfo info;
            info.request = ts.currentRequest;
            st->timer = loop->callLater(
                delay,
                [fut, result] {
                    FutureObject *f = FutureObject::from(fut);
                    ThreadState *cur = ThreadState::current();
                    if (cur && !f->done()) {
                        ensureGil(*cur);
                        f->setResult(*cur, result);
                    }
                },
                info);
            return yieldValue(fut);
        }
        if (st->future.isNone()) {
            if (exc)
                return raiseThrown(ts, *exc);
            return returnValue(result);
        }
        FutureObject *f = FutureObject::from(st->future);
        if (exc || f->done()) {
            if (st->timer)
                st->timer->cancel();
        }
        return f->awaitStep(ts, exc);
    });
}

class GatheringFuture : public FutureObject {
public:
    using FutureObject::FutureObject;
    std::vector<Value> children;
    bool cancelRequested = false;
    bool cancel(ThreadState &ts, std::string message = {}) override
    {
        if (done())
            return false;
        bool any = false;
        for (auto &c : children) {
            FutureObject *f = FutureObject::from(c);
            if (f && f->cancel(ts, message))
                any = true;
        }
        if (any)
            cancelRequested = true; // the children's cancellation finishes it
        return any;
    }
};

Value asyncioGather(ThreadState &ts, const CallArgs &args)
{
    if (!args.onlyKeywords(ts, "gather", {"return_exceptions"}))
        return Value::error();
    Value re = args.keyword("return_exceptions");
    const bool returnExceptions = !re.isNotFound() && truthy(ts, re) == 1;
    EventLoop *loop = requireRunningLoop(ts);
    if (!loop)
        return Value::error();
    RuntimeState &rs = runtimeState(ts);
    auto *outer = new GatheringFuture(rs.futureType.as<TypeObject>(), loop);
    Value outerV(outer);
    if (args.size() == 0) {
        outer->setResult(ts, makeList({}));
        return outerV;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        Value f = ensureFuture(ts, loop, args[i]);
        if (f.isError())
            return f;
        outer->children.push_back(f);
    }
    auto finished = std::make_shared<std::size_t>(0);
    const std::size_t total = outer->children.size();
    for (auto &child : outer->children) {
        FutureObject::from(child)->addDoneCallback([outerV, finished, total, returnExceptions](ThreadState &ts, const Value &childV) {
            auto *outer = static_cast<GatheringFuture *>(FutureObject::from(outerV));
            FutureObject *child = FutureObject::from(childV);
            ++*finished;
            if (outer->done())
                return;
            if (!returnExceptions) {
                if (child->cancelled()) {
                    outer->setException(ts, newCancelledError(ts, child->cancelMessage()));
                    return;
                }
                if (!child->exception().isNone()) {
                    outer->setException(ts, child->exception());
                    return;
                }
            }
            if (*finished < total)
                return;
            std::vector<Value> results;
            for (auto &c : outer->children) {
                FutureObject *f = FutureObject::from(c);
                if (f->cancelled())
                    results.push_back(newCancelledError(ts, f->cancelMessage()));
                else if (!f->exception().isNone())
                    results.push_back(f->exception());
                else
                    results.push_back(f->resultValue());
            }
            if (outer->cancelRequested)
                outer->setException(ts, newCancelledError(ts, {}));
            else
                outer->setResult(ts, makeList(std::move(results)));
        });
    }
    return outerV;
}

Value asyncioWaitFor(ThreadState &ts, const CallArgs &args)
{
    Value parsed[2];
    if (!args.parse(ts, "wait_for", {"fut", "timeout"}, 2, parsed))
        return Value::error();
    Value aw = parsed[0];
    Value timeoutV = parsed[1];
    bool hasTimeout = !timeoutV.isNone();
    double timeout = 0;
    if (hasTimeout && !toSeconds(ts, timeoutV, timeout, "a number"))
        return Value::error();
    struct State {
        int stage = 0;
        Value inner;  // the task/future being waited for
        Value waiter; // released by the timeout or by inner finishing
        std::shared_ptr<TimerHandle> timer;
        bool cancelledFromOutside = false;
    };
    auto st = std::make_shared<State>();
    return makeNativeCoroutine(ts, "wait_for", [st, aw, hasTimeout, timeout](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        EventLoop *loop = nullptr;
        if (st->stage == 0) {
            if (exc)
                return raiseThrown(ts, *exc);
            loop = requireRunningLoop(ts);
            if (!loop)
                return raised();
            Value inner = ensureFuture(ts, loop, aw);
            if (inner.isError())
                return raised();
            st->inner = inner;
            FutureObject *f = FutureObject::from(inner);
            if (!hasTimeout) {
                st->stage = 3;
                return f->awaitStep(ts, nullptr);
            }
            if (timeout <= 0) {
                if (f->done())
                    return f->awaitStep(ts, nullptr);
                f->cancel(ts);
                st->stage = 2;
                return yieldValue(inner);
            }
            Value waiter = FutureObject::create(ts, loop);
            st->waiter = waiter;
            auto release = [waiter](ThreadState &cts) {
                FutureObject *w = FutureObject::from(waiter);
                if (!w->done())
                    w->setResult(cts, Value::none());
            };
            st->timer = loop->callLater(timeout, [release] {
                if (ThreadState *cur = ThreadState::current()) {
                    ensureGil(*cur);
                    release(*cur);
                }
            });
            f->addDoneCallback([release](ThreadState &cts, const Value &) { release(cts); });
            st->stage = 1;
            return yieldValue(waiter);
        }
        FutureObject *f = FutureObject::from(st->inner);
        if (st->stage == 1) {
            FutureObject *w = FutureObject::from(st->waiter);
            st->timer->cancel();
            if (exc || w->cancelled()) {
                // wait_for itself was cancelled
                if (f->done())
                    return f->awaitStep(ts, nullptr);
                st->cancelledFromOutside = true;
                f->cancel(ts);
                st->stage = 2;
                return yieldValue(st->inner);
            }
            if (f->done())
                return f->awaitStep(ts, nullptr);
            f->cancel(ts); // timed out: cancel the inner one and wait until it is gone
            st->stage = 2;
            return yieldValue(st->inner);
        }
        if (st->stage == 2) {
            if (!f->done())
                return yieldValue(st->inner);
            if (st->cancelledFromOutside) {
                ts.raise(newCancelledError(ts, {}));
                return raised();
            }
            if (f->cancelled()) {
                ts.raise(types().TimeoutError, {}); // asyncio.TimeoutError is TimeoutError
                return raised();
            }
            return f->awaitStep(ts, nullptr);
        }
        // stage 3: no timeout, plain await
        if (exc && !f->done())
            f->cancel(ts);
        return f->awaitStep(ts, exc);
    });
}

// ---------------------------------------------------------------- asyncio.run

void ensureCoreApplication()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char arg0[] = "loopscope";
    static char *argv[] = {arg0, nullptr};
    new QCoreApplication(argc, argv); // lives for the rest of the program
}

Value asyncioRun(ThreadState &ts, const CallArgs &args)
{
    if (!args.checkCount(ts, "run", 1, 1) || !args.onlyKeywords(ts, "run", {"main", "debug"}))
        return Value::error();
    Value main = args.arg(0, "main");
    if (EventLoop *running = EventLoop::current(); running && running->isRunning())
        return ts.raise(types().RuntimeError, "asyncio.run() cannot be called from a running event loop");
    if (!isCoroutineLike(main))
        return ts.raise(types().ValueError, "a coroutine was expected, got " + repr(ts, main));
    Value debug = args.keyword("debug");
    ensureCoreApplication();

    Value result;
    Value exception;
    {
        EventLoop loop;
        bindLoop(loop, ts);
        if (!debug.isNotFound() && truthy(ts, debug) == 1)
            loop.setSlowCallbackDuration(0.1);
        Value task = TaskObject::create(ts, &loop, main, ts.currentRequest, {});
        trackTask(ts, &loop, task);
        FutureObject *f = FutureObject::from(task);
        ts.releaseGil(); // the loop takes it per iteration and drops it before waiting
        loop.runUntil([f] { return f->done(); });

        // Cancel what is left and let it finish (asyncio.runners._cancel_all_tasks).
        ts.acquireGil();
        std::vector<Value> leftovers;
        {
            RuntimeState &rs = runtimeState(ts);
            std::lock_guard lock(rs.loopsMutex);
            leftovers = rs.liveTasks[&loop];
        }
        bool any = false;
        for (auto &t : leftovers) {
            FutureObject *lf = FutureObject::from(t);
            if (lf && !lf->done()) {
                lf->cancel(ts);
                any = true;
            }
        }
        ts.releaseGil();
        if (any) {
            loop.runUntil([&leftovers] {
                for (auto &t : leftovers)
                    if (!FutureObject::from(t)->done())
                        return false;
                return true;
            });
        }
        loop.shutdownDefaultExecutor();
        loop.shutdownPools();
        ts.acquireGil();
        if (f->done()) {
            result = f->result(ts);
            if (result.isError())
                exception = ts.fetchException();
        }
        unbindLoop(loop, ts);
        ts.releaseGil();
    } // the loop is destroyed without the GIL: its pool threads may need it to exit
    ts.acquireGil();
    if (!exception.isNone())
        return ts.raise(exception);
    return result;
}

// ---------------------------------------------------------------- Lock, Semaphore, Event

class LockObject : public NativeObject {
public:
    using NativeObject::NativeObject;
    enum Kind { Lock, Semaphore, Event } kind = Lock;
    bool locked = false;  // Lock
    std::int64_t value = 1; // Semaphore
    bool isSet = false;   // Event
    std::deque<Value> waiters;

    void removeWaiter(const Value &fut)
    {
        for (auto it = waiters.begin(); it != waiters.end(); ++it)
            if (it->is(fut)) {
                waiters.erase(it);
                return;
            }
    }
    void wakeUpFirst(ThreadState &ts)
    {
        if (waiters.empty())
            return;
        FutureObject *f = FutureObject::from(waiters.front());
        if (!f->done())
            f->setResult(ts, Value::trueValue());
    }
    bool wakeUpNext(ThreadState &ts)
    {
        for (auto &w : waiters) {
            FutureObject *f = FutureObject::from(w);
            if (!f->done()) {
                --value;
                f->setResult(ts, Value::trueValue());
                return true;
            }
        }
        return false;
    }
    bool semaphoreLocked() const
    {
        if (value == 0)
            return true;
        for (auto &w : waiters)
            if (!FutureObject::from(w)->cancelled())
                return true;
        return false;
    }
};

LockObject *lockSelf(ThreadState &ts, const CallArgs &args)
{
    auto *l = args.size() ? dynamic_cast<LockObject *>(args[0].ptr()) : nullptr;
    if (!l)
        ts.raise(types().TypeError, "descriptor requires a synchronisation primitive");
    return l;
}

Value lockAcquire(ThreadState &ts, const Value &selfV)
{
    struct State {
        int stage = 0;
        Value fut;
    };
    auto st = std::make_shared<State>();
    return makeNativeCoroutine(ts, "acquire", [st, selfV](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        auto *l = static_cast<LockObject *>(selfV.ptr());
        if (st->stage == 0) {
            st->stage = 1;
            if (exc)
                return raiseThrown(ts, *exc);
            if (l->kind == LockObject::Lock) {
                bool allCancelled = true;
                for (auto &w : l->waiters)
                    allCancelled = allCancelled && FutureObject::from(w)->cancelled();
                if (!l->locked && allCancelled) {
                    l->locked = true;
                    return returnValue(Value::trueValue());
                }
            } else if (l->kind == LockObject::Semaphore) {
                if (!l->semaphoreLocked()) {
                    --l->value;
                    return returnValue(Value::trueValue());
                }
            } else if (l->isSet) {
                return returnValue(Value::trueValue());
            }
            EventLoop *loop = requireRunningLoop(ts);
            if (!loop)
                return raised();
            st->fut = FutureObject::create(ts, loop);
            l->waiters.push_back(st->fut);
            return yieldValue(st->fut);
        }
        FutureObject *f = FutureObject::from(st->fut);
        if (!exc && !f->done())
            return yieldValue(st->fut);
        l->removeWaiter(st->fut);
        const bool cancelled = exc || f->cancelled();
        if (l->kind == LockObject::Lock) {
            if (cancelled) {
                if (!l->locked)
                    l->wakeUpFirst(ts);
            } else {
                l->locked = true;
            }
        } else if (l->kind == LockObject::Semaphore) {
            if (cancelled && f->done() && !f->cancelled())
                ++l->value; // woken, then cancelled: give the slot back
            while (l->value > 0 && l->wakeUpNext(ts)) {
            }
        }
        if (cancelled) {
            if (exc)
                return raiseThrown(ts, *exc);
            ts.raise(newCancelledError(ts, f->cancelMessage()));
            return raised();
        }
        return returnValue(Value::trueValue());
    });
}

Value lockRelease(ThreadState &ts, LockObject *l)
{
    if (l->kind == LockObject::Lock) {
        if (!l->locked)
            return ts.raise(types().RuntimeError, "Lock is not acquired.");
        l->locked = false;
        l->wakeUpFirst(ts);
    } else {
        ++l->value;
        l->wakeUpNext(ts);
    }
    return Value::none();
}

Value makeLockType(LockObject::Kind kind)
{
    NativeTypeSpec spec;
    spec.name = kind == LockObject::Lock ? "Lock" : kind == LockObject::Semaphore ? "Semaphore" : "Event";
    spec.module = kind == LockObject::Event ? "asyncio.locks" : "asyncio.locks";
    if (kind != LockObject::Event) {
        spec.methods.push_back({"acquire", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    return lockSelf(ts, args) ? lockAcquire(ts, args[0]) : Value::error();
                                }});
        spec.methods.push_back({"release", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    return l ? lockRelease(ts, l) : Value::error();
                                }});
        spec.methods.push_back({"locked", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    if (!l)
                                        return Value::error();
                                    return Value::fromBool(l->kind == LockObject::Lock ? l->locked : l->semaphoreLocked());
                                }});
        spec.methods.push_back({"__aenter__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    if (!lockSelf(ts, args))
                                        return Value::error();
                                    // `async with lock:` binds None, like asyncio's __aenter__.
                                    Value inner = lockAcquire(ts, args[0]);
                                    return makeNativeCoroutine(ts, "__aenter__", [inner](ThreadState &ts, const Value &sent, const Value *exc) -> ResumeResult {
                                        ResumeResult r = exc ? throwInto(ts, inner, *exc) : resume(ts, inner, sent);
                                        if (r.kind == ResumeResult::Returned)
                                            r.value = Value::none();
                                        return r;
                                    });
                                }});
        spec.methods.push_back({"__aexit__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    if (!l)
                                        return Value::error();
                                    if (lockRelease(ts, l).isError())
                                        return Value::error();
                                    return makeNativeCoroutine(ts, "__aexit__", [](ThreadState &, const Value &, const Value *exc) -> ResumeResult {
                                        (void)exc;
                                        return returnValue(Value::none());
                                    });
                                }});
    } else {
        spec.methods.push_back({"wait", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    return lockSelf(ts, args) ? lockAcquire(ts, args[0]) : Value::error();
                                }});
        spec.methods.push_back({"set", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    if (!l)
                                        return Value::error();
                                    if (!l->isSet) {
                                        l->isSet = true;
                                        for (auto &w : l->waiters) {
                                            FutureObject *f = FutureObject::from(w);
                                            if (!f->done())
                                                f->setResult(ts, Value::trueValue());
                                        }
                                    }
                                    return Value::none();
                                }});
        spec.methods.push_back({"clear", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    if (!l)
                                        return Value::error();
                                    l->isSet = false;
                                    return Value::none();
                                }});
        spec.methods.push_back({"is_set", [](ThreadState &ts, const CallArgs &args) -> Value {
                                    LockObject *l = lockSelf(ts, args);
                                    return l ? Value::fromBool(l->isSet) : Value::error();
                                }});
    }
    spec.construct = [kind](ThreadState &ts, const CallArgs &args) -> Value {
        // args may or may not start with the type itself; accept value= for Semaphore.
        std::int64_t initial = 1;
        Value v = args.keyword("value");
        if (v.isNotFound()) {
            for (std::size_t i = 0; i < args.size(); ++i)
                if (args[i].isInt())
                    v = args[i];
        }
        if (!v.isNotFound() && kind == LockObject::Semaphore) {
            if (!v.isInt())
                return ts.raise(types().TypeError, "'" + typeName(v) + "' object cannot be interpreted as an integer");
            initial = v.asInt();
            if (initial < 0)
                return ts.raise(types().ValueError, "Semaphore initial value must be >= 0");
        }
        RuntimeState &rs = runtimeState(ts);
        Value type = kind == LockObject::Lock ? rs.lockType : kind == LockObject::Semaphore ? rs.semaphoreType : rs.eventType;
        auto *l = new LockObject(type.as<TypeObject>());
        l->kind = kind;
        l->value = initial;
        return Value(l);
    };
    spec.hooks.repr = [kind](ThreadState &, const Value &self) -> std::string {
        auto *l = dynamic_cast<LockObject *>(self.ptr());
        if (!l)
            return "<lock>";
        std::string extra;
        if (kind == LockObject::Lock)
            extra = l->locked ? "locked" : "unlocked";
        else if (kind == LockObject::Semaphore)
            extra = l->semaphoreLocked() ? "locked" : "unlocked, value:" + std::to_string(l->value);
        else
            extra = l->isSet ? "set" : "unset";
        if (!l->waiters.empty())
            extra += ", waiters:" + std::to_string(l->waiters.size());
        return std::string("<asyncio.locks.") + (kind == LockObject::Lock ? "Lock" : kind == LockObject::Semaphore ? "Semaphore" : "Event") +
               " object [" + extra + "]>";
    };
    return makeNativeType(std::move(spec));
}

} // namespace

Value loopObject(ThreadState &ts, EventLoop *loop)
{
    RuntimeState &rs = runtimeState(ts);
    std::lock_guard lock(rs.loopsMutex);
    auto it = rs.loopObjects.find(loop);
    if (it != rs.loopObjects.end())
        return it->second;
    if (rs.loopType.isNone())
        rs.loopType = makeLoopType();
    if (rs.handleType.isNone())
        rs.handleType = makeHandleType();
    Value v(new LoopObject(rs.loopType.as<TypeObject>(), loop));
    rs.loopObjects[loop] = v;
    return v;
}

void markLoopClosed(const Value &loopObjectValue)
{
    if (!loopObjectValue.isKind(ObjKind::Native))
        return;
    if (auto *l = dynamic_cast<LoopObject *>(loopObjectValue.ptr())) {
        l->closed = true;
        l->loop = nullptr;
    }
}

Value makeAsyncioModule(ThreadState &ts)
{
    RuntimeState &rs = runtimeState(ts);
    if (rs.loopType.isNone())
        rs.loopType = makeLoopType();
    if (rs.handleType.isNone())
        rs.handleType = makeHandleType();
    if (rs.lockType.isNone()) {
        rs.lockType = makeLockType(LockObject::Lock);
        rs.semaphoreType = makeLockType(LockObject::Semaphore);
        rs.eventType = makeLockType(LockObject::Event);
    }
    std::vector<std::pair<std::string, Value>> attrs;
    auto fn = [&attrs](const char *name, NativeFn f) {
        attrs.emplace_back(name, makeNativeFunction(name, std::move(f), std::string("asyncio.") + name));
    };
    fn("run", asyncioRun);
    fn("sleep", asyncioSleep);
    fn("gather", asyncioGather);
    fn("wait_for", asyncioWaitFor);
    fn("create_task", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "create_task", 1, 1) || !args.onlyKeywords(ts, "create_task", {"name", "context"}))
            return Value::error();
        Value name = args.keyword("name");
        return createTask(ts, args[0], -2, name.isNotFound() || name.isNone() ? std::string() : str(ts, name));
    });
    fn("ensure_future", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "ensure_future", 1, 1))
            return Value::error();
        EventLoop *loop = requireRunningLoop(ts);
        return loop ? ensureFuture(ts, loop, args[0]) : Value::error();
    });
    fn("get_running_loop", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "get_running_loop", 0, 0))
            return Value::error();
        EventLoop *loop = requireRunningLoop(ts);
        return loop ? loopObject(ts, loop) : Value::error();
    });
    fn("get_event_loop", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "get_event_loop", 0, 0))
            return Value::error();
        EventLoop *loop = EventLoop::current();
        if (!loop)
            return ts.raise(types().RuntimeError, "There is no current event loop in thread '" + ts.name() + "'.");
        return loopObject(ts, loop);
    });
    fn("current_task", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "current_task", 0, 1))
            return Value::error();
        if (!requireRunningLoop(ts))
            return Value::error();
        TaskObject *t = TaskObject::current();
        return t ? Value(t) : Value::none();
    });
    fn("all_tasks", [](ThreadState &ts, const CallArgs &) -> Value {
        EventLoop *loop = requireRunningLoop(ts);
        if (!loop)
            return Value::error();
        RuntimeState &rs = runtimeState(ts);
        std::vector<Value> tasks;
        {
            std::lock_guard lock(rs.loopsMutex);
            for (auto &t : rs.liveTasks[loop])
                if (!FutureObject::from(t)->done())
                    tasks.push_back(t);
        }
        Value set = call(ts, typeValue(types().set), {});
        for (auto &t : tasks)
            if (callMethod(ts, set, "add", std::span<const Value>(&t, 1)).isError())
                return Value::error();
        return set;
    });
    fn("iscoroutine", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "iscoroutine", 1, 1))
            return Value::error();
        return Value::fromBool(isCoroutineLike(args[0]));
    });
    fn("iscoroutinefunction", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "iscoroutinefunction", 1, 1))
            return Value::error();
        FunctionInfo info;
        return Value::fromBool(functionInfo(args[0], info) && info.isAsync);
    });
    fn("isfuture", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (!args.checkCount(ts, "isfuture", 1, 1))
            return Value::error();
        return Value::fromBool(FutureObject::from(args[0]) != nullptr);
    });
    fn("to_thread", [](ThreadState &ts, const CallArgs &args) -> Value {
        if (args.size() < 1)
            return ts.raise(types().TypeError, "to_thread() missing 1 required positional argument: 'func'");
        Value func = args[0];
        auto pos = positionalFrom(args, 1);
        auto kw = collectKwargs(args);
        return awaitFutureCoroutine(ts, "to_thread", [func, pos, kw](ThreadState &ts) -> Value {
            EventLoop *loop = requireRunningLoop(ts);
            if (!loop)
                return Value::error();
            return runInExecutor(ts, loop, Value::none(), func, pos, kw);
        });
    });
    attrs.emplace_back("Future", rs.futureType);
    attrs.emplace_back("Task", rs.taskType);
    attrs.emplace_back("Lock", rs.lockType);
    attrs.emplace_back("Semaphore", rs.semaphoreType);
    attrs.emplace_back("BoundedSemaphore", rs.semaphoreType);
    attrs.emplace_back("Event", rs.eventType);
    attrs.emplace_back("CancelledError", rs.cancelledError);
    attrs.emplace_back("InvalidStateError", rs.invalidStateError);
    attrs.emplace_back("TimeoutError", typeValue(types().TimeoutError));
    Value module = makeModule("asyncio", std::move(attrs));
    // wait, as_completed, shield and the queues are written in the language itself: run
    // them into this module's namespace (registered first, so that the import machinery
    // hands this same module back).
    Interpreter &interp = ts.interpreter();
    interp.addModule("asyncio", module);
    moduleSet(module, "__builtins__", interp.builtinsDict());
    if (interp.runBundledModule(ts, kAsyncioExtrasSource, "asyncio").isError())
        return Value::error();
    return module;
}

} // namespace loopscope::runtime
