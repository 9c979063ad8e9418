// The trace event: one small plain record per thing that happened in the engine.
// Every engine thread writes these into its own buffer (tracebuffer.h); one hub drains
// them; the session model (session.h) turns them into requests, loop and pool series.
#pragma once

#include <cstdint>

namespace loopscope::trace {

// What happened. Payload fields a/b/c are described per kind; string payloads are ids
// from intern() (tracebuffer.h). Times are steady-clock nanoseconds (trace::now()).
enum class EventKind : std::uint16_t {
    // --- event loop (thread "loop") ---
    LoopStepBegin,    // a = string id of what runs (e.g. "Task-3 async_block")
    LoopStepEnd,      // a = same string id as the begin
    LoopLag,          // a = lag in ns measured by the 10 ms sampler
    LoopBlocked,      // a = start ns, b = end ns, c = string id "file:line|function|call"
    LoopWarning,      // a = string id of the asyncio-debug style line
                      //     ("Executing <Task ...> took 1.002 seconds")
    // --- pools (limiter, default executor, user executors) ---
    PoolDeclared,     // a = pool id, b = limit, c = string id of the pool's name
    PoolState,        // a = pool id, b = busy, c = waiting (emitted on every change)
    TokenWaitBegin,   // request waits for a token; a = pool id
    TokenAcquired,    // a = pool id
    TokenReleased,    // a = pool id
    // --- requests (request = the request id) ---
    RequestAccepted,  // connection accepted / request began arriving; a = connection id
    RequestRead,      // whole request parsed; a = connection id
    RequestQueued,    // waiting for the loop to run it
    RunBegin,         // handler code starts running on this thread
    RunEnd,           // handler code stops running on this thread (returned or suspended)
    AwaitBegin,       // suspended at an await; a = string id of what it awaits
    AwaitEnd,         // resumed
    ResponseWritten,  // last byte handed to the socket; a = status, b = body bytes
    BackgroundBegin,  // a background task starts; a = string id of its name
    BackgroundEnd,
    // --- program output ---
    Print,            // a = string id of the text (without the trailing newline), b = PrintStream
    // --- client (burst generator) ---
    ClientSent,       // a = connection index
    ClientFirstByte,
    ClientDone,       // a = status, b = bytes
    // --- added later (keep appending here, before Count) ---
    RequestPath,      // a = string id of the request target ("/x?i=0"), b = string id of the
                      //     method ("GET"); emitted once when the request line is parsed
    GilWaitBegin,     // a thread wants the GIL; request = whose code, a = string id "file:line"
    GilAcquired,      // the thread holds the GIL again
    LoopStall,        // a loop step has run past the slow-step threshold and still runs (from
                      //     the loop's watchdog thread, about every 100 ms); request = whose
                      //     step, a = the step's start ns (its LoopStepBegin's t: what ties the
                      //     report to its loop), c = string id
                      //     "file:line|function|call" of where it has been seen most so far
    Count
};

// 48 bytes: well inside the 64-byte budget per event.
// Where a Print line went: the app's stdout or stderr, or the server's own error log
// (uvicorn's "Exception in ASGI application" report, which is not the app's output).
enum PrintStream : std::uint64_t { PrintStdout = 0, PrintStderr = 1, PrintServerLog = 2 };

struct TraceEvent {
    std::uint64_t t = 0;        // steady-clock ns (trace::now())
    std::int64_t request = -1;  // request id, or -1 when the event belongs to no request
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
    EventKind kind = EventKind::Count;
    std::uint16_t process = 0;  // worker (process) index: 0 unless --workers N
    std::uint32_t thread = 0;   // thread id from the hub's registry (threadName())
};
static_assert(sizeof(TraceEvent) <= 64, "trace events must stay small");

} // namespace loopscope::trace
