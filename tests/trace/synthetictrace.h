// Synthetic trace event streams modelled on the seeds' scenarios, for the session model,
// diagnosis and exporter tests (and the chart tests). Times are given in seconds from the
// burst start; threads are fixed ids with names.
#pragma once

#include "trace/sessionbuilder.h"
#include "trace/tracebuffer.h"

#include <string>
#include <vector>

namespace loopscope::trace::synthetic {

inline constexpr std::uint64_t kOrigin = 5'000'000'000ULL; // arbitrary steady-clock origin
inline constexpr std::uint32_t kLoop = 0;
inline constexpr std::uint32_t kClient = 100;
inline std::uint32_t worker(int i) { return 1 + static_cast<std::uint32_t>(i); }

class Stream {
public:
    std::vector<TraceEvent> events;

    std::uint64_t ns(double seconds) const
    {
        return kOrigin + static_cast<std::uint64_t>(seconds * 1e9 + 0.5);
    }
    void ev(double t, EventKind kind, std::uint32_t thread, std::int64_t request = -1,
            std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0)
    {
        TraceEvent e;
        e.t = ns(t);
        e.kind = kind;
        e.thread = thread;
        e.request = request;
        e.a = a;
        e.b = b;
        e.c = c;
        events.push_back(e);
    }
    void blocked(double start, double end, const std::string &where, std::int64_t request = -1)
    {
        ev(end, EventKind::LoopBlocked, kLoop, request, ns(start), ns(end), intern(where));
    }
    void print(double t, std::uint32_t thread, std::int64_t request, const std::string &text)
    {
        ev(t, EventKind::Print, thread, request, intern(text), 0);
    }
    // The client side and the server's parse of one request.
    void arrive(std::int64_t id, const std::string &path, std::uint64_t conn, double sent,
                double accepted)
    {
        ev(sent, EventKind::ClientSent, kClient, id, conn);
        ev(accepted, EventKind::RequestAccepted, kLoop, id, conn);
        ev(accepted + 0.00005, EventKind::RequestPath, kLoop, id, intern(path), intern("GET"));
        ev(accepted + 0.0001, EventKind::RequestRead, kLoop, id, conn);
    }
    void lagSamples(double from, double to, double ms)
    {
        for (double t = from; t < to; t += 0.01)
            ev(t, EventKind::LoopLag, kLoop, -1, static_cast<std::uint64_t>(ms * 1e6));
    }

    static std::vector<ThreadInfo> threads()
    {
        std::vector<ThreadInfo> t{{kLoop, "loop"}, {kClient, "client-0"}};
        for (int i = 0; i < 42; ++i)
            t.push_back({worker(i), "worker-" + std::to_string(i + 1)});
        return t;
    }

    Session build(std::uint64_t holdback = 0) const
    {
        SessionBuilder b;
        b.setOrigin(kOrigin);
        b.setThreads(threads());
        b.setHoldback(holdback);
        b.add(events);
        b.finish();
        return b.session();
    }
};

// `async def` + time.sleep(1), two requests on two connections: the second is read only
// after the first's blocking call, and blocks the loop itself for another second.
inline Stream asyncBlock2()
{
    Stream s;
    s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 0, 40, intern("anyio limiter"));
    for (int i = 0; i < 2; ++i) {
        const double base = i * 1.0007;
        s.arrive(i, "/async_block?i=" + std::to_string(i), i, 0.0001,
                 i == 0 ? 0.0002 : base + 0.0002);
        s.ev(base + 0.0003, EventKind::RequestQueued, kLoop, i);
        s.ev(base + 0.0004, EventKind::LoopStepBegin, kLoop, -1, intern("Task async_block"));
        s.ev(base + 0.0004, EventKind::RunBegin, kLoop, i);
        s.print(base + 0.0005, kLoop, i, "Hello " + std::to_string(i));
        s.blocked(base + 0.0005, base + 1.0005, "app.py:14|async_block|time.sleep", i);
        s.print(base + 1.0006, kLoop, i, "bye " + std::to_string(i));
        s.ev(base + 1.0006, EventKind::RunEnd, kLoop, i);
        s.ev(base + 1.0007, EventKind::ResponseWritten, kLoop, i, 200, 6);
        s.ev(base + 1.0007, EventKind::LoopStepEnd, kLoop, -1, intern("Task async_block"));
        s.ev(base + 1.0007, EventKind::LoopWarning, kLoop, -1,
             intern("Executing <Task pending name='Task-" + std::to_string(i + 3)
                    + "' coro=<async_block()>> took 1.000 seconds"));
        s.ev(base + 1.0009, EventKind::ClientDone, kClient, i, 200, 6);
    }
    // The 10 ms lag sampler: quiet before, a 1 s sample after each block.
    s.ev(1.0008, EventKind::LoopLag, kLoop, -1, 990'000'000);
    s.ev(2.0015, EventKind::LoopLag, kLoop, -1, 990'000'000);
    s.lagSamples(2.01, 2.2, 0.2);
    return s;
}

