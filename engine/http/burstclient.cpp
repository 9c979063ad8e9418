#include "burstclient.h"

#include "latencyhistogram.h"

#include "trace/tracebuffer.h"

#include <http_parser.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <iterator>
#include <map>
#include <memory>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::http {

std::string substitutePath(const std::string &pathTemplate, std::int64_t index)
{
    static const std::string marker = "{i}";
    std::string out;
    out.reserve(pathTemplate.size() + 16);
    std::size_t from = 0;
    for (;;) {
        const std::size_t at = pathTemplate.find(marker, from);
        if (at == std::string::npos) {
            out.append(pathTemplate, from, std::string::npos);
            return out;
        }
        out.append(pathTemplate, from, at - from);
        out += std::to_string(index);
        from = at + marker.size();
    }
}

namespace {

constexpr std::uint64_t kWakeToken = ~std::uint64_t(0);
constexpr std::uint64_t kTimeoutScanNs = 10'000'000; // 10 ms
constexpr std::uint64_t kLateSendNs = 5'000'000;     // 5 ms

std::string errorName(int err)
{
    switch (err) {
    case ECONNREFUSED: return "refused";
    case ECONNRESET: return "reset";
    case EPIPE: return "reset";
    case ETIMEDOUT: return "timeout";
    case EHOSTUNREACH: return "unreachable";
    case ENETUNREACH: return "unreachable";
    case EADDRNOTAVAIL: return "no local address";
    case EMFILE: case ENFILE: return "too many open files";
    default: return std::strerror(err);
    }
}

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

} // namespace

struct BurstClient::Shared {
    BurstPlan plan;
    sockaddr_storage address {};
    socklen_t addressLength = 0;
    std::string resolveError;
    std::string requestPrefix; // "GET "
    std::string requestSuffix; // " HTTP/1.1\r\nhost: ...\r\n\r\n"
    std::uint64_t startNs = 0;
    std::int64_t planned = 0;  // -1: until the duration ends
    std::uint64_t endNs = 0;   // duration mode: stop issuing at this time
    std::atomic<std::int64_t> nextIndex{0};
    std::atomic<int> nextConnection{0};
    std::atomic<bool> stopping{false};
    std::atomic<int> running{0};
    std::atomic<std::int64_t> lateSends{0};
    std::atomic<std::int64_t> keptRecords{0};
    std::atomic<std::int64_t> sent{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<std::int64_t> errors{0};
    std::vector<int> wakeFds;
    std::vector<std::vector<RequestRecord>> records; // per thread
    std::vector<double> cpuShare;                    // per thread
    std::vector<double> cpuSeconds;                  // per thread
    std::vector<bool> extraStarted;                  // per plan.extras entry (thread 0 writes)

    // Requests finished after the record cap: counted, not kept (per thread).
    struct Folded {
        LatencyHistogram latency;
        std::int64_t requests = 0;
        std::int64_t completed = 0;
        std::int64_t errors = 0;
        std::int64_t cancelled = 0;
        std::map<int, std::int64_t> statuses;
        double lastDone = 0;
    };
    std::vector<Folded> folded;

    double seconds(std::uint64_t ns) const { return double(std::int64_t(ns - startNs)) / 1e9; }
};

namespace {

class ClientThread;

struct Conn {
    ClientThread *owner = nullptr;
    int local = 0;          // index in the thread's connection list
    int slot = -1;          // -1 for an extra request's connection
    int fd = -1;
    std::uint32_t generation = 0;
    std::uint32_t interest = 0;
    enum class State { Closed, Connecting, Sending, Receiving, Idle } state = State::Closed;
    int connectionIndex = -1;
    bool reused = false;    // a response already came over this socket
    bool retried = false;
    bool retired = false;   // slot has no more work
    bool waiting = false;   // rate mode: idle until the next request is due
    std::int64_t record = -1;
    std::string out;
    std::size_t outPos = 0;
    http_parser parser {};
    bool gotByte = false;
    bool complete = false;
    std::uint64_t deadlineNs = 0;
};

class ClientThread {
public:
    ClientThread(BurstClient::Shared &shared, int index, int threadCount)
        : m_s(shared), m_index(index)
    {
        const int connections = shared.plan.effectiveConnections();
        for (int slot = index; slot < connections; slot += threadCount) {
            auto c = std::make_unique<Conn>();
            c->owner = this;
            c->local = int(m_conns.size());
            c->slot = slot;
            m_conns.push_back(std::move(c));
        }
        m_slotCount = int(m_conns.size());
        if (index == 0) {
            for (std::size_t k = 0; k < shared.plan.extras.size(); ++k)
                m_pendingExtras.push_back(k);
            std::sort(m_pendingExtras.begin(), m_pendingExtras.end(), [&](std::size_t a, std::size_t b) {
                return shared.plan.extras[a].at < shared.plan.extras[b].at;
            });
        }
        http_parser_settings_init(&m_settings);
        m_settings.on_body = &ClientThread::onBody;
        m_settings.on_message_complete = &ClientThread::onMessageComplete;
        m_settings.on_headers_complete = &ClientThread::onHeadersComplete;
    }

