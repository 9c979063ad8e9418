// SessionBuilder: the state machine from trace events to the session model.
#include "sessionbuilder.h"

#include <algorithm>
#include <cmath>

namespace loopscope::trace {

namespace {

bool known(double v) { return !std::isnan(v); }

constexpr double kLagBucketBase = 1.02; // 2 % resolution
constexpr double kLagFloorMs = 0.001;    // 1 µs
constexpr std::size_t kLagBuckets = 1000; // up to ≈ 400 s

std::size_t lagBucket(double ms)
{
    if (!(ms > kLagFloorMs))
        return 0;
    const double i = std::log(ms / kLagFloorMs) / std::log(kLagBucketBase);
    return std::min(kLagBuckets - 1, static_cast<std::size_t>(i) + 1);
}

double lagBucketValue(std::size_t bucket)
{
    if (bucket == 0)
        return 0;
    // Geometric middle of [floor·base^(b-1), floor·base^b).
    return kLagFloorMs * std::pow(kLagBucketBase, double(bucket) - 0.5);
}

// "Executing <Task pending name='Task-1' coro=<async_block() running at app.py:14> ...>
// took 1.004 seconds", reported when the span ended: the coroutine's name.
std::string functionFromWarning(const std::vector<LoopWarningLine> &warnings, double end)
{
    for (auto it = warnings.rbegin(); it != warnings.rend(); ++it) {
        if (std::abs(it->t - end) > 0.002)
            continue;
        const auto at = it->text.find("coro=<");
        if (at == std::string::npos)
            return {};
        const auto from = at + 6;
        const auto paren = it->text.find('(', from);
        if (paren == std::string::npos || paren - from > 200)
            return {};
        return it->text.substr(from, paren - from);
    }
    return {};
}

bool overlaps(double aStart, double aEnd, double bStart, double bEnd, double minOverlap)
{
    return std::min(aEnd, bEnd) - std::max(aStart, bStart) > minOverlap;
}

// "app.py:14|async_block|time.sleep" (a watchdog sample's key) into the span's fields.
void setWhere(BlockedSpan &b, const std::string &where)
{
    const auto bar1 = where.find('|');
    const auto bar2 = bar1 == std::string::npos ? bar1 : where.find('|', bar1 + 1);
    b.where = where.substr(0, bar1);
    if (b.where.starts_with("?")) // no source position could be attributed
        b.where.clear();
    if (bar1 != std::string::npos)
        b.function = where.substr(bar1 + 1, bar2 == std::string::npos ? bar2 : bar2 - bar1 - 1);
    if (bar2 != std::string::npos)
        b.call = where.substr(bar2 + 1);
}

} // namespace

SessionBuilder::SessionBuilder() = default;

void SessionBuilder::clear()
{
    *this = SessionBuilder();
}

void SessionBuilder::setOrigin(std::uint64_t ns)
{
    m_origin = ns;
    m_haveOrigin = true;
    m_dirty = true;
}

double SessionBuilder::secs(std::uint64_t ns) const
{
    return static_cast<double>(static_cast<std::int64_t>(ns - m_origin)) / 1e9;
}

void SessionBuilder::setThreads(const std::vector<ThreadInfo> &threads)
{
    for (const ThreadInfo &t : threads) {
        m_session.threads[t.id] = t.name;
        if (isLoopThreadName(t.name))
            markLoopThread(t.id);
    }
    m_dirty = true;
}

void SessionBuilder::markLoopThread(std::uint32_t thread)
{
    if (!m_session.isLoopThread(thread))
        m_session.loopThreads.push_back(thread);
}

const std::string &SessionBuilder::text(std::uint64_t id)
{
    auto it = m_strings.find(id);
    if (it == m_strings.end())
        it = m_strings.emplace(id, stringAt(id)).first;
    return it->second;
}

void SessionBuilder::add(std::span<const TraceEvent> events)
{
    if (events.empty())
        return;
    if (!m_haveOrigin) {
        std::uint64_t first = events.front().t;
        for (const TraceEvent &e : events)
            first = std::min(first, e.t);
        setOrigin(first);
    }
    const std::size_t oldSize = m_pending.size();
    m_pending.insert(m_pending.end(), events.begin(), events.end());
    auto byTime = [](const TraceEvent &x, const TraceEvent &y) { return x.t < y.t; };
    std::stable_sort(m_pending.begin() + static_cast<std::ptrdiff_t>(oldSize), m_pending.end(),
                     byTime);
    std::inplace_merge(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(oldSize),
                       m_pending.end(), byTime);
    m_maxSeen = std::max(m_maxSeen, m_pending.back().t);
    applyHeldBack();
    m_dirty = true;
}

bool SessionBuilder::advanceTo(std::uint64_t nowNs)
{
    if (nowNs <= m_maxSeen)
        return false;
    m_maxSeen = nowNs;
    bool changed = applyHeldBack();
    // Everything up to now - holdback is in: the live session reaches that far, so open
    // phases (a request running on a blocked loop) and the time axis grow with the clock.
    if (m_haveOrigin && nowNs > m_origin + m_holdback) {
        const double complete = secs(nowNs - m_holdback);
        if (complete > m_session.end) {
            m_session.end = complete;
            changed = true;
        }
    }
    if (changed)
        m_dirty = true;
    return changed;
}

bool SessionBuilder::applyHeldBack()
{
    const std::uint64_t limit = m_maxSeen > m_holdback ? m_maxSeen - m_holdback : 0;
    std::size_t n = 0;
    while (n < m_pending.size() && m_pending[n].t <= limit)
        apply(m_pending[n++]);
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
    return n > 0;
}

void SessionBuilder::finish()
{
    for (const TraceEvent &e : m_pending)
        apply(e);
    m_pending.clear();
    m_dirty = true;
}

void SessionBuilder::addClientRecords(std::span<const ClientRecord> records)
{
    for (const ClientRecord &c : records) {
        if (c.id < 0)
            continue;
        if (!m_haveOrigin && c.sent)
            setOrigin(c.sent);
        RequestTimeline &r = request(c.id);
        if (!c.path.empty())
            r.path = c.path;
        if (c.connection >= 0)
            r.clientConnection = c.connection;
        if (c.sent)
            r.sent = secs(c.sent);
        if (c.firstByte)
            r.firstByte = secs(c.firstByte);
        if (c.done)
            r.clientDone = secs(c.done);
        if (c.status)
            r.status = c.status;
        if (c.bytes >= 0)
            r.bytes = c.bytes;
        r.body = c.body;
    }
    m_dirty = true;
}

RequestTimeline &SessionBuilder::request(std::int64_t id)
{
    if (auto it = m_requestIndex.find(id); it != m_requestIndex.end())
        return m_session.requests[it->second];
    // Appended in the order requests turn up and put in id order once, by refresh(): ids
    // out of order (client ids next to the server's, several workers) would otherwise move
    // every later request and rebuild the whole index for each one, O(n²) for a burst.
    auto &requests = m_session.requests;
    RequestTimeline r;
    r.id = id;
    if (!requests.empty() && requests.back().id > id)
        m_requestsUnordered = true;
    requests.push_back(std::move(r));
    m_requestIndex.emplace(id, requests.size() - 1);
    return requests.back();
}

PoolModel &SessionBuilder::pool(std::int64_t id, std::uint16_t process)
{
    const std::uint64_t key = (std::uint64_t(process) << 32) | std::uint32_t(id);
    if (auto it = m_poolIndex.find(key); it != m_poolIndex.end())
        return m_session.pools[static_cast<std::size_t>(it->second)];
    PoolModel p;
    p.id = id;
    p.process = process;
    p.name = "pool " + std::to_string(id);
    nameFromHub(p);
    m_session.pools.push_back(std::move(p));
    m_poolUsers.emplace_back();
    m_poolIndex.emplace(key, static_cast<std::int64_t>(m_session.pools.size() - 1));
    return m_session.pools.back();
}

void SessionBuilder::nameFromHub(PoolModel &p)
{
    for (const PoolInfo &info : declaredPools()) {
        if (info.process == p.process && static_cast<std::int64_t>(info.id) == p.id) {
            p.name = info.name;
            p.limit = static_cast<int>(info.limit);
            return;
        }
    }
    m_unnamedPools = true;
}

void SessionBuilder::openPhase(RequestTimeline &r, Phase phase, double t, std::uint32_t thread,
                               std::int64_t pool, std::string detail)
{
    PhaseSpan s;
    s.phase = phase;
    s.start = t;
    s.thread = thread;
    s.pool = pool;
    s.detail = std::move(detail);
    r.phases.push_back(std::move(s));
}

void SessionBuilder::closePhase(RequestTimeline &r, Phase phase, double t, std::int64_t thread)
{
    for (auto it = r.phases.rbegin(); it != r.phases.rend(); ++it) {
        if (it->phase == phase && it->open()
            && (thread < 0 || it->thread == static_cast<std::uint32_t>(thread))) {
            it->end = std::max(t, it->start);
            return;
        }
    }
}

void SessionBuilder::addBusy(std::uint64_t from, std::uint64_t to)
{
    const double bin = m_session.loop.binSeconds;
    double s = std::max(0.0, secs(from));
    const double e = secs(to);
    if (!(e > s) || e > 1e7)
        return;
    auto i = static_cast<std::size_t>(s / bin);
    while (s < e) {
        if (m_busyNs.size() <= i)
            m_busyNs.resize(i + 1, 0.0);
        const double binEnd = static_cast<double>(i + 1) * bin;
        const double part = std::min(e, binEnd) - s;
        m_busyNs[i] += std::max(0.0, part);
        s = binEnd;
        ++i;
    }
}

void SessionBuilder::apply(const TraceEvent &e)
{
    ++m_applied;
    const double t = secs(e.t);
    m_session.end = std::max(m_session.end, t);
    LoopModel &loop = m_session.loop;
    const bool onLoop = m_session.isLoopThread(e.thread);

    // Any step a request takes on the loop thread means the loop has taken it back.
    if (e.request >= 0 && onLoop && e.kind != EventKind::ClientSent
        && e.kind != EventKind::ClientFirstByte && e.kind != EventKind::ClientDone) {
        if (auto it = m_requestIndex.find(e.request); it != m_requestIndex.end())
            closePhase(m_session.requests[it->second], Phase::WaitingLoop, t);
    }

    switch (e.kind) {
    case EventKind::LoopStepBegin: {
        markLoopThread(e.thread);
        if (std::find(m_loopProcesses.begin(), m_loopProcesses.end(), e.process)
            == m_loopProcesses.end())
            m_loopProcesses.push_back(e.process);
        ThreadState &ts = m_threadState[e.thread];
        ts.inStep = true;
        ts.stepStart = e.t;
        ts.stepName = static_cast<std::int64_t>(e.a);
        ts.stepRequest = e.request;
        ts.stallWhere = 0;
        ts.process = e.process;
        ++loop.steps;
        break;
    }
    case EventKind::LoopStall:
        // From the watchdog's thread: about the loop step that began at `a` (a nanosecond
        // time stamp: no two loops' running steps share it).
        for (auto &[thread, ts] : m_threadState) {
            if (ts.inStep && ts.stepStart == e.a) {
                ts.stallWhere = e.c;
                break;
            }
        }
        break;
    case EventKind::LoopStepEnd: {
        ThreadState &ts = m_threadState[e.thread];
        if (ts.inStep)
            addBusy(ts.stepStart, e.t);
        ts.inStep = false;
        break;
    }
    case EventKind::LoopLag: {
        markLoopThread(e.thread);
        const double ms = static_cast<double>(e.a) / 1e6;
        loop.lag.push_back({t, ms});
        addLag(ms);
        break;
    }
    case EventKind::LoopBlocked: {
        markLoopThread(e.thread);
        BlockedSpan b;
        b.start = secs(e.a);
        b.end = std::max(b.start, secs(e.b));
        setWhere(b, text(e.c));
        b.request = e.request;
        b.process = e.process;
        loop.blocked.push_back(std::move(b));
        break;
    }
    case EventKind::LoopWarning:
        loop.warnings.push_back({t, text(e.a)});
        break;
    case EventKind::PoolDeclared: {
        PoolModel &p = pool(static_cast<std::int64_t>(e.a), e.process);
        p.limit = static_cast<int>(e.b);
        p.name = text(e.c);
        break;
    }
    case EventKind::PoolState: {
        PoolModel &p = pool(static_cast<std::int64_t>(e.a), e.process);
        const PoolPoint pt{t, static_cast<int>(e.b), static_cast<int>(e.c)};
        if (!p.series.empty() && p.series.back().t == t)
            p.series.back() = pt;
        else
            p.series.push_back(pt);
        p.peakBusy = std::max(p.peakBusy, pt.busy);
        p.peakWaiting = std::max(p.peakWaiting, pt.waiting);
        break;
    }
    case EventKind::TokenWaitBegin: {
        PoolModel &p = pool(static_cast<std::int64_t>(e.a), e.process);
        p.waits.push_back({e.request, t, kOpen});
        if (e.request >= 0) {
            RequestTimeline &r = request(e.request);
            closePhase(r, Phase::Queued, t);
            openPhase(r, Phase::WaitingToken, t, e.thread, static_cast<std::int64_t>(e.a));
        }
        break;
    }
    case EventKind::TokenAcquired: {
        PoolModel &p = pool(static_cast<std::int64_t>(e.a), e.process);
        if (e.request >= 0) {
            auto &users = m_poolUsers[static_cast<std::size_t>(&p - m_session.pools.data())];
            users.insert(e.request);
            p.requestsServed = users.size();
        }
        for (auto it = p.waits.rbegin(); it != p.waits.rend(); ++it) {
            if (it->request == e.request && it->end == kOpen) {
                it->end = std::max(t, it->start);
                break;
            }
        }
        if (e.request >= 0)
            closePhase(request(e.request), Phase::WaitingToken, t);
        break;
    }
    case EventKind::TokenReleased:
        break;
    case EventKind::RequestAccepted: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        if (!known(r.accepted))
            r.accepted = t;
        r.connection = static_cast<std::int64_t>(e.a);
        r.process = e.process;
        openPhase(r, Phase::Reading, t, e.thread);
        break;
    }
    case EventKind::RequestRead: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        r.read = t;
        if (r.connection < 0)
            r.connection = static_cast<std::int64_t>(e.a);
        if (!known(r.accepted))
            r.accepted = t;
        r.process = e.process;
        closePhase(r, Phase::Reading, t);
        break;
    }
    case EventKind::RequestQueued:
        if (e.request >= 0)
            openPhase(request(e.request), Phase::Queued, t, e.thread);
        break;
    case EventKind::RunBegin: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        closePhase(r, Phase::Queued, t);
        closePhase(r, Phase::Reading, t);
        openPhase(r, Phase::Running, t, e.thread);
        break;
    }
    case EventKind::RunEnd: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        closePhase(r, Phase::Running, t, e.thread);
        if (!onLoop && !known(r.responseWritten))
            openPhase(r, Phase::WaitingLoop, t, e.thread);
        break;
    }
    case EventKind::AwaitBegin:
        if (e.request >= 0)
            openPhase(request(e.request), Phase::Suspended, t, e.thread, -1, text(e.a));
        break;
    case EventKind::AwaitEnd:
        if (e.request >= 0)
            closePhase(request(e.request), Phase::Suspended, t);
        break;
    case EventKind::ResponseWritten: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        r.responseWritten = t;
        if (r.status == 0)
            r.status = static_cast<int>(e.a);
        if (r.bytes < 0)
            r.bytes = static_cast<std::int64_t>(e.b);
        closePhase(r, Phase::WaitingLoop, t);
        closePhase(r, Phase::Queued, t);
        break;
    }
    case EventKind::BackgroundBegin:
        if (e.request >= 0)
            openPhase(request(e.request), Phase::Background, t, e.thread, -1, text(e.a));
        break;
    case EventKind::BackgroundEnd:
        if (e.request >= 0)
            closePhase(request(e.request), Phase::Background, t);
        break;
    case EventKind::Print:
        m_session.prints.push_back(
            {t, m_session.threadName(e.thread), e.request, text(e.a), static_cast<int>(e.b)});
        break;
    case EventKind::ClientSent: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        r.sent = t;
        r.clientConnection = static_cast<std::int64_t>(e.a);
        break;
    }
    case EventKind::ClientFirstByte:
        if (e.request >= 0)
            request(e.request).firstByte = t;
        break;
    case EventKind::ClientDone: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        r.clientDone = t;
        r.status = static_cast<int>(e.a);
        r.bytes = static_cast<std::int64_t>(e.b);
        break;
    }
    case EventKind::RequestPath: {
        if (e.request < 0)
            break;
        RequestTimeline &r = request(e.request);
        r.path = text(e.a);
        r.method = text(e.b);
        break;
    }
    case EventKind::GilWaitBegin:
        m_openGil[e.thread] = m_session.gilWaits.size();
        m_session.gilWaits.push_back({e.request, e.thread, t, kOpen, text(e.a)});
        break;
    case EventKind::GilAcquired:
        if (auto it = m_openGil.find(e.thread); it != m_openGil.end()) {
            GilWait &w = m_session.gilWaits[it->second];
            w.end = std::max(t, w.start);
            m_openGil.erase(it);
        }
        break;
    case EventKind::Count:
        break;
    }
}

