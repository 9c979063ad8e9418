// Sample sessions for the UI tests and benchmarks: the shapes of lesson 1 (async def with
// time.sleep: two requests finish at ~1 s and ~2 s, the loop blocked at app.py:8) and of
// a large burst, built directly as trace::Session values.
#pragma once

#include "trace/session.h"

#include <cmath>
#include <string>

namespace loopscope::uitest {

using namespace loopscope::trace;

inline Session asyncSleepSession(int requests = 2, const std::string &file = "01_async_time_sleep.py", int line = 14)
{
    Session s;
    PoolModel limiter;
    limiter.id = 0;
    limiter.name = "thread limiter";
    limiter.limit = 40;
    limiter.series.push_back({0.0, 0, 0});
    s.pools.push_back(limiter);
    s.threads[1] = "loop";
    s.loopThreads.push_back(1);
    for (int i = 0; i < requests; ++i) {
        RequestTimeline r;
        r.id = i;
        r.method = "GET";
        r.path = "/ping?i=" + std::to_string(i);
        r.clientConnection = i;
        r.connection = i;
        r.sent = 0.001 * i;
        r.accepted = r.sent + 0.0002;
        r.read = r.accepted + 0.0001;
        const double start = i * 1.0 + 0.002;
        r.phases.push_back({Phase::Queued, r.read, start, 1, -1, {}});
        r.phases.push_back({Phase::Running, start, start + 1.0, 1, -1, {}});
        r.responseWritten = start + 1.0005;
        r.clientDone = start + 1.001;
        r.status = 200;
        r.body = "\"pong\"";
        r.sentRank = i;
        r.doneRank = i;
        s.requests.push_back(r);
        BlockedSpan b;
        b.start = start;
        b.end = start + 1.0;
        b.where = file + ":" + std::to_string(line);
        b.function = "ping";
        b.call = "time.sleep";
        b.request = i;
        s.loop.blocked.push_back(b);
        s.prints.push_back({start, "loop", i, "Hello " + std::to_string(i), 0});
        s.prints.push_back({start + 1.0, "loop", i, "bye " + std::to_string(i), 0});
        s.loop.warnings.push_back({start + 1.0, "Executing <Task pending name='Task-" + std::to_string(i + 3) +
                                                    "'> took 1.000 seconds"});
    }
    const double end = requests * 1.0 + 0.01;
    for (double t = 0; t < end; t += 0.01) {
        // The lag sampler cannot run while the loop is blocked: lag grows to ~1000 ms.
        const double inBlock = std::fmod(t, 1.0);
        s.loop.lag.push_back({t, inBlock > 0.98 ? 1000.0 * inBlock : 0.2});
    }
    s.end = end;
    return s;
}

// A big burst: n def requests through a limiter of `limit` tokens, each 10 ms long.
inline Session bigBurstSession(int n, int limit = 40, double upTo = 1e9)
{
    Session s;
    PoolModel limiter;
    limiter.id = 0;
    limiter.name = "thread limiter";
    limiter.limit = limit;
    s.threads[1] = "loop";
    s.loopThreads.push_back(1);
    for (int i = 0; i < n; ++i) {
        const double sent = 0.0001 * i;
        const double start = 0.01 * (i / limit);
        const double done = start + 0.0105;
        if (sent > upTo)
            break;
        RequestTimeline r;
        r.id = i;
        r.method = "GET";
        r.path = "/work?i=" + std::to_string(i);
        r.clientConnection = i % 50;
        r.sent = sent;
        r.accepted = sent;
        r.read = sent;
        r.phases.push_back({Phase::WaitingToken, sent, std::max(sent, start), 0, 0, {}});
        r.phases.push_back({Phase::Running, std::max(sent, start), done <= upTo ? done : kOpen, 2u + unsigned(i % limit), 0, {}});
        if (done <= upTo) {
            r.clientDone = done;
            r.status = 200;
        }
        r.sentRank = i;
        r.doneRank = i;
        s.requests.push_back(r);
        if (i % 10 == 0 && sent <= upTo)
            s.prints.push_back({start, "worker", i, "work " + std::to_string(i), 0});
    }
    const double end = std::min(upTo, 0.01 * (n / limit) + 0.02);
    for (double t = 0; t < end; t += 0.01) {
        limiter.series.push_back({t, limit, std::max(0, n - int(t * 100) * limit - limit)});
        s.loop.lag.push_back({t, 0.3});
    }
    s.pools.push_back(limiter);
    s.end = end;
    return s;
}

} // namespace loopscope::uitest