    void run();

private:
    static Conn *conn(http_parser *p) { return static_cast<Conn *>(p->data); }
    static int onBody(http_parser *p, const char *at, size_t n);
    static int onHeadersComplete(http_parser *p);
    static int onMessageComplete(http_parser *p);

    std::uint64_t now() const { return trace::now(); }
    RequestRecord &rec(const Conn &c) { return m_records[std::size_t(c.record)]; }

    void assignWork(Conn &c);
    void startRequest(Conn &c, RequestRecord record);
    void openConnection(Conn &c);
    void onWritable(Conn &c);
    void onReadable(Conn &c);
    void flush(Conn &c);
    void feed(Conn &c, const char *data, std::size_t n);
    void finishRequest(Conn &c);
    void failRequest(Conn &c, const std::string &error);
    void retryOrFail(Conn &c, const std::string &error);
    void closeSocket(Conn &c);
    void setInterest(Conn &c, std::uint32_t events);
    void afterRequest(Conn &c, bool deferred);
    void startExtras(std::uint64_t t);
    void settle(std::int64_t index);
    void scanTimeouts(std::uint64_t t);
    bool finished() const;

    BurstClient::Shared &m_s;
    int m_index;
    int m_epoll = -1;
    int m_slotCount = 0;
    int m_retiredSlots = 0;
    int m_inFlight = 0;
    std::int64_t m_lateSends = 0;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::deque<Conn *> m_readySlots;   // free slots to give work to from the loop
    std::deque<Conn *> m_waitingSlots; // rate mode: slots waiting for the next due time
    std::uint64_t m_nextDueNs = 0;
    std::vector<std::size_t> m_pendingExtras; // sorted by time
    std::size_t m_nextExtra = 0;
    std::vector<RequestRecord> m_records;
    std::vector<std::int64_t> m_freeRecords; // folded records' slots, for reuse
    http_parser_settings m_settings {};
    char m_readBuffer[64 * 1024];
};

int ClientThread::onBody(http_parser *p, const char *at, size_t n)
{
    Conn *c = conn(p);
    RequestRecord &r = c->owner->rec(*c);
    r.bytes += std::int64_t(n);
    const std::size_t keep = c->owner->m_s.plan.keepBodyBytes;
    if (r.body.size() < keep) {
        const std::size_t take = std::min(n, keep - r.body.size());
        r.body.append(at, take);
        if (take < n)
            r.bodyTruncated = true;
    } else {
        r.bodyTruncated = true;
    }
    return 0;
}

int ClientThread::onHeadersComplete(http_parser *p)
{
    Conn *c = conn(p);
    return c->owner->m_s.plan.method == "HEAD" ? 1 : 0;
}

int ClientThread::onMessageComplete(http_parser *p)
{
    Conn *c = conn(p);
    if (p->status_code >= 100 && p->status_code < 200) // interim response: the real one follows
        return 0;
    c->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

void ClientThread::setInterest(Conn &c, std::uint32_t events)
{
    if (c.fd < 0 || c.interest == events)
        return;
    epoll_event ev {};
    ev.events = events;
    ev.data.u64 = (std::uint64_t(std::uint32_t(c.local)) << 32) | c.generation;
    epoll_ctl(m_epoll, c.interest ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev);
    c.interest = events;
}

void ClientThread::closeSocket(Conn &c)
{
    if (c.fd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
    }
    c.fd = -1;
    c.interest = 0;
    c.state = Conn::State::Closed;
    c.reused = false;
    ++c.generation;
}

void ClientThread::assignWork(Conn &c)
{
    if (c.retired || c.record >= 0)
        return;
    const BurstPlan &plan = m_s.plan;
    if (m_s.stopping.load(std::memory_order_relaxed)) {
        c.retired = true;
        ++m_retiredSlots;
        return;
    }
    const std::uint64_t t = now();
    std::int64_t index = -1;
    double intended = -1;
    if (plan.rate > 0) {
        std::int64_t i = m_s.nextIndex.load(std::memory_order_relaxed);
        for (;;) {
            if (m_s.planned >= 0 && i >= m_s.planned)
                break;
            const std::uint64_t due = m_s.startNs + std::uint64_t(double(i) / plan.rate * 1e9);
            if (due > t) {
                m_nextDueNs = due;
                c.waiting = true;
                m_waitingSlots.push_back(&c);
                return;
            }
            if (m_s.nextIndex.compare_exchange_weak(i, i + 1, std::memory_order_relaxed)) {
                index = i;
                intended = m_s.seconds(due);
                // A free connection picking its request up late means the client's own
                // loop was slow; a busy one means the server was (the request queued).
                if (c.waiting && t - due > kLateSendNs)
                    ++m_lateSends;
                break;
            }
        }
    } else if (m_s.planned < 0) {
        if (t < m_s.endNs)
            index = m_s.nextIndex.fetch_add(1, std::memory_order_relaxed);
    } else {
        const std::int64_t i = m_s.nextIndex.fetch_add(1, std::memory_order_relaxed);
        if (i < m_s.planned)
            index = i;
    }
    c.waiting = false;
    if (index < 0) {
        c.retired = true;
        ++m_retiredSlots;
        if (c.state == Conn::State::Idle)
            closeSocket(c);
        return;
    }
    RequestRecord r;
    r.id = index;
    r.path = substitutePath(plan.pathTemplate, index);
    r.intended = intended;
    startRequest(c, std::move(r));
}

void ClientThread::startRequest(Conn &c, RequestRecord record)
{
    if (!m_freeRecords.empty()) {
        c.record = m_freeRecords.back();
        m_freeRecords.pop_back();
        m_records[std::size_t(c.record)] = std::move(record);
    } else {
        c.record = std::int64_t(m_records.size());
        m_records.push_back(std::move(record));
    }
    ++m_inFlight;
    const RequestRecord &r = rec(c);
    c.out.clear();
    c.out += m_s.requestPrefix;
    c.out += r.path;
    if (m_s.plan.tagRequests) {
        c.out += " HTTP/1.1\r\n" LOOPSCOPE_REQUEST_HEADER ": ";
        c.out += std::to_string(r.id);
        c.out += m_s.requestSuffix.substr(std::strlen(" HTTP/1.1"));
    } else {
        c.out += m_s.requestSuffix;
    }
    c.outPos = 0;
    c.retried = false;
    c.deadlineNs = now() + std::uint64_t(m_s.plan.timeout * 1e9);
    if (c.fd >= 0 && c.state == Conn::State::Idle && m_s.plan.keepAlive) {
        rec(c).connection = c.connectionIndex;
        c.state = Conn::State::Sending;
        flush(c);
    } else {
        if (c.fd >= 0)
            closeSocket(c);
        openConnection(c);
    }
}

void ClientThread::openConnection(Conn &c)
{
    RequestRecord &r = rec(c);
    r.connectStart = m_s.seconds(now());
    if (!m_s.addressLength) {
        failRequest(c, m_s.resolveError.empty() ? std::string("cannot resolve host") : m_s.resolveError);
        return;
    }
    c.fd = ::socket(m_s.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        failRequest(c, errorName(errno));
        return;
    }
    ++c.generation;
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.connectionIndex = m_s.nextConnection.fetch_add(1, std::memory_order_relaxed);
    r.connection = c.connectionIndex;
    c.reused = false;
    const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr *>(&m_s.address), m_s.addressLength);
    if (rc == 0) {
        c.state = Conn::State::Sending;
        flush(c);
        return;
    }
    if (errno != EINPROGRESS) {
        failRequest(c, errorName(errno));
        return;
    }
    c.state = Conn::State::Connecting;
    setInterest(c, EPOLLOUT);
}

void ClientThread::flush(Conn &c)
{
    while (c.outPos < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += std::size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setInterest(c, EPOLLOUT);
            return;
        }
        retryOrFail(c, errorName(n < 0 ? errno : EPIPE));
        return;
    }
    RequestRecord &r = rec(c);
    r.sent = m_s.seconds(now());
    m_s.sent.fetch_add(1, std::memory_order_relaxed);
    trace::record(trace::EventKind::ClientSent, r.id, std::uint64_t(c.connectionIndex));
    http_parser_init(&c.parser, HTTP_RESPONSE);
    c.parser.data = &c;
    c.gotByte = false;
    c.complete = false;
    c.state = Conn::State::Receiving;
    setInterest(c, EPOLLIN | EPOLLRDHUP);
}

void ClientThread::onWritable(Conn &c)
{
    if (c.state == Conn::State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            failRequest(c, errorName(err));
            return;
        }
        c.state = Conn::State::Sending;
    }
    if (c.state == Conn::State::Sending)
        flush(c);
}