// 41 `def` requests for 40 tokens: request 40 waits ≈1 s for the first thread to come free.
inline Stream syncBlock41()
{
    Stream s;
    s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 0, 40, intern("anyio limiter"));
    s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 1, 6, intern("default executor"));
    s.lagSamples(0.0, 2.1, 0.3);
    int busy = 0, waiting = 0;
    for (int i = 0; i < 41; ++i) {
        const double t = 0.001 + i * 0.0001;
        s.arrive(i, "/sync_block?i=" + std::to_string(i), i, 0.0001 + i * 0.00001, t);
        s.ev(t + 0.0001, EventKind::RequestQueued, kLoop, i);
        s.ev(t + 0.0002, EventKind::LoopStepBegin, kLoop, -1, intern("Task run_in_threadpool"));
        s.ev(t + 0.0002, EventKind::TokenWaitBegin, kLoop, i, 0);
        if (i < 40) {
            s.ev(t + 0.0002, EventKind::TokenAcquired, kLoop, i, 0);
            s.ev(t + 0.0002, EventKind::PoolState, kLoop, -1, 0, ++busy, waiting);
        } else {
            s.ev(t + 0.0002, EventKind::PoolState, kLoop, -1, 0, busy, ++waiting);
        }
        s.ev(t + 0.0003, EventKind::LoopStepEnd, kLoop, -1, intern("Task run_in_threadpool"));
        if (i < 40) {
            s.ev(t + 0.0004, EventKind::RunBegin, worker(i), i);
            s.print(t + 0.0005, worker(i), i, "Hello " + std::to_string(i));
            s.print(t + 1.0004, worker(i), i, "bye " + std::to_string(i));
            s.ev(t + 1.0005, EventKind::RunEnd, worker(i), i);
        }
    }
    // Request 0 releases first; its token goes to request 40 (waiting since 0.0052).
    const double firstFree = 0.001 + 1.0005;
    for (int i = 0; i < 40; ++i) {
        const double t = 0.001 + i * 0.0001 + 1.0005;
        s.ev(t, EventKind::TokenReleased, worker(i), i, 0);
        if (i == 0) {
            s.ev(t + 0.00001, EventKind::TokenAcquired, kLoop, 40, 0);
            s.ev(t + 0.00001, EventKind::PoolState, kLoop, -1, 0, busy, --waiting);
        } else {
            s.ev(t, EventKind::PoolState, kLoop, -1, 0, --busy, waiting);
        }
        s.ev(t + 0.0003, EventKind::ResponseWritten, kLoop, i, 200, 6);
        s.ev(t + 0.0006, EventKind::ClientDone, kClient, i, 200, 6);
    }
    s.ev(firstFree + 0.0001, EventKind::RunBegin, worker(0), 40);
    s.print(firstFree + 0.0002, worker(0), 40, "Hello 40");
    s.print(firstFree + 1.0001, worker(0), 40, "bye 40");
    s.ev(firstFree + 1.0002, EventKind::RunEnd, worker(0), 40);
    s.ev(firstFree + 1.0003, EventKind::TokenReleased, worker(0), 40, 0);
    s.ev(firstFree + 1.0003, EventKind::PoolState, kLoop, -1, 0, --busy, waiting);
    s.ev(firstFree + 1.0005, EventKind::ResponseWritten, kLoop, 40, 200, 6);
    s.ev(firstFree + 1.0008, EventKind::ClientDone, kClient, 40, 200, 6);
    return s;
}

