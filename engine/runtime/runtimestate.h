// RuntimeState: what the runtime keeps per interpreter — its Python types (Future, Task,
// coroutine, Lock, ...), asyncio's exception classes and the settings — plus helpers the
// module files share (GIL on the loop thread, pool-thread ThreadStates).
#pragma once

#include "asyncruntime.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/objects.h"
#include "lang/threadstate.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace loopscope::runtime {

struct RuntimeState {
    std::weak_ptr<lang::Interpreter> interp;
    RuntimeSettings settings;

    lang::Value cancelledError;     // asyncio.CancelledError (BaseException)
    lang::Value invalidStateError;  // asyncio.InvalidStateError
    lang::Value brokenExecutor;     // concurrent.futures.BrokenExecutor (RuntimeError)
    lang::Value cfCancelledError;   // concurrent.futures.CancelledError (is asyncio's, as in 3.11)

    lang::Value futureType;
    lang::Value taskType;
    lang::Value coroutineType;
    lang::Value loopType;
    lang::Value handleType;
    lang::Value lockType;
    lang::Value semaphoreType;
    lang::Value eventType;
    lang::Value limiterType;
    lang::Value statisticsType;
    lang::Value threadPoolType;
    lang::Value processPoolType;
    lang::Value cfFutureType;

    std::mutex loopsMutex;
    std::map<EventLoop *, lang::Value> loopObjects; // Python loop objects per EventLoop
    std::map<EventLoop *, std::vector<lang::Value>> liveTasks;
};

// The state of ts's interpreter (created with its types on first use; GIL held).
RuntimeState &runtimeState(lang::ThreadState &ts);
RuntimeState &runtimeState(lang::Interpreter &interp);

// Raises `type` (a type Value) with a message; returns error().
lang::Value raiseType(lang::ThreadState &ts, const lang::Value &type, std::string message);
lang::Value newCancelledError(lang::ThreadState &ts, const std::string &message);

// The loop running on this thread or RuntimeError('no running event loop').
EventLoop *requireRunningLoop(lang::ThreadState &ts);
// The Python object for an EventLoop (asyncio.get_running_loop()).
lang::Value loopObject(lang::ThreadState &ts, EventLoop *loop);
// The loop behind it is going away: its methods raise "Event loop is closed".
void markLoopClosed(const lang::Value &loopObject);

// Takes the GIL if this thread does not hold it (loop callbacks that touch Values).
inline void ensureGil(lang::ThreadState &ts)
{
    if (!ts.holdsGil())
        ts.acquireGil();
}

// The ThreadState of the calling (pool) thread for `interp`, attached on first use and
// detached when the thread exits. Returned without the GIL held.
lang::ThreadState &poolThreadState(lang::Interpreter &interp);

// Calls fn(*args, **kwargs) on the calling pool thread with the GIL; the result or the
// exception (out), for the loop thread to deliver.
struct CallOutcome {
    lang::Value result;
    lang::Value exception; // None when it returned
};
CallOutcome callOnPoolThread(lang::Interpreter &interp, const lang::Value &fn, const std::vector<lang::Value> &args,
                             const std::vector<std::pair<std::string, lang::Value>> &kwargs, std::int64_t request);

// Submits fn(*args, **kwargs) to a concurrent.futures executor object (None = the loop's
// default executor); onDone runs on the pool thread with the outcome. False with an
// exception set when the executor is shut down or not an executor.
bool submitToExecutor(lang::ThreadState &ts, EventLoop *loop, const lang::Value &executor, lang::Value fn,
                      std::vector<lang::Value> args, std::vector<std::pair<std::string, lang::Value>> kwargs,
                      std::function<void(CallOutcome)> onDone);
// loop.run_in_executor(executor, fn, *args): an asyncio Future resolved on the loop thread.
lang::Value runInExecutor(lang::ThreadState &ts, EventLoop *loop, const lang::Value &executor, lang::Value fn,
                          std::vector<lang::Value> args, std::vector<std::pair<std::string, lang::Value>> kwargs = {});
// A coroutine that calls start() when first resumed and then awaits the future it returns.
lang::Value awaitFutureCoroutine(lang::ThreadState &ts, std::string name,
                                 std::function<lang::Value(lang::ThreadState &)> start);
// asyncio.ensure_future: futures as they are, coroutines and awaitables as new tasks.
lang::Value ensureFuture(lang::ThreadState &ts, EventLoop *loop, const lang::Value &x);
bool isCoroutineLike(const lang::Value &v);

// Module factories (asynciomodule.cpp, anyiomodule.cpp, concurrentmodule.cpp).
lang::Value makeAsyncioModule(lang::ThreadState &ts);
lang::Value makeAnyioModule(lang::ThreadState &ts);
lang::Value makeAnyioToThreadModule(lang::ThreadState &ts);
lang::Value makeConcurrencyModule(lang::ThreadState &ts, const std::string &name);
lang::Value makeConcurrentFuturesModule(lang::ThreadState &ts);
lang::Value makeConcurrentPackage(lang::ThreadState &ts);

// Live tasks per loop (asyncio.run cancels the leftovers).
void trackTask(lang::ThreadState &ts, EventLoop *loop, const lang::Value &task);

// Reports an exception raised by a callback the way asyncio's default handler does.
void reportCallbackException(lang::ThreadState &ts, const std::string &context, const lang::Value &exc);

// Small argument helpers.
std::vector<lang::KeywordArg> keywordArgs(const std::vector<std::pair<std::string, lang::Value>> &kwargs);

} // namespace loopscope::runtime