void ClientThread::onReadable(Conn &c)
{
    for (;;) {
        if (c.fd < 0)
            return;
        const ssize_t n = ::recv(c.fd, m_readBuffer, sizeof m_readBuffer, 0);
        if (n > 0) {
            if (c.state != Conn::State::Receiving) {
                // Bytes nobody asked for on an idle connection: do not reuse it.
                if (c.state == Conn::State::Idle)
                    closeSocket(c);
                return;
            }
            feed(c, m_readBuffer, std::size_t(n));
            if (std::size_t(n) < sizeof m_readBuffer)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // end of stream or error
        const int err = n < 0 ? errno : 0;
        if (c.state == Conn::State::Receiving) {
            if (n == 0 && c.gotByte) {
                http_parser_execute(&c.parser, &m_settings, nullptr, 0); // a body that ends with the stream
                if (c.complete) {
                    finishRequest(c);
                    return;
                }
            }
            retryOrFail(c, err ? errorName(err) : std::string("closed"));
        } else if (c.record >= 0) {
            retryOrFail(c, err ? errorName(err) : std::string("closed"));
        } else {
            closeSocket(c); // an idle keep-alive connection the server closed
        }
        return;
    }
}

void ClientThread::feed(Conn &c, const char *data, std::size_t n)
{
    if (!c.gotByte) {
        c.gotByte = true;
        RequestRecord &r = rec(c);
        r.firstByte = m_s.seconds(now());
        trace::record(trace::EventKind::ClientFirstByte, r.id, std::uint64_t(c.connectionIndex));
    }
    const std::size_t parsed = http_parser_execute(&c.parser, &m_settings, data, n);
    if (c.complete) {
        finishRequest(c);
        return;
    }
    if (HTTP_PARSER_ERRNO(&c.parser) != HPE_OK || parsed < n)
        failRequest(c, std::string("bad response: ") + http_errno_name(HTTP_PARSER_ERRNO(&c.parser)));
}

void ClientThread::finishRequest(Conn &c)
{
    RequestRecord &r = rec(c);
    r.done = m_s.seconds(now());
    r.status = int(c.parser.status_code);
    trace::record(trace::EventKind::ClientDone, r.id, std::uint64_t(r.status), std::uint64_t(r.bytes));
    m_s.done.fetch_add(1, std::memory_order_relaxed);
    const bool keep = m_s.plan.keepAlive && http_should_keep_alive(&c.parser) && c.slot >= 0;
    settle(c.record);
    c.record = -1;
    --m_inFlight;
    if (keep) {
        c.state = Conn::State::Idle;
        c.reused = true;
    } else {
        closeSocket(c);
    }
    afterRequest(c, false);
}

void ClientThread::failRequest(Conn &c, const std::string &error)
{
    if (c.record >= 0) {
        RequestRecord &r = rec(c);
        r.error = error;
        r.done = m_s.seconds(now());
        trace::record(trace::EventKind::ClientDone, r.id, 0, 0);
        m_s.done.fetch_add(1, std::memory_order_relaxed);
        m_s.errors.fetch_add(1, std::memory_order_relaxed);
        settle(c.record);
        c.record = -1;
        --m_inFlight;
    }
    closeSocket(c);
    afterRequest(c, true);
}

void ClientThread::retryOrFail(Conn &c, const std::string &error)
{
    // A kept-alive connection the server had already closed: send again on a new one,
    // once, as HTTP clients do when nothing of the response had arrived.
    if (c.record >= 0 && c.reused && !c.gotByte && !c.retried) {
        closeSocket(c);
        c.retried = true;
        c.outPos = 0;
        openConnection(c);
        return;
    }
    failRequest(c, error);
}

void ClientThread::afterRequest(Conn &c, bool deferred)
{
    if (c.slot < 0)
        return; // an extra: one request, its own connection
    if (deferred)
        m_readySlots.push_back(&c); // failures can come back at once: no recursion
    else
        assignWork(c);
}

void ClientThread::startExtras(std::uint64_t t)
{
    const BurstPlan &plan = m_s.plan;
    while (m_nextExtra < m_pendingExtras.size()) {
        const std::size_t k = m_pendingExtras[m_nextExtra];
        const ExtraRequest &extra = plan.extras[k];
        const std::uint64_t due = m_s.startNs + std::uint64_t(std::max(0.0, extra.at) * 1e9);
        if (due > t || m_s.stopping.load(std::memory_order_relaxed))
            return;
        ++m_nextExtra;
        m_s.extraStarted[k] = true;
        auto c = std::make_unique<Conn>();
        c->owner = this;
        c->local = int(m_conns.size());
        Conn &ref = *c;
        m_conns.push_back(std::move(c));
        RequestRecord r;
        r.id = m_s.planned >= 0 ? m_s.planned + std::int64_t(k)
                                : m_s.nextIndex.fetch_add(1, std::memory_order_relaxed);
        r.path = substitutePath(extra.path, r.id);
        r.extra = true;
        startRequest(ref, std::move(r));
    }
}

// A request has ended: keep its record while under the cap, else fold it into the counts.
void ClientThread::settle(std::int64_t index)
{
    // the first maxRecords requests to end are kept, whichever thread they ran on
    if (m_s.keptRecords.fetch_add(1, std::memory_order_relaxed) < m_s.plan.maxRecords)
        return;
    RequestRecord &r = m_records[std::size_t(index)];
    BurstClient::Shared::Folded &f = m_s.folded[std::size_t(m_index)];
    ++f.requests;
    if (r.error == "cancelled")
        ++f.cancelled;
    if (r.ok()) {
        ++f.completed;
        ++f.statuses[r.status];
        f.latency.add(r.latency());
        f.lastDone = std::max(f.lastDone, r.done);
    } else {
        ++f.errors;
    }
    r = RequestRecord();
    m_freeRecords.push_back(index);
}

void ClientThread::scanTimeouts(std::uint64_t t)
{
    for (auto &c : m_conns) {
        if (c->record >= 0 && t >= c->deadlineNs)
            failRequest(*c, "timeout");
    }
}

bool ClientThread::finished() const
{
    return m_retiredSlots >= m_slotCount && m_inFlight == 0 && m_nextExtra >= m_pendingExtras.size();
}

void ClientThread::run()
{
    const double cpuStart = threadCpuSeconds();
    const std::uint64_t wallStart = now();
    trace::setThreadName("client-" + std::to_string(m_index));
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeToken;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_s.wakeFds[std::size_t(m_index)], &ev);
    }
    if (m_s.planned > 0)
        m_records.reserve(std::size_t(m_s.planned / std::max<std::size_t>(1, m_s.wakeFds.size())) + 16);

    for (int i = 0; i < m_slotCount; ++i)
        assignWork(*m_conns[std::size_t(i)]);

    epoll_event events[256];
    std::uint64_t nextScan = now() + kTimeoutScanNs;
    while (!m_s.stopping.load(std::memory_order_relaxed)) {
        std::uint64_t t = now();
        startExtras(t);
        while (!m_readySlots.empty()) {
            Conn *c = m_readySlots.front();
            m_readySlots.pop_front();
            assignWork(*c);
        }
        while (!m_waitingSlots.empty() && !m_s.stopping.load(std::memory_order_relaxed)) {
            // rate mode: hand due requests to waiting slots, in order
            Conn *c = m_waitingSlots.front();
            m_waitingSlots.pop_front();
            const std::size_t before = m_waitingSlots.size();
            assignWork(*c);
            if (m_waitingSlots.size() > before) { // went back to waiting: not due yet
                m_waitingSlots.pop_back();
                m_waitingSlots.push_front(c);
                break;
            }
        }
        if (t >= nextScan) {
            scanTimeouts(t);
            nextScan = t + kTimeoutScanNs;
        }
        if (finished())
            break;

        // sleep until the next thing is due
        std::uint64_t wake = nextScan;
        if (!m_waitingSlots.empty())
            wake = std::min(wake, m_nextDueNs);
        if (m_nextExtra < m_pendingExtras.size()) {
            const double at = m_s.plan.extras[m_pendingExtras[m_nextExtra]].at;
            wake = std::min(wake, m_s.startNs + std::uint64_t(std::max(0.0, at) * 1e9));
        }
        if (m_s.planned < 0 && m_s.endNs > t)
            wake = std::min(wake, m_s.endNs);
        t = now();
        int timeoutMs = 0;
        if (wake > t && m_readySlots.empty())
            timeoutMs = int((wake - t + 999'999) / 1'000'000);
        const int n = epoll_wait(m_epoll, events, 256, timeoutMs);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t token = events[i].data.u64;
            if (token == kWakeToken)
                continue;
            const std::size_t local = std::size_t(token >> 32);
            if (local >= m_conns.size())
                continue;
            Conn &c = *m_conns[local];
            if (c.fd < 0 || c.generation != std::uint32_t(token))
                continue; // stale: the socket it was about is gone
            const std::uint32_t e = events[i].events;
            if (e & (EPOLLOUT))
                onWritable(c);
            if (c.fd >= 0 && c.generation == std::uint32_t(token) && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                if (c.state == Conn::State::Connecting) {
                    onWritable(c); // a failed connect reports as an error event
                } else {
                    onReadable(c);
                }
            }
        }
        if (m_s.planned < 0 && m_s.plan.rate <= 0 && now() >= m_s.endNs) {
            // duration over: idle slots retire; busy ones finish their request first
            for (int i = 0; i < m_slotCount; ++i) {
                Conn &c = *m_conns[std::size_t(i)];
                if (!c.retired && c.record < 0)
                    assignWork(c);
            }
        }
    }

    // stopped (or done): whatever is still open was cancelled
    for (auto &c : m_conns) {
        if (c->record >= 0) {
            RequestRecord &r = rec(*c);
            r.error = "cancelled";
            trace::record(trace::EventKind::ClientDone, r.id, 0, 0);
            m_s.errors.fetch_add(1, std::memory_order_relaxed);
            m_s.done.fetch_add(1, std::memory_order_relaxed);
            settle(c->record);
            c->record = -1;
        }
        closeSocket(*c);
    }
    ::close(m_epoll);
    const double wall = double(now() - wallStart) / 1e9;
    const double cpu = threadCpuSeconds() - cpuStart;
    m_s.cpuSeconds[std::size_t(m_index)] = cpu;
    m_s.lateSends.fetch_add(m_lateSends, std::memory_order_relaxed);
    m_s.cpuShare[std::size_t(m_index)] = wall > 0 ? cpu / wall : 0;
    // folded slots not reused hold nothing
    m_records.erase(std::remove_if(m_records.begin(), m_records.end(),
                                   [](const RequestRecord &r) { return r.id < 0; }),
                    m_records.end());
    m_s.records[std::size_t(m_index)] = std::move(m_records);
    m_s.running.fetch_sub(1, std::memory_order_acq_rel);
}

} // namespace

