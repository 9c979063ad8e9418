// A burst against the running engine, with its trace turned into a session.
#include "benchrun.h"

#include "engine.h"
#include "enginecore.h"
#include "tracefeed.h"

#include "http/burstclient.h"
#include "trace/sessionbuilder.h"
#include "trace/tracebuffer.h"

#include <QMetaObject>
#include <QPointer>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>

namespace loopscope::host {

namespace {

std::uint64_t toNs(std::uint64_t origin, double seconds)
{
    return seconds < 0 ? 0 : origin + std::uint64_t(seconds * 1e9);
}

// The server numbers requests as they arrive (per worker); the client by their index in
// the plan ({i}). Server ids become client ids so the session speaks of request 7 as the
// one sent to /x?i=7: per target, the server's requests in the order they were read are
// matched with the client's in the order they were sent. Requests no client record
// matches (another client) keep a number past every client id.
void remapRequestIds(std::vector<trace::TraceEvent> &events, const std::vector<http::RequestRecord> &records)
{
    struct Seen {
        std::uint64_t path = 0;
        std::uint64_t firstT = ~0ull;
    };
    // The client's own events carry its ids already; only the server's are renumbered. (From
    // the second burst on an engine, the server's ids no longer coincide with the client's:
    // counting client events as server requests doubled the rows.)
    auto fromClient = [](const trace::TraceEvent &e) {
        return e.kind == trace::EventKind::ClientSent || e.kind == trace::EventKind::ClientFirstByte
               || e.kind == trace::EventKind::ClientDone;
    };
    std::unordered_map<std::int64_t, Seen> server;
    for (const trace::TraceEvent &e : events) {
        if (e.request < 0 || fromClient(e))
            continue;
        Seen &s = server[e.request];
        if (e.kind == trace::EventKind::RequestPath)
            s.path = e.a;
        if (e.kind == trace::EventKind::RequestAccepted || e.kind == trace::EventKind::RequestRead
            || e.kind == trace::EventKind::RequestPath)
            s.firstT = std::min(s.firstT, e.t);
    }
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::int64_t>>> serverByPath; // (t, server id)
    for (const auto &[id, s] : server)
        if (s.path)
            serverByPath[trace::stringAt(s.path)].push_back({s.firstT, id});
    std::map<std::string, std::vector<std::pair<double, std::int64_t>>> clientByPath; // (sent, client id)
    std::int64_t maxClient = -1;
    for (const http::RequestRecord &r : records) {
        maxClient = std::max(maxClient, r.id);
        if (r.sent >= 0)
            clientByPath[r.path].push_back({r.sent, r.id});
    }
    std::unordered_map<std::int64_t, std::int64_t> map;
    for (auto &[path, list] : serverByPath) {
        std::sort(list.begin(), list.end());
        auto it = clientByPath.find(path);
        std::vector<std::pair<double, std::int64_t>> clients;
        if (it != clientByPath.end()) {
            clients = it->second;
            std::sort(clients.begin(), clients.end());
        }
        for (std::size_t k = 0; k < list.size(); ++k)
            map[list[k].second] = k < clients.size() ? clients[k].second : -1;
    }
    std::int64_t next = maxClient + 1;
    for (auto &[sid, cid] : map)
        if (cid < 0)
            cid = next++;
    for (const auto &[sid, s] : server)
        if (!map.count(sid))
            map[sid] = next++;
    for (trace::TraceEvent &e : events)
        if (e.request >= 0 && !fromClient(e))
            e.request = map[e.request];
}

} // namespace

BenchResult runBurst(EngineCore &engine, http::BurstPlan plan, const std::function<void(int, int)> &progress,
                     const std::atomic<bool> *stop, double settleSeconds, bool traced)
{
    using namespace std::chrono;
    BenchResult result;
    plan.port = engine.port();
    if (plan.host.empty())
        plan.host = "127.0.0.1";

    trace::setEnabled(traced);
    TraceFeed &feed = TraceFeed::instance();
    std::shared_ptr<TraceSubscription> subscription;
    trace::SessionBuilder builder;

    // Whatever happened before this burst (startup, earlier bursts) is not part of it.
    if (traced) {
        subscription = feed.subscribe();
        feed.pump();
        subscription->take();
    }

    http::BurstClient client(plan);
    client.start();
    result.originNs = client.startNs();
    builder.setOrigin(result.originNs);

    const std::int64_t planned = plan.plannedRequests();
    const int total = planned >= 0 ? int(planned + std::int64_t(plan.extras.size())) : -1;
    // Held until the end: request ids are renumbered before the session is built. Kept
    // as the batches the feed hands over and joined once the burst is over: appending
    // each to one growing vector would copy everything held so far on every regrowth,
    // on this thread, while the engine competes with it for the CPU.
    std::vector<std::vector<trace::TraceEvent>> batches;
    auto drain = [&] {
        if (!subscription)
            return;
        feed.pump();
        std::vector<trace::TraceEvent> more = subscription->take();
        if (!more.empty())
            batches.push_back(std::move(more));
    };

    auto lastProgress = steady_clock::now() - seconds(1);
    bool stopped = false;
    while (!client.isFinished()) {
        if (stop && stop->load() && !stopped) {
            client.stop();
            stopped = true;
        }
        std::this_thread::sleep_for(milliseconds(10));
        drain();
        if (progress && steady_clock::now() - lastProgress >= milliseconds(33)) {
            lastProgress = steady_clock::now();
            const auto p = client.progress();
            progress(int(p.done), total >= 0 ? total : int(p.sent));
        }
    }
    client.wait();

    // Every response is in; background tasks may still run (their exchange stays in
    // flight until they end). Wait for the server to go idle, then a little longer.
    const auto deadline = steady_clock::now() + duration<double>(std::max(1.0, plan.timeout));
    while (engine.inflight() > 0 && steady_clock::now() < deadline && !(stop && stop->load())) {
        std::this_thread::sleep_for(milliseconds(10));
        drain();
    }
    const auto settleEnd = steady_clock::now() + duration<double>(settleSeconds);
    while (steady_clock::now() < settleEnd) {
        std::this_thread::sleep_for(milliseconds(10));
        drain();
    }
    drain();
    if (subscription)
        feed.unsubscribe(subscription);
    std::vector<trace::TraceEvent> events;
    {
        std::size_t total = 0;
        for (const auto &b : batches)
            total += b.size();
        events.reserve(total);
        for (auto &b : batches) {
            events.insert(events.end(), b.begin(), b.end());
            std::vector<trace::TraceEvent>().swap(b);
        }
    }

    result.records = client.records();
    result.summary = client.summary();
    result.stopped = stopped;

    std::vector<trace::ClientRecord> records;
    records.reserve(result.records.size());
    for (const http::RequestRecord &r : result.records) {
        trace::ClientRecord c;
        c.id = r.id;
        c.path = r.path;
        c.connection = r.connection;
        c.sent = toNs(result.originNs, r.sent);
        c.firstByte = toNs(result.originNs, r.firstByte);
        c.done = toNs(result.originNs, r.done);
        c.status = r.status;
        c.bytes = r.bytes;
        c.body = r.body;
        records.push_back(std::move(c));
    }
    remapRequestIds(events, result.records);
    std::stable_sort(events.begin(), events.end(),
                     [](const trace::TraceEvent &a, const trace::TraceEvent &b) { return a.t < b.t; });
    builder.setThreads(trace::TraceHub::instance().threads());
    builder.add(events);
    builder.finish();
    builder.addClientRecords(records);
    result.session = builder.session();
    if (progress) {
        const auto p = client.progress();
        progress(int(p.done), total >= 0 ? total : int(p.done));
    }
    return result;
}

BenchRun::BenchRun(Engine *engine, QObject *parent)
    : BenchRun(&engine->core(), parent)
{
}

BenchRun::BenchRun(EngineCore *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    qRegisterMetaType<std::shared_ptr<const BenchResult>>();
}

BenchRun::~BenchRun()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void BenchRun::start(const http::BurstPlan &plan)
{
    if (m_running.load())
        return;
    if (m_thread.joinable())
        m_thread.join();
    m_stop = false;
    m_running = true;
    QPointer<BenchRun> self(this);
    m_thread = std::thread([this, self, plan] {
        auto r = std::make_shared<const BenchResult>(runBurst(*m_engine, plan, [self](int done, int total) {
            QMetaObject::invokeMethod(self, [self, done, total] { if (self) Q_EMIT self->progress(done, total); }, Qt::QueuedConnection);
        }, &m_stop));
        m_running = false;
        QMetaObject::invokeMethod(self, [self, r = std::move(r)] { if (self) Q_EMIT self->finished(r); }, Qt::QueuedConnection);
    });
}

void BenchRun::stop()
{
    m_stop = true;
}

} // namespace loopscope::host
