// The runtime's entry points for the language and the FastAPI layer.
#include "asyncruntime.h"

#include "future.h"
#include "nativecoroutine.h"
#include "runtimestate.h"
#include "task.h"
#include "threadpoolexecutor.h"
#include "workerthreadpool.h"

#include <algorithm>

namespace loopscope::runtime {

using namespace lang;

void registerRuntimeModules(Interpreter &interp, const RuntimeSettings &settings)
{
    RuntimeState &rs = runtimeState(interp);
    rs.settings = settings;
    interp.registerModule("asyncio", [](ThreadState &ts) { return makeAsyncioModule(ts); });
    interp.registerModule("anyio", [](ThreadState &ts) { return makeAnyioModule(ts); });
    interp.registerModule("anyio.to_thread", [](ThreadState &ts) {
        Value made = ts.interpreter().moduleIfLoaded("anyio.to_thread"); // made by anyio's factory
        return made.isModule() ? made : makeAnyioToThreadModule(ts);
    });
    interp.registerModule("concurrent", [](ThreadState &ts) { return makeConcurrentPackage(ts); });
    interp.registerModule("concurrent.futures", [](ThreadState &ts) {
        Value made = ts.interpreter().moduleIfLoaded("concurrent.futures");
        return made.isModule() ? made : makeConcurrentFuturesModule(ts);
    });
    interp.registerModule("fastapi.concurrency",
                          [](ThreadState &ts) { return makeConcurrencyModule(ts, "fastapi.concurrency"); });
    interp.registerModule("starlette.concurrency",
                          [](ThreadState &ts) { return makeConcurrencyModule(ts, "starlette.concurrency"); });
}

RuntimeSettings runtimeSettings(Interpreter &interp)
{
    return runtimeState(interp).settings;
}

void setMainModuleSource(Interpreter &interp, std::string source, std::string filename)
{
    RuntimeState &rs = runtimeState(interp);
    rs.settings.mainSource = std::move(source);
    rs.settings.mainFilename = std::move(filename);
}

void bindLoop(EventLoop &loop, ThreadState &loopTs)
{
    RuntimeState &rs = runtimeState(loopTs);
    loop.setCpuCount(loopTs.interpreter().options().cpuCount > 0 ? loopTs.interpreter().options().cpuCount : 1);
    loop.defaultLimiter().setWakeOrder(rs.settings.limiterOrder);
    loop.defaultLimiter().setTotalTokens(rs.settings.threadTokens);
    ThreadState *ts = &loopTs;
    // Python code on the loop runs with the GIL; the loop drops it before it waits. The
    // hook asks for the loop thread's current ThreadState, so a ThreadState destroyed
    // without unbindLoop() is never touched.
    loop.setIterationEndHook([] {
        ThreadState *cur = ThreadState::current();
        if (cur && cur->holdsGil())
            cur->releaseGil();
    });
    // The watchdog samples only while `ts` is still attached to its interpreter.
    std::weak_ptr<Interpreter> weakInterp = loopTs.interpreter().weak_from_this();
    loop.setPositionSampler([ts, weakInterp](StepSample &s) {
        auto interp = weakInterp.lock();
        if (!interp)
            return false;
        const auto attached = interp->threads();
        if (std::find(attached.begin(), attached.end(), ts) == attached.end())
            return false;
        PositionSample p = ts->samplePosition();
        if (!p.valid)
            return false;
        s.filename = std::move(p.filename);
        s.function = std::move(p.function);
        s.line = p.line;
        s.nativeCall = std::move(p.nativeCall);
        if (!p.outer.empty()) {
            s.outerFunction = p.outer.back().function;
            s.outerFilename = p.outer.back().filename;
            s.outerLine = p.outer.back().line;
        } else {
            s.outerFunction = s.function;
            s.outerFilename = s.filename;
            s.outerLine = s.line;
        }
        return true;
    });
    Interpreter *interp = &loopTs.interpreter();
    loop.workerPool().setThreadHooks([interp] { poolThreadState(*interp); }, {});
}

void unbindLoop(EventLoop &loop, ThreadState &ts)
{
    loop.setPositionSampler({});
    loop.setIterationEndHook({});
    RuntimeState &rs = runtimeState(ts);
    std::vector<Value> dropped;
    {
        std::lock_guard lock(rs.loopsMutex);
        auto it = rs.loopObjects.find(&loop);
        if (it != rs.loopObjects.end()) {
            dropped.push_back(it->second);
            rs.loopObjects.erase(it);
        }
        auto tasks = rs.liveTasks.find(&loop);
        if (tasks != rs.liveTasks.end()) {
            for (auto &t : tasks->second)
                dropped.push_back(t);
            rs.liveTasks.erase(tasks);
        }
    }
    for (auto &v : dropped)
        if (!FutureObject::from(v))
            markLoopClosed(v);
}

Value createTask(ThreadState &ts, const Value &coro, std::int64_t request, std::string name)
{
    EventLoop *loop = requireRunningLoop(ts);
    if (!loop)
        return Value::error();
    if (!isCoroutineLike(coro)) {
        return ts.raise(types().TypeError, "a coroutine was expected, got " + repr(ts, coro));
    }
    Value task = TaskObject::create(ts, loop, coro, request, std::move(name));
    trackTask(ts, loop, task);
    return task;
}

void trackTask(ThreadState &ts, EventLoop *loop, const Value &task)
{
    RuntimeState &rs = runtimeState(ts);
    {
        std::lock_guard lock(rs.loopsMutex);
        rs.liveTasks[loop].push_back(task);
    }
    FutureObject *f = FutureObject::from(task);
    RuntimeState *rsp = &rs;
    f->addDoneCallback([rsp, loop](ThreadState &, const Value &done) {
        std::lock_guard lock(rsp->loopsMutex);
        auto it = rsp->liveTasks.find(loop);
        if (it == rsp->liveTasks.end())
            return;
        auto &v = it->second;
        for (auto i = v.begin(); i != v.end(); ++i) {
            if (i->is(done)) {
                v.erase(i);
                break;
            }
        }
    });
}

bool isFuture(const Value &v)
{
    return FutureObject::from(v) != nullptr;
}

bool futureDone(const Value &future)
{
    FutureObject *f = FutureObject::from(future);
    return f && f->done();
}

bool addDoneCallback(const Value &future, FutureCallback cb)
{
    FutureObject *f = FutureObject::from(future);
    if (!f)
        return false;
    f->addDoneCallback(std::move(cb));
    return true;
}

Value futureResult(ThreadState &ts, const Value &future)
{
    FutureObject *f = FutureObject::from(future);
    if (!f)
        return ts.raise(types().TypeError, "not a Future");
    return f->result(ts);
}

bool cancelFuture(ThreadState &ts, const Value &future, std::string message)
{
    FutureObject *f = FutureObject::from(future);
    return f && f->cancel(ts, std::move(message));
}

bool isCoroutineLike(const Value &v)
{
    return isCoroutine(v) || NativeCoroutine::from(v) != nullptr;
}

Value ensureFuture(ThreadState &ts, EventLoop *loop, const Value &x)
{
    if (FutureObject::from(x))
        return x;
    Value coro = x;
    if (!isCoroutineLike(x)) {
        if (getAttrOpt(ts, x, "__await__").isNotFound() && !isGeneratorObject(x))
            return ts.raise(types().TypeError,
                            "An asyncio.Future, a coroutine or an awaitable is required");
        coro = getAwaitable(ts, x);
        if (coro.isError())
            return coro;
    }
    Value task = TaskObject::create(ts, loop, coro, -2, {});
    trackTask(ts, loop, task);
    return task;
}

Value awaitFutureCoroutine(ThreadState &ts, std::string name, std::function<Value(ThreadState &)> start)
{
    struct State {
        std::function<Value(ThreadState &)> start;
        Value future;
    };
    auto st = std::make_shared<State>();
    st->start = std::move(start);
    return makeNativeCoroutine(ts, std::move(name), [st](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        if (st->future.isNone()) {
            if (exc)
                return raiseThrown(ts, *exc);
            Value fut = st->start(ts);
            st->start = nullptr;
            if (fut.isError())
                return raised();
            st->future = fut;
        }
        FutureObject *f = FutureObject::from(st->future);
        if (!f) { // start() produced a plain value: return it
            return returnValue(st->future);
        }
        if (exc && !f->done())
            f->cancel(ts); // the awaiting task was cancelled: stop waiting for the job
        return f->awaitStep(ts, exc);
    });
}

Value runInExecutor(ThreadState &ts, EventLoop *loop, const Value &executor, Value fn, std::vector<Value> args,
                    std::vector<std::pair<std::string, Value>> kwargs)
{
    Value fut = FutureObject::create(ts, loop);
    const std::int64_t request = ts.currentRequest;
    Value futCopy = fut;
    bool ok = submitToExecutor(ts, loop, executor, std::move(fn), std::move(args), std::move(kwargs),
                               [loop, futCopy, request](CallOutcome outcome) mutable {
                                   StepInfo info;
                                   info.request = request;
                                   loop->callSoonThreadsafe(
                                       [futCopy, outcome = std::move(outcome)]() mutable {
                                           ThreadState *lts = ThreadState::current();
                                           if (!lts)
                                               return;
                                           ensureGil(*lts);
                                           FutureObject *f = FutureObject::from(futCopy);
                                           if (f->done())
                                               return; // cancelled meanwhile
                                           if (!outcome.exception.isNone())
                                               f->setException(*lts, std::move(outcome.exception));
                                           else
                                               f->setResult(*lts, std::move(outcome.result));
                                       },
                                       std::move(info));
                               });
    if (!ok)
        return Value::error();
    return fut;
}

Value runSyncCoroutine(ThreadState &ts, Value fn, std::vector<Value> args,
                       std::vector<std::pair<std::string, Value>> kwargs, CapacityLimiter *limiter)
{
    // anyio.to_thread.run_sync as AnyIO 3.6 runs it: a checkpoint first, then a token —
    // at once followed by a second, cancel-shielded checkpoint, or a place in line — then
    // the worker thread, then the token back. So a job free to go reaches its worker in
    // the task's third step, as in FastAPI.
    struct State {
        int stage = 0;
        CapacityLimiter *limiter = nullptr;
        EventLoop *loop = nullptr;
        Value fn;
        std::vector<Value> args;
        std::vector<std::pair<std::string, Value>> kwargs;
        Value tokenFuture; // resolved when a queued acquire got its token
        CapacityLimiter::WaitId waitId = 0;
        struct Job {
            bool done = false;    // loop thread
            CallOutcome outcome;  // written by the worker before its completion call
            Value waiter;         // what the task waits on meanwhile
        };
        std::shared_ptr<Job> job = std::make_shared<Job>();
        Value pendingCancel;
        std::int64_t request = -1;
        bool holding = false;
    };
    auto st = std::make_shared<State>();
    st->limiter = limiter;
    st->fn = std::move(fn);
    st->args = std::move(args);
    st->kwargs = std::move(kwargs);
    std::string name = "run_sync";
    return makeNativeCoroutine(ts, name, [st](ThreadState &ts, const Value &, const Value *exc) -> ResumeResult {
        auto releaseToken = [&] {
            if (st->holding) {
                st->holding = false;
                st->limiter->release(st->request);
            }
        };
        if (st->stage == 0) {
            if (exc)
                return raiseThrown(ts, *exc);
            st->loop = requireRunningLoop(ts);
            if (!st->loop)
                return raised();
            if (!st->limiter)
                st->limiter = &st->loop->defaultLimiter();
            st->request = ts.currentRequest;
            st->stage = 1;
            return yieldValue(Value::none()); // checkpoint()
        }
        if (st->stage == 1) {
            if (exc) // cancelled at the checkpoint: nothing taken yet
                return raiseThrown(ts, *exc);
            Value tokenFuture = FutureObject::create(ts, st->loop);
            st->tokenFuture = tokenFuture;
            st->waitId = st->limiter->acquire(
                [tokenFuture] {
                    FutureObject *f = FutureObject::from(tokenFuture);
                    if (ThreadState *cur = ThreadState::current())
                        f->setResult(*cur, Value::none());
                },
                st->request);
            st->stage = 2;
            if (st->waitId == 0) {
                st->holding = true;
                st->tokenFuture = Value::none();
                return yieldValue(Value::none()); // cancel_shielded_checkpoint()
            }
            return yieldValue(st->tokenFuture);
        }
        if (st->stage == 2) {
            if (!st->tokenFuture.isNone()) {
                FutureObject *tf = FutureObject::from(st->tokenFuture);
                if (exc || tf->cancelled()) {
                    if (!st->limiter->cancelWait(st->waitId))
                        st->limiter->release(st->request); // it had been handed over
                    if (exc)
                        return raiseThrown(ts, *exc);
                    ts.raise(newCancelledError(ts, tf->cancelMessage()));
                    return raised();
                }
                st->holding = true;
                st->tokenFuture = Value::none();
            } else if (exc) {
                releaseToken();
                return raiseThrown(ts, *exc);
            }
            Interpreter *interp = &ts.interpreter();
            Value fn = st->fn;
            auto args = std::move(st->args);
            auto kwargs = std::move(st->kwargs);
            const std::int64_t request = st->request;
            // The outcome travels with the worker's completion call, which also makes the
            // worker idle first — AnyIO's _report_result order.
            auto job = st->job;
            st->loop->workerPool().submit(
                [interp, fn, args, kwargs, request, job]() mutable {
                    job->outcome = callOnPoolThread(*interp, fn, args, kwargs, request);
                    fn = Value::none();
                    args.clear();
                    kwargs.clear();
                },
                [job] {
                    job->done = true;
                    FutureObject *w = FutureObject::from(job->waiter);
                    ThreadState *lts = ThreadState::current();
                    if (w && lts && !w->done()) {
                        ensureGil(*lts);
                        w->setResult(*lts, Value::none());
                    }
                },
                request);
            st->stage = 3;
        }
        // stage 3: the thread runs. AnyIO shields it: a cancellation is remembered and
        // delivered once the thread has finished and the token is back.
        if (exc && st->pendingCancel.isNone())
            st->pendingCancel = *exc;
        if (FutureObject *w = FutureObject::from(st->job->waiter); w && w->cancelled() && st->pendingCancel.isNone())
            st->pendingCancel = newCancelledError(ts, w->cancelMessage());
        if (!st->job->done) {
            st->job->waiter = FutureObject::create(ts, st->loop);
            return yieldValue(st->job->waiter);
        }
        releaseToken();
        if (!st->pendingCancel.isNone())
            return raiseThrown(ts, st->pendingCancel);
        if (!st->job->outcome.exception.isNone())
            return raiseThrown(ts, st->job->outcome.exception);
        return returnValue(st->job->outcome.result);
    });
}

} // namespace loopscope::runtime