// A `def` request finishes on a worker at 0.1 s while an `async def` request blocks the
// loop from 0.05 s to 1.05 s: the finished response waits ≈0.95 s for the loop.
inline Stream defHeldByBlockedLoop()
{
    Stream s;
    s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 0, 40, intern("anyio limiter"));
    s.arrive(0, "/fast_sync?i=0", 0, 0.0001, 0.001);
    s.ev(0.002, EventKind::TokenWaitBegin, kLoop, 0, 0);
    s.ev(0.002, EventKind::TokenAcquired, kLoop, 0, 0);
    s.ev(0.002, EventKind::PoolState, kLoop, -1, 0, 1, 0);
    s.ev(0.003, EventKind::RunBegin, worker(0), 0);
    s.print(0.004, worker(0), 0, "fast 0");
    s.ev(0.1, EventKind::RunEnd, worker(0), 0);
    s.ev(0.1, EventKind::TokenReleased, worker(0), 0, 0);
    s.ev(0.1, EventKind::PoolState, worker(0), -1, 0, 0, 0);

    s.arrive(1, "/async_block?i=1", 1, 0.0002, 0.04);
    s.ev(0.05, EventKind::LoopStepBegin, kLoop, -1, intern("Task async_block"));
    s.ev(0.05, EventKind::RunBegin, kLoop, 1);
    s.blocked(0.05, 1.05, "app.py:14|async_block|time.sleep", 1);
    s.ev(1.0501, EventKind::RunEnd, kLoop, 1);
    s.ev(1.0502, EventKind::ResponseWritten, kLoop, 1, 200, 6);
    s.ev(1.0502, EventKind::LoopStepEnd, kLoop, -1, intern("Task async_block"));
    s.ev(1.0503, EventKind::LoopStepBegin, kLoop, -1, intern("write response"));
    s.ev(1.0504, EventKind::ResponseWritten, kLoop, 0, 200, 8);
    s.ev(1.0505, EventKind::LoopStepEnd, kLoop, -1, intern("write response"));
    s.ev(1.0506, EventKind::ClientDone, kClient, 0, 200, 8);
    s.ev(1.0507, EventKind::ClientDone, kClient, 1, 200, 6);
    return s;
}

// Two `def` requests sharing one keep-alive connection: the second is read only after the
// first response is complete.
inline Stream oneConnection2()
{
    Stream s;
    s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 0, 40, intern("anyio limiter"));
    for (int i = 0; i < 2; ++i) {
        const double base = i * 1.002;
        s.arrive(i, "/sync_block?i=" + std::to_string(i), 0, base + 0.0001, base + 0.0002);
        s.ev(base + 0.0004, EventKind::TokenWaitBegin, kLoop, i, 0);
        s.ev(base + 0.0004, EventKind::TokenAcquired, kLoop, i, 0);
        s.ev(base + 0.0005, EventKind::RunBegin, worker(0), i);
        s.ev(base + 1.0005, EventKind::RunEnd, worker(0), i);
        s.ev(base + 1.0006, EventKind::TokenReleased, worker(0), i, 0);
        s.ev(base + 1.0008, EventKind::ResponseWritten, kLoop, i, 200, 6);
        s.ev(base + 1.001, EventKind::ClientDone, kClient, i, 200, 6);
    }
    return s;
}

} // namespace loopscope::trace::synthetic