BurstClient::BurstClient(BurstPlan plan)
    : m_plan(std::move(plan))
{
}

BurstClient::~BurstClient()
{
    stop();
    wait();
}

void BurstClient::start()
{
    if (m_started)
        return;
    m_started = true;
    m_shared = std::make_unique<Shared>();
    Shared &s = *m_shared;
    s.plan = m_plan;
    const int threads = std::clamp(m_plan.threads, 1, std::max(1, m_plan.effectiveConnections()));

    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *res = nullptr;
    const std::string port = std::to_string(m_plan.port);
    const int rc = getaddrinfo(m_plan.host.c_str(), port.c_str(), &hints, &res);
    if (rc == 0 && res) {
        std::memcpy(&s.address, res->ai_addr, res->ai_addrlen);
        s.addressLength = socklen_t(res->ai_addrlen);
    } else {
        s.resolveError = std::string("cannot resolve ") + m_plan.host + ": " + gai_strerror(rc);
    }
    if (res)
        freeaddrinfo(res);

    s.requestPrefix = m_plan.method + ' ';
    const bool v6Literal = m_plan.host.find(':') != std::string::npos;
    s.requestSuffix = " HTTP/1.1\r\nhost: " + (v6Literal ? '[' + m_plan.host + ']' : m_plan.host) + ':' + port
                      + "\r\nuser-agent: loopscope\r\naccept: */*\r\n";
    if (!m_plan.keepAlive)
        s.requestSuffix += "connection: close\r\n";
    for (const auto &[name, value] : m_plan.headers)
        s.requestSuffix += name + ": " + value + "\r\n";
    if (!m_plan.body.empty() || m_plan.method == "POST" || m_plan.method == "PUT" || m_plan.method == "PATCH")
        s.requestSuffix += "content-length: " + std::to_string(m_plan.body.size()) + "\r\n";
    s.requestSuffix += "\r\n";
    s.requestSuffix += m_plan.body;

    // Every connection is a descriptor: lift the soft limit towards the hard one if needed.
    rlimit limit {};
    const rlim_t wanted = rlim_t(m_plan.effectiveConnections()) + rlim_t(m_plan.extras.size()) + 256;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    m_descriptorLimit = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? limit.rlim_cur : 0;

    s.planned = m_plan.plannedRequests();
    s.records.resize(std::size_t(threads));
    s.cpuShare.assign(std::size_t(threads), 0.0);
    s.cpuSeconds.assign(std::size_t(threads), 0.0);
    s.folded.resize(std::size_t(threads));
    s.extraStarted.assign(m_plan.extras.size(), false);
    for (int i = 0; i < threads; ++i)
        s.wakeFds.push_back(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));

    s.startNs = trace::now();
    s.endNs = m_plan.duration > 0 ? s.startNs + std::uint64_t(m_plan.duration * 1e9) : 0;
    m_startNs = s.startNs;
    s.running.store(threads);
    for (int i = 0; i < threads; ++i) {
        auto worker = std::make_shared<ClientThread>(s, i, threads);
        m_threads.emplace_back([worker] { worker->run(); });
    }
}

