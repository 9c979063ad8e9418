// Diagnosis rules. Each rule reads the session's numbers, never the name of an example.
#include "diagnosis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace loopscope::trace {

namespace {

std::string seconds(double s)
{
    char buf[32];
    if (s < 0.01)
        std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000.0);
    else
        std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

std::string plural(std::size_t n, const char *one, const char *many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool isSleepCall(const std::string &call)
{
    return call.find("sleep") != std::string::npos;
}

bool isIoCall(const std::string &call)
{
    static const char *io[] = {"requests.", "urlopen", "socket", "open", "read", "write",
                               "subprocess", "input"};
    for (const char *p : io)
        if (call.find(p) != std::string::npos)
            return true;
    return false;
}

void splitWhere(Finding &f, const std::string &where)
{
    f.where = where;
    const auto colon = where.rfind(':');
    if (colon == std::string::npos) {
        f.file = where;
        return;
    }
    f.file = where.substr(0, colon);
    f.line = std::atoi(where.c_str() + colon + 1);
}

// Blocking spans grouped by source position.
void blockedLoop(const Session &s, std::vector<Finding> &out)
{
    struct Group {
        std::string where, function, call;
        std::size_t count = 0;
        double total = 0, longest = 0;
        std::set<std::int64_t> delayed;
    };
    std::vector<Group> groups;
    for (const BlockedSpan &b : s.loop.blocked) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const Group &g) {
            return g.where == b.where && g.function == b.function && g.call == b.call;
        });
        if (it == groups.end()) {
            groups.push_back({b.where, b.function, b.call, 0, 0, 0, {}});
            it = groups.end() - 1;
        }
        ++it->count;
        it->total += b.duration();
        it->longest = std::max(it->longest, b.duration());
        it->delayed.insert(b.delayed.begin(), b.delayed.end());
    }
    for (const Group &g : groups) {
        Finding f;
        f.rule = "loop-blocked";
        splitWhere(f, g.where);
        const bool many = g.count > 1;
        // No native call under a known line means Python code itself was running.
        if (!g.call.empty())
            f.text = g.call + "()";
        else if (!g.where.empty())
            f.text = "CPU-bound code";
        else
            f.text = "Code";
        if (!g.where.empty())
            f.text += " at " + g.where;
        if (!g.function.empty())
            f.text += " in " + g.function;
        else if (g.where.empty())
            f.text += " on the event loop";
        f.text += " blocked the event loop ";
        f.text += many ? plural(g.count, "time", "times") + " for " + seconds(g.total / double(g.count))
                             + " each (" + seconds(g.total) + " in total)"
                       : "for " + seconds(g.total);
        f.text += "; ";
        f.text += g.delayed.empty() ? std::string("no other request was waiting")
                                    : plural(g.delayed.size(), "request", "requests")
                                          + " waited behind it";
        f.text += ". Nothing else runs on the loop meanwhile: ";
        if (isSleepCall(g.call))
            f.text += "use `await asyncio.sleep()`, or declare the endpoint with `def` so it "
                      "runs on a worker thread.";
        else if (isIoCall(g.call))
            f.text += "use an async client (e.g. httpx.AsyncClient), `await "
                      "run_in_threadpool(...)`, or declare the endpoint with `def`.";
        else if (!g.where.empty())
            f.text += "move the work off the loop with `await run_in_threadpool(...)` or a "
                      "ProcessPoolExecutor for CPU-bound work, or declare the endpoint with `def`.";
        else
            f.text += "a blocking call (time.sleep, requests, file I/O) or long computation in "
                      "an `async def` runs on the loop itself — await an async equivalent, use "
                      "`await run_in_threadpool(...)`, or declare the endpoint with `def`.";
        f.severity = (!g.delayed.empty() || g.longest >= 0.5) ? Finding::Severity::Critical
                                                             : Finding::Severity::Warning;
        out.push_back(std::move(f));
    }
}