void SessionBuilder::addLag(double ms)
{
    if (m_lagBuckets.empty())
        m_lagBuckets.assign(kLagBuckets, 0);
    ++m_lagBuckets[lagBucket(ms)];
    const bool first = m_session.loop.lag.size() == 1;
    m_lagMin = first ? ms : std::min(m_lagMin, ms);
    m_lagMax = first ? ms : std::max(m_lagMax, ms);
    m_lagSum += ms;
    m_lagSquares += ms * ms;
}

double SessionBuilder::lagPercentile(double p) const
{
    const std::size_t n = m_session.loop.lag.size();
    if (n == 0)
        return 0;
    // Nearest rank: the smallest value with at least p % of the samples at or below it.
    const auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(p / 100.0 * double(n))));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < m_lagBuckets.size(); ++b) {
        seen += m_lagBuckets[b];
        if (seen >= rank)
            return std::clamp(lagBucketValue(b), m_lagMin, m_lagMax);
    }
    return m_lagMax;
}

const Session &SessionBuilder::session()
{
    if (m_dirty)
        refresh();
    return m_session;
}

void SessionBuilder::refresh()
{
    m_dirty = false;
    Session &s = m_session;
    if (m_requestsUnordered) {
        m_requestsUnordered = false;
        std::stable_sort(s.requests.begin(), s.requests.end(),
                         [](const RequestTimeline &a, const RequestTimeline &b) { return a.id < b.id; });
        m_requestIndex.clear();
        for (std::size_t i = 0; i < s.requests.size(); ++i)
            m_requestIndex.emplace(s.requests[i].id, i);
    }
    for (const auto &[id, name] : s.threads)
        if (isLoopThreadName(name))
            markLoopThread(id);
    if (m_unnamedPools) {
        m_unnamedPools = false;
        for (PoolModel &p : s.pools)
            if (p.limit == 0 && p.name.starts_with("pool "))
                nameFromHub(p);
    }

    // Ranks: order of sending and order of completion. The GUI asks for the session every
    // frame of a burst: the keys are read once into a flat array and sorted there (ties by
    // index, as a stable sort would), and a live session, whose requests mostly arrive and
    // finish in order, is often sorted already.
    auto rankBy = [](std::vector<std::pair<double, std::size_t>> &keys, auto &&assign) {
        if (!std::is_sorted(keys.begin(), keys.end()))
            std::sort(keys.begin(), keys.end());
        for (std::size_t rank = 0; rank < keys.size(); ++rank)
            assign(keys[rank].second, static_cast<int>(rank));
    };
    std::vector<std::pair<double, std::size_t>> keys;
    keys.reserve(s.requests.size());
    for (std::size_t i = 0; i < s.requests.size(); ++i) {
        const RequestTimeline &r = s.requests[i];
        keys.emplace_back(known(r.sent) ? r.sent : (known(r.accepted) ? r.accepted : kOpen), i);
    }
    rankBy(keys, [&](std::size_t i, int rank) { s.requests[i].sentRank = rank; });
    keys.clear();
    for (std::size_t i = 0; i < s.requests.size(); ++i) {
        RequestTimeline &r = s.requests[i];
        r.doneRank = -1;
        const double done = r.done();
        if (known(done))
            keys.emplace_back(done, i);
    }
    rankBy(keys, [&](std::size_t i, int rank) { s.requests[i].doneRank = rank; });

    // Steps blocking the loop right now (live): those past the slow-step threshold.
    s.loop.blocking.clear();
    for (const auto &[thread, ts] : m_threadState) {
        if (!ts.inStep || !s.isLoopThread(thread))
            continue;
        const double start = secs(ts.stepStart);
        if (s.end - start < double(m_slowStep) / 1e9)
            continue;
        BlockedSpan b;
        b.start = start;
        b.end = s.end;
        if (ts.stallWhere)
            setWhere(b, text(ts.stallWhere));
        b.request = ts.stepRequest;
        b.process = ts.process;
        s.loop.blocking.push_back(std::move(b));
    }
    std::sort(s.loop.blocking.begin(), s.loop.blocking.end(),
              [](const BlockedSpan &a, const BlockedSpan &b) { return a.start < b.start; });

    // Who waited behind each blocking span: requests that were ready for the loop (sent but
    // not yet started, queued, or finished on a worker) while it was blocked.
    for (RequestTimeline &r : s.requests)
        r.delayedBy.clear();
    for (std::size_t bi = 0; bi < s.loop.blocked.size(); ++bi) {
        BlockedSpan &b = s.loop.blocked[bi];
        b.delayed.clear();
        if (b.function.empty())
            b.function = functionFromWarning(s.loop.warnings, b.end);
        std::int64_t blocker = b.request;
        if (blocker < 0) {
            const double mid = (b.start + b.end) / 2;
            for (const RequestTimeline &r : s.requests)
                for (const PhaseSpan &p : r.phases)
                    if (p.phase == Phase::Running && s.isLoopThread(p.thread) && p.start <= mid
                        && (p.open() || p.end >= mid))
                        blocker = r.id;
            b.request = blocker;
        }
        const double minOverlap = std::min(0.001, b.duration() / 2);
        for (RequestTimeline &r : s.requests) {
            if (r.id == blocker || r.process != b.process)
                continue;
            bool delayed = false;
            const double arrived = known(r.sent) ? r.sent : r.accepted;
            // Cheap reject first: a request that arrived after the span, or was done
            // before it began, cannot have waited behind it.
            if ((known(arrived) && arrived >= b.end) || (r.finished() && r.done() <= b.start))
                continue;
            if (known(arrived)) {
                double began = kOpen;
                for (const PhaseSpan &p : r.phases)
                    if (p.phase == Phase::Running || p.phase == Phase::WaitingToken) {
                        began = p.start;
                        break;
                    }
                if (known(r.responseWritten))
                    began = std::min(began, r.responseWritten);
                delayed = overlaps(arrived, began, b.start, b.end, minOverlap);
            }
            for (const PhaseSpan &p : r.phases) {
                if (delayed)
                    break;
                if (p.phase == Phase::Queued || p.phase == Phase::WaitingLoop)
                    delayed = overlaps(p.start, p.end, b.start, b.end, minOverlap);
                // Resumed from an await just as the loop came free: what it awaited was
                // ready, it only waited for the loop.
                else if (p.phase == Phase::Suspended && !p.open())
                    delayed = overlaps(p.start, p.end, b.start, b.end, minOverlap)
                              && p.end >= b.end - 1e-6 && p.end <= b.end + 0.005;
            }
            if (delayed) {
                b.delayed.push_back(r.id);
                r.delayedBy.push_back(static_cast<int>(bi));
            }
        }
    }

    // Lag histogram (kept incrementally as samples arrive).
    LagHistogram &h = s.loop.histogram;
    h = {};
    h.count = s.loop.lag.size();
    if (h.count) {
        const double n = double(h.count);
        h.min = m_lagMin;
        h.max = m_lagMax;
        h.mean = m_lagSum / n;
        h.stddev = std::sqrt(std::max(0.0, m_lagSquares / n - h.mean * h.mean));
        h.p50 = lagPercentile(50);
        h.p90 = lagPercentile(90);
        h.p99 = lagPercentile(99);
    }

    // Utilisation: closed steps plus the part of open steps seen so far.
    std::vector<double> busy = m_busyNs;
    const double bin = s.loop.binSeconds;
    for (const auto &[thread, ts] : m_threadState) {
        if (!ts.inStep)
            continue;
        double from = std::max(0.0, secs(ts.stepStart));
        const double to = s.end;
        auto i = static_cast<std::size_t>(from / bin);
        while (from < to && i < 10'000'000) {
            if (busy.size() <= i)
                busy.resize(i + 1, 0.0);
            const double binEnd = static_cast<double>(i + 1) * bin;
            busy[i] += std::min(to, binEnd) - from;
            from = binEnd;
            ++i;
        }
    }
    const double loops = static_cast<double>(std::max<std::size_t>(1, m_loopProcesses.size()));
    s.loop.utilisation.resize(busy.size());
    for (std::size_t i = 0; i < busy.size(); ++i)
        s.loop.utilisation[i] = {static_cast<double>(i) * bin,
                                 std::clamp(busy[i] / (bin * loops), 0.0, 1.0)};
}

} // namespace loopscope::trace
