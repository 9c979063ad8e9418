// The runtime as the language sees it: registering the asyncio / anyio /
// concurrent.futures / starlette+fastapi.concurrency modules, binding an EventLoop to the
// interpreter thread that runs it, and the C++ entry points the FastAPI layer uses to run
// endpoint coroutines as tasks and `def` endpoints on the worker threads.
#pragma once

#include "capacitylimiter.h"
#include "eventloop.h"

#include "lang/native.h"
#include "lang/value.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace loopscope::lang {
class Interpreter;
class ThreadState;
} // namespace loopscope::lang

namespace loopscope::runtime {

struct RuntimeSettings {
    CapacityLimiter::WakeOrder limiterOrder = CapacityLimiter::WakeOrder::Fifo; // --limiter
    int threadTokens = 40;                                                      // --threads
    // The main module, loaded again by every ProcessPoolExecutor worker interpreter.
    std::string mainSource;
    std::string mainFilename;
    // Registers the non-runtime native modules (fastapi, ...) in a worker interpreter.
    std::function<void(lang::Interpreter &child)> configureChild;
};

// Registers asyncio, anyio, anyio.to_thread, concurrent.futures, fastapi.concurrency and
// starlette.concurrency with the interpreter (created on first import).
void registerRuntimeModules(lang::Interpreter &interp, const RuntimeSettings &settings = {});
RuntimeSettings runtimeSettings(lang::Interpreter &interp);
void setMainModuleSource(lang::Interpreter &interp, std::string source, std::string filename);

// Makes `loop` run Python code with `loopTs` (the loop thread's ThreadState): tasks take
// the GIL per iteration and drop it before the loop waits, the watchdog samples loopTs,
// the default limiter gets the settings' size and wake order. Call on the loop thread.
void bindLoop(EventLoop &loop, lang::ThreadState &loopTs);
// Before the loop is destroyed: its Python loop object reports "Event loop is closed".
void unbindLoop(EventLoop &loop, lang::ThreadState &ts);

// asyncio.create_task on the loop running on this thread. request < -1 inherits the
// current task's request (like a contextvar). Returns the Task, or error() + exception.
lang::Value createTask(lang::ThreadState &ts, const lang::Value &coro, std::int64_t request = -2,
                       std::string name = {});

// Futures and tasks from C++ (loop thread).
using FutureCallback = std::function<void(lang::ThreadState &, const lang::Value &future)>;
bool isFuture(const lang::Value &v);
bool futureDone(const lang::Value &future);
// Runs as a loop callback once the future is done (at once-scheduled if already done).
bool addDoneCallback(const lang::Value &future, FutureCallback cb);
// The result, or error() with the exception (CancelledError when cancelled) set in ts.
lang::Value futureResult(lang::ThreadState &ts, const lang::Value &future);
bool cancelFuture(lang::ThreadState &ts, const lang::Value &future, std::string message = {});

// A coroutine written in C++: `step` gets what the awaiting code sends (None at first)
// or, when exc is non-null, the exception thrown in. Yield a Future to wait for it,
// None to wait one loop iteration.
using CoroutineStep =
    std::function<lang::ResumeResult(lang::ThreadState &, const lang::Value &sent, const lang::Value *exc)>;
lang::Value makeNativeCoroutine(lang::ThreadState &ts, std::string name, CoroutineStep step);

// anyio.to_thread.run_sync(fn, *args, **kwargs) (what a `def` endpoint and
// run_in_threadpool do): a coroutine that takes a token of `limiter` (default: the loop's
// 40-token limiter), runs fn on a worker thread and returns its result.
lang::Value runSyncCoroutine(lang::ThreadState &ts, lang::Value fn, std::vector<lang::Value> args,
                             std::vector<std::pair<std::string, lang::Value>> kwargs = {},
                             CapacityLimiter *limiter = nullptr);

// asyncio.CancelledError of this interpreter.
lang::Value cancelledErrorType(lang::ThreadState &ts);

} // namespace loopscope::runtime