// Requests that waited for a thread token.
void poolWaits(const Session &s, std::vector<Finding> &out)
{
    for (const PoolModel &p : s.pools) {
        std::set<std::int64_t> users;
        std::size_t waited = 0;
        double longest = 0, total = 0;
        for (const TokenWait &w : p.waits) {
            users.insert(w.request);
            if (w.duration() > 0.005) {
                ++waited;
                longest = std::max(longest, w.duration());
                total += w.duration();
            }
        }
        if (waited == 0)
            continue;
        const std::size_t served = std::max(users.size(), p.requestsServed);
        const int limit = p.limit > 0 ? p.limit : p.peakBusy;
        Finding f;
        f.rule = "pool-exhausted";
        f.severity = longest >= 0.1 ? Finding::Severity::Warning : Finding::Severity::Info;
        const bool byRequest = !users.contains(-1);
        f.text = plural(served, byRequest ? "request" : "call", byRequest ? "requests" : "calls")
                 + " for the " + std::to_string(limit) + " "
                 + (limit == 1 ? "thread" : "threads") + " of the " + p.name + ": "
                 + std::to_string(waited) + " waited for a thread (longest " + seconds(longest);
        if (waited > 1)
            f.text += ", " + seconds(total) + " in total";
        f.text += "). Peak " + std::to_string(p.peakBusy) + " busy, "
                  + std::to_string(p.peakWaiting) + " waiting.";
        if (&p == s.mainLimiter())
            f.text += " `def` endpoints, sync dependencies and run_in_threadpool share these "
                      "tokens: make blocking endpoints `async def` with awaits, or raise "
                      "`anyio.to_thread.current_default_thread_limiter().total_tokens`.";
        else
            f.text += " Give the executor more workers or use `await` instead of blocking.";
        out.push_back(std::move(f));
    }
}

// CPU-bound threads contending for the GIL.
void gilContention(const Session &s, std::vector<Finding> &out)
{
    std::map<std::string, std::pair<double, std::set<std::uint32_t>>> byWhere;
    double total = 0;
    for (const GilWait &g : s.gilWaits) {
        const double d = g.end == kOpen ? 0.0 : g.end - g.start;
        total += d;
        auto &slot = byWhere[g.where];
        slot.first += d;
        slot.second.insert(g.thread);
    }
    if (total < 0.05)
        return;
    auto worst = std::max_element(byWhere.begin(), byWhere.end(), [](const auto &a, const auto &b) {
        return a.second.first < b.second.first;
    });
    Finding f;
    f.rule = "gil";
    f.severity = Finding::Severity::Warning;
    splitWhere(f, worst->first);
    f.text = "CPU-bound code" + (worst->first.empty() ? std::string() : " at " + worst->first)
             + " kept threads waiting for the GIL for " + seconds(total) + " in total ("
             + plural(worst->second.second.size(), "thread", "threads")
             + "): threads of one process run Python one at a time, switching every 5 ms. "
               "Use a ProcessPoolExecutor or more workers (--workers) for parallel CPU work.";
    out.push_back(std::move(f));
}

// Requests sharing one keep-alive connection are served one after another.
void keepAlive(const Session &s, std::vector<Finding> &out)
{
    std::map<std::int64_t, std::vector<const RequestTimeline *>> byConn;
    for (const RequestTimeline &r : s.requests) {
        const std::int64_t c = r.clientConnection >= 0 ? r.clientConnection : -1;
        if (c >= 0)
            byConn[c].push_back(&r);
    }
    std::size_t serialised = 0, connections = 0;
    double worstWait = 0;
    for (auto &[conn, list] : byConn) {
        if (list.size() < 2)
            continue;
        std::sort(list.begin(), list.end(), [](auto *a, auto *b) { return a->sent < b->sent; });
        bool any = false;
        for (std::size_t i = 1; i < list.size(); ++i) {
            const double prevDone = list[i - 1]->done();
            const double next = list[i]->start();
            if (!std::isnan(prevDone) && !std::isnan(next) && next >= prevDone - 0.002) {
                ++serialised;
                any = true;
                if (!std::isnan(list[i]->sent) && !std::isnan(list[0]->sent))
                    worstWait = std::max(worstWait, list[i]->start() - list[0]->sent);
            }
        }
        if (any)
            ++connections;
    }
    if (serialised == 0)
        return;
    Finding f;
    f.rule = "keep-alive";
    f.severity = Finding::Severity::Info;
    f.text = "Requests on one connection were served one after another (HTTP/1.1 keep-alive "
             "serialises: the next request is read only after the previous response): "
             + plural(serialised, "request", "requests") + " on "
             + plural(connections, "connection", "connections") + " started only after the "
             + "previous response";
    if (worstWait > 0)
        f.text += ", up to " + seconds(worstWait) + " after the first was sent";
    f.text += ". A browser tab behaves like this; use more connections to see concurrency.";
    out.push_back(std::move(f));
}

