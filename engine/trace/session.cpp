// Session model queries: request times, summaries, percentiles.
#include "session.h"

#include <algorithm>
#include <cmath>

namespace loopscope::trace {

namespace {
bool known(double v) { return !std::isnan(v); }
} // namespace

const char *phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Reading: return "reading";
    case Phase::Queued: return "queued";
    case Phase::WaitingToken: return "waiting for a thread";
    case Phase::Running: return "running";
    case Phase::Suspended: return "suspended (await)";
    case Phase::WaitingLoop: return "waiting for the loop";
    case Phase::Background: return "background";
    case Phase::Count: break;
    }
    return "?";
}

double RequestTimeline::start() const
{
    for (const PhaseSpan &p : phases)
        if (p.phase == Phase::Running)
            return p.start;
    if (known(read))
        return read;
    return accepted;
}

double RequestTimeline::done() const
{
    if (known(clientDone))
        return clientDone;
    return responseWritten;
}

double RequestTimeline::latency() const
{
    const double from = known(sent) ? sent : accepted;
    const double to = done();
    if (!known(from) || !known(to))
        return kUnknown;
    return to - from;
}

double RequestTimeline::total(Phase phase) const
{
    double sum = 0;
    for (const PhaseSpan &p : phases)
        if (p.phase == phase)
            sum += p.duration();
    return sum;
}

std::string BlockedSpan::file() const
{
    const auto colon = where.rfind(':');
    return colon == std::string::npos ? where : where.substr(0, colon);
}

int BlockedSpan::line() const
{
    const auto colon = where.rfind(':');
    if (colon == std::string::npos)
        return 0;
    int line = 0;
    for (std::size_t i = colon + 1; i < where.size(); ++i) {
        if (where[i] < '0' || where[i] > '9')
            return 0;
        line = line * 10 + (where[i] - '0');
        if (line > 100'000'000)
            return 0;
    }
    return line;
}

const RequestTimeline *Session::request(std::int64_t id) const
{
    auto it = std::lower_bound(requests.begin(), requests.end(), id,
                               [](const RequestTimeline &r, std::int64_t v) { return r.id < v; });
    return it != requests.end() && it->id == id ? &*it : nullptr;
}

const PoolModel *Session::pool(std::int64_t id) const
{
    for (const PoolModel &p : pools)
        if (p.id == id)
            return &p;
    return nullptr;
}

const PoolModel *Session::mainLimiter() const
{
    // The default limiter's names across versions of the runtime, then any limiter that
    // is not the private one dependency exits use, then the busiest pool.
    for (const char *name : {"threadpool", "anyio limiter", "default limiter", "limiter"})
        for (const PoolModel &p : pools)
            if (p.name == name)
                return &p;
    for (const PoolModel &p : pools)
        if ((p.name.find("limiter") != std::string::npos || p.name.find("threadpool") != std::string::npos)
            && p.name.find("exit") == std::string::npos)
            return &p;
    const PoolModel *busiest = pools.empty() ? nullptr : &pools.front();
    for (const PoolModel &p : pools)
        if (p.peakBusy > busiest->peakBusy)
            busiest = &p;
    return busiest;
}

std::string Session::threadName(std::uint32_t id) const
{
    if (auto it = threads.find(id); it != threads.end())
        return it->second;
    return "thread-" + std::to_string(id);
}

bool Session::isLoopThread(std::uint32_t id) const
{
    return std::find(loopThreads.begin(), loopThreads.end(), id) != loopThreads.end();
}

int Session::errors() const
{
    int n = 0;
    for (const RequestTimeline &r : requests)
        if (r.finished() && (r.status == 0 || r.status >= 400))
            ++n;
    return n;
}

double Session::wall() const
{
    double first = kOpen, last = -kOpen;
    for (const RequestTimeline &r : requests) {
        const double from = known(r.sent) ? r.sent : r.accepted;
        if (known(from))
            first = std::min(first, from);
        if (r.finished())
            last = std::max(last, r.done());
    }
    return first == kOpen || last == -kOpen ? 0.0 : std::max(0.0, last - first);
}

LatencySummary Session::latency() const
{
    std::vector<double> ms;
    for (const RequestTimeline &r : requests) {
        const double l = r.latency();
        if (known(l))
            ms.push_back(l * 1000.0);
    }
    LatencySummary s;
    if (ms.empty())
        return s;
    double sum = 0;
    for (double v : ms)
        sum += v;
    s.mean = sum / static_cast<double>(ms.size());
    s.max = *std::max_element(ms.begin(), ms.end());
    std::sort(ms.begin(), ms.end());
    s.p50 = percentile(ms, 50);
    s.p90 = percentile(ms, 90);
    s.p99 = percentile(ms, 99);
    return s;
}

bool isLoopThreadName(std::string_view name)
{
    if (!name.starts_with("loop"))
        return false;
    name.remove_prefix(4);
    if (!name.empty() && (name.front() == '-' || name.front() == ' ' || name.front() == '_'))
        name.remove_prefix(1);
    for (char c : name)
        if (c < '0' || c > '9')
            return false;
    return true;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    p = std::clamp(p, 0.0, 100.0);
    const double pos = p / 100.0 * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

} // namespace loopscope::trace