void BurstClient::stop()
{
    if (!m_shared)
        return;
    m_shared->stopping.store(true, std::memory_order_relaxed);
    const std::uint64_t one = 1;
    for (int fd : m_shared->wakeFds) {
        if (fd >= 0)
            [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
    }
}

void BurstClient::wait()
{
    if (!m_started || m_joined)
        return;
    for (auto &t : m_threads)
        t.join();
    m_threads.clear();
    m_joined = true;
    Shared &s = *m_shared;
    for (int fd : s.wakeFds)
        ::close(fd);
    s.wakeFds.clear();

    std::size_t total = 0;
    for (const auto &v : s.records)
        total += v.size();
    m_records.clear();
    m_records.reserve(total);
    for (auto &v : s.records) {
        std::move(v.begin(), v.end(), std::back_inserter(m_records));
        v.clear();
    }
    // Planned requests and extras that never went out were cancelled. Every index below
    // nextIndex was handed to a connection (and recorded there), so the rest are unsent.
    // (a huge burst stopped early keeps only the first of those as records)
    constexpr std::int64_t kUnsentRecords = 10'000;
    const std::int64_t unsentCap = std::min<std::int64_t>(m_plan.maxRecords, std::int64_t(m_records.size()) + kUnsentRecords);
    std::int64_t unsentCancelled = 0;
    auto cancelled = [&](std::int64_t id, const std::string &pathTemplate, bool extra) {
        if (std::int64_t(m_records.size()) >= unsentCap) {
            ++unsentCancelled;
            return;
        }
        RequestRecord r;
        r.id = id;
        r.path = substitutePath(pathTemplate, id);
        r.extra = extra;
        r.error = "cancelled";
        m_records.push_back(std::move(r));
    };
    if (s.planned >= 0) {
        const std::int64_t issued = std::min(s.nextIndex.load(), s.planned);
        const std::int64_t keep = std::clamp<std::int64_t>(unsentCap - std::int64_t(m_records.size()), 0, s.planned - issued);
        for (std::int64_t i = issued; i < issued + keep; ++i)
            cancelled(i, m_plan.pathTemplate, false);
        unsentCancelled += s.planned - issued - keep;
        for (std::size_t k = 0; k < m_plan.extras.size(); ++k) {
            if (!s.extraStarted[k]) {
                const std::int64_t id = s.planned + std::int64_t(k);
                cancelled(id, m_plan.extras[k].path, true);
            }
        }
    }
    std::sort(m_records.begin(), m_records.end(),
              [](const RequestRecord &a, const RequestRecord &b) { return a.id < b.id; });

    m_summary = BurstSummary::compute(m_records);
    // fold in what was counted but not kept
    BurstClient::Shared::Folded all;
    for (const auto &f : s.folded) {
        all.latency.merge(f.latency);
        all.requests += f.requests;
        all.completed += f.completed;
        all.errors += f.errors;
        all.cancelled += f.cancelled;
        for (const auto &[status, n] : f.statuses)
            all.statuses[status] += n;
        all.lastDone = std::max(all.lastDone, f.lastDone);
    }
    if (all.requests > 0 || unsentCancelled > 0) {
        BurstSummary &m = m_summary;
        m.recordsDropped = all.requests + unsentCancelled;
        m.requests += all.requests + unsentCancelled;
        m.errors += all.errors + unsentCancelled;
        m.cancelled += all.cancelled + unsentCancelled;
        for (const auto &[status, n] : all.statuses)
            m.statuses[status] += n;
        if (all.completed > 0) {
            m.approximate = true;
            for (const RequestRecord &r : m_records) {
                if (r.ok())
                    all.latency.add(r.latency());
            }
            m.completed += all.completed;
            m.wall = std::max(m.wall, all.lastDone);
            m.rps = m.wall > 0 ? double(m.completed) / m.wall : 0;
            m.p50Ms = all.latency.percentile(50) * 1000;
            m.p90Ms = all.latency.percentile(90) * 1000;
            m.p99Ms = all.latency.percentile(99) * 1000;
            m.maxMs = all.latency.max() * 1000;
            m.meanMs = all.latency.mean() * 1000;
        }
    }
    // Connections that failed for want of descriptors: say so, with the numbers.
    const std::uint64_t connections = std::uint64_t(m_plan.effectiveConnections()) + m_plan.extras.size();
    const bool descriptorsShort = m_descriptorLimit > 0 && m_descriptorLimit < 2 * connections + 64;
    m_summary.clientCpuShare = s.cpuShare.empty() ? 0 : *std::max_element(s.cpuShare.begin(), s.cpuShare.end());
    for (double c : s.cpuSeconds)
        m_summary.clientCpuSeconds += c;
    if (m_summary.errors > 0 && descriptorsShort) {
        m_summary.note = std::to_string(m_summary.errors) + " requests failed: " + std::to_string(connections)
                         + " connections need as many file descriptors (twice that with the server in the same process)"
                         + " and the limit is " + std::to_string(m_descriptorLimit)
                         + "; raise it (ulimit -n) or use fewer connections";
    } else if (m_summary.clientCpuShare >= 0.9) {
        m_summary.clientBound = true;
        m_summary.note = "client threads at " + std::to_string(int(m_summary.clientCpuShare * 100))
                         + "% CPU: the client may be the bottleneck";
    } else if (m_plan.rate > 0 && s.lateSends.load() * 100 > std::max<std::int64_t>(m_summary.requests, 1)) {
        m_summary.clientBound = true;
        m_summary.note = "send schedule slipping: " + std::to_string(s.lateSends.load())
                         + " requests left more than 5 ms late on an idle connection; the client is the bottleneck";
    } else if (m_plan.rate > 0 && m_summary.scheduleLagP90Ms > 10) {
        m_summary.note = "requests queued behind busy connections (p90 " + std::to_string(int(m_summary.scheduleLagP90Ms))
                         + " ms late): the server, not the client, set the pace";
    }
}

bool BurstClient::isFinished() const
{
    return m_shared && m_shared->running.load(std::memory_order_acquire) == 0;
}

BurstSummary BurstClient::run()
{
    start();
    wait();
    return m_summary;
}

BurstClient::Progress BurstClient::progress() const
{
    Progress p;
    if (!m_shared)
        return p;
    p.sent = m_shared->sent.load(std::memory_order_relaxed);
    p.done = m_shared->done.load(std::memory_order_relaxed);
    p.errors = m_shared->errors.load(std::memory_order_relaxed);
    return p;
}

} // namespace loopscope::http