// Responses that were ready on a worker thread but waited for the (blocked) loop.
void responseHeldByLoop(const Session &s, std::vector<Finding> &out)
{
    std::size_t count = 0;
    double longest = 0;
    std::int64_t example = -1;
    for (const RequestTimeline &r : s.requests) {
        for (const PhaseSpan &p : r.phases) {
            if (p.phase != Phase::WaitingLoop || p.duration() < 0.05)
                continue;
            ++count;
            if (p.duration() > longest) {
                longest = p.duration();
                example = r.id;
            }
        }
    }
    if (count == 0)
        return;
    Finding f;
    f.rule = "response-held";
    f.severity = Finding::Severity::Warning;
    f.text = (count == 1 ? std::string("A finished `def` response")
                         : std::to_string(count) + " finished `def` responses")
             + " waited up to " + seconds(longest) + " for the event loop (request "
             + std::to_string(example)
             + "): responses are written by the loop thread, so a blocked loop delays even "
               "work that ran on a thread.";
    out.push_back(std::move(f));
}

// Loop lag without an identified blocking call.
void loopLag(const Session &s, std::vector<Finding> &out)
{
    const LagHistogram &h = s.loop.histogram;
    if (h.count < 5 || h.p99 < 50 || !s.loop.blocked.empty())
        return;
    Finding f;
    f.rule = "loop-lag";
    f.severity = h.p99 >= 200 ? Finding::Severity::Warning : Finding::Severity::Info;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "Event loop lag is high (p50 %.1f ms, p99 %.1f ms, max %.1f ms) although no "
                  "single call blocked it for long: many short steps keep it busy.",
                  h.p50, h.p99, h.max);
    f.text = buf;
    out.push_back(std::move(f));
}

void errors(const Session &s, std::vector<Finding> &out)
{
    std::map<int, std::size_t> byStatus;
    for (const RequestTimeline &r : s.requests)
        if (r.finished() && (r.status == 0 || r.status >= 400))
            ++byStatus[r.status];
    for (const auto &[status, n] : byStatus) {
        Finding f;
        f.rule = "errors";
        f.severity = status >= 500 || status == 0 ? Finding::Severity::Critical
                                                  : Finding::Severity::Warning;
        if (status == 0)
            f.text = plural(n, "request", "requests") + " got no response (connection error).";
        else if (status == 503)
            f.text = plural(n, "request", "requests")
                     + " were refused with 503: the server's concurrency limit "
                       "(--limit-concurrency) was exceeded; nothing queues past it.";
        else
            f.text = plural(n, "request", "requests") + " answered with status "
                     + std::to_string(status) + ".";
        out.push_back(std::move(f));
    }
}

void completionOrder(const Session &s, std::vector<Finding> &out)
{
    // A request counts as overtaken when one sent after it completed clearly (50 ms)
    // before it; requests finishing within a few ms of each other are simply concurrent.
    std::vector<const RequestTimeline *> finished;
    for (const RequestTimeline &r : s.requests)
        if (r.finished())
            finished.push_back(&r);
    if (finished.size() < 2)
        return;
    std::sort(finished.begin(), finished.end(),
              [](auto *a, auto *b) { return a->sentRank < b->sentRank; });
    std::size_t overtaken = 0;
    double earliestLater = kOpen;
    for (auto it = finished.rbegin(); it != finished.rend(); ++it) {
        if (earliestLater < (*it)->done() - 0.05)
            ++overtaken;
        earliestLater = std::min(earliestLater, (*it)->done());
    }
    if (overtaken == 0)
        return;
    Finding f;
    f.rule = "order";
    f.severity = Finding::Severity::Info;
    f.text = plural(overtaken, "request was", "requests were") + " overtaken by requests sent "
             "after them (" + std::to_string(finished.size()) + " completed): concurrent requests "
             "finish when their own work is done, not in the order they were sent.";
    out.push_back(std::move(f));
}

} // namespace

const char *severityName(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Severity::Info: return "info";
    case Finding::Severity::Warning: return "warning";
    case Finding::Severity::Critical: return "critical";
    }
    return "info";
}

std::vector<Finding> diagnose(const Session &session)
{
    std::vector<Finding> out;
    blockedLoop(session, out);
    responseHeldByLoop(session, out);
    poolWaits(session, out);
    gilContention(session, out);
    loopLag(session, out);
    keepAlive(session, out);
    errors(session, out);
    completionOrder(session, out);
    std::stable_sort(out.begin(), out.end(), [](const Finding &a, const Finding &b) {
        return static_cast<int>(a.severity) > static_cast<int>(b.severity);
    });
    return out;
}

} // namespace loopscope::trace
