// Hello-world throughput, measured two ways (wrk -t1 -c50 -d5s, and BurstClient with 50
// keep-alive connections for 5 s) against two servers: a trivial epoll server (so the
// client's own ceiling shows) and Loopscope's HttpServer with a C++ application.
// Prints a table; fails only if a measurement could not be taken at all.
#include "http/burstclient.h"
#include "http/httpapplication.h"
#include "http/httpexchange.h"
#include "http/httpserver.h"
#include "trace/tracebuffer.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace loopscope;

namespace {

constexpr double kSeconds = 5.0;
constexpr int kConnections = 50;

// One thread, epoll, canned response per "\r\n\r\n" seen (GET requests only).
class TrivialServer {
public:
    TrivialServer()
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
        ::listen(m_listen, 2048);
        socklen_t len = sizeof sa;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&sa), &len);
        m_port = ntohs(sa.sin_port);
        m_wake = eventfd(0, EFD_NONBLOCK);
        m_thread = std::thread([this] { run(); });
    }
    ~TrivialServer()
    {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof one);
        m_thread.join();
        ::close(m_listen);
        ::close(m_wake);
    }
    quint16 port() const { return m_port; }

private:
    void run()
    {
        static const char response[] = "HTTP/1.1 200 OK\r\ncontent-length: 13\r\ncontent-type: text/plain\r\n\r\nHello, world!";
        const int ep = epoll_create1(0);
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_listen;
        epoll_ctl(ep, EPOLL_CTL_ADD, m_listen, &ev);
        ev.data.fd = m_wake;
        epoll_ctl(ep, EPOLL_CTL_ADD, m_wake, &ev);
        std::unordered_map<int, int> matched; // fd -> chars of "\r\n\r\n" matched so far
        char buf[65536];
        std::string out;
        epoll_event events[256];
        for (;;) {
            const int n = epoll_wait(ep, events, 256, -1);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == m_wake) {
                    for (auto &[c, _] : matched)
                        ::close(c);
                    ::close(ep);
                    return;
                }
                if (fd == m_listen) {
                    int c;
                    while ((c = ::accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
                        const int one = 1;
                        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                        ev.data.fd = c;
                        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                        matched[c] = 0;
                    }
                    continue;
                }
                const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
                if (r <= 0) {
                    if (r < 0 && errno == EAGAIN)
                        continue;
                    ::close(fd);
                    matched.erase(fd);
                    continue;
                }
                int &m = matched[fd];
                out.clear();
                static const char end[] = "\r\n\r\n";
                for (ssize_t k = 0; k < r; ++k) {
                    m = buf[k] == end[m] ? m + 1 : (buf[k] == '\r' ? 1 : 0);
                    if (m == 4) {
                        out.append(response, sizeof response - 1);
                        m = 0;
                    }
                }
                if (!out.empty())
                    [[maybe_unused]] auto w = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
            }
        }
    }

    int m_listen = -1;
    int m_wake = -1;
    quint16 m_port = 0;
    std::thread m_thread;
};

class HelloApp : public http::HttpApplication {
public:
    void handle(std::shared_ptr<http::HttpExchange> exchange) override
    {
        exchange->respond(200, {{"content-type", "text/plain"}}, QByteArrayLiteral("Hello, world!"));
    }
};

// Loopscope's server on its own loop thread.
class LoopscopeServer {
public:
    LoopscopeServer()
    {
        m_anchor = new QObject;
        m_anchor->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(m_anchor, [this] {
            http::HttpServerSettings settings;
            settings.accessLog = false;
            m_server = new http::HttpServer(&m_app, settings);
            m_server->listen();
            m_port = m_server->port();
        }, Qt::BlockingQueuedConnection);
    }
    ~LoopscopeServer()
    {
        QMetaObject::invokeMethod(m_anchor, [this] {
            delete m_server;
            m_anchor->deleteLater();
        }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }

private:
    HelloApp m_app;
    QThread m_thread;
    QObject *m_anchor = nullptr;
    http::HttpServer *m_server = nullptr;
    quint16 m_port = 0;
};

struct WrkResult {
    double rps = -1;
    double cpuSeconds = 0;
};

double childrenCpuSeconds()
{
    rusage ru {};
    getrusage(RUSAGE_CHILDREN, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

WrkResult runWrk(quint16 port)
{
    const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
    if (wrk.isEmpty())
        return {};
    const double cpuBefore = childrenCpuSeconds();
    QProcess p;
    p.start(wrk, {QStringLiteral("-t1"), QStringLiteral("-c%1").arg(kConnections),
                  QStringLiteral("-d%1s").arg(int(kSeconds)),
                  QStringLiteral("http://127.0.0.1:%1/").arg(port)});
    if (!p.waitForFinished(int(kSeconds * 1000) + 20000))
        return {};
    const QString out = QString::fromLocal8Bit(p.readAllStandardOutput());
    const auto m = QRegularExpression(QStringLiteral("Requests/sec:\\s+([0-9.]+)")).match(out);
    WrkResult r;
    if (m.hasMatch()) {
        r.rps = m.captured(1).toDouble();
        r.cpuSeconds = childrenCpuSeconds() - cpuBefore;
    }
    return r;
}

http::BurstSummary runClient(quint16 port, int threads)
{
    http::BurstPlan plan;
    plan.port = port;
    plan.pathTemplate = "/";
    plan.connections = kConnections;
    plan.duration = kSeconds;
    plan.threads = threads;
    plan.keepBodyBytes = 0;
    http::BurstClient client(plan);
    return client.run();
}

// CPU per request is what the client costs regardless of how loaded the machine is;
// its inverse is the rate one client thread could sustain against an infinitely fast server.
void report(const char *server, const WrkResult &w)
{
    const double perRequest = w.rps > 0 ? w.cpuSeconds / (w.rps * kSeconds) * 1e6 : 0;
    std::printf("%-22s %-24s %9.0f req/s  client %.2f us/req (~%.0f req/s per client core)\n", server,
                "wrk -t1 -c50", w.rps, perRequest, perRequest > 0 ? 1e6 / perRequest : 0.0);
}

void report(const char *server, const http::BurstSummary &s)
{
    const double perRequest = s.completed ? s.clientCpuSeconds / double(s.completed) * 1e6 : 0;
    std::printf("%-22s %-24s %9.0f req/s  client %.2f us/req (~%.0f req/s per client core)  "
                "p50 %.2f ms  p99 %.2f ms  errors %lld%s%s\n",
                server, "BurstClient, 1 thread", s.rps, perRequest, perRequest > 0 ? 1e6 / perRequest : 0.0,
                s.p50Ms, s.p99Ms, (long long)s.errors, s.clientBound ? "  -- " : "", s.note.c_str());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    trace::setEnabled(false); // measure HTTP, not the trace buffers
    int failures = 0;
    std::printf("hello-world throughput, %d connections, %.0f s each (2 cores shared by client and server)\n",
                kConnections, kSeconds);
    {
        TrivialServer trivial;
        const WrkResult wrk = runWrk(trivial.port());
        report("trivial epoll server", wrk);
        const http::BurstSummary one = runClient(trivial.port(), 1);
        report("trivial epoll server", one);
        failures += wrk.rps < 0 || one.completed == 0;
    }
    {
        LoopscopeServer server;
        const WrkResult wrk = runWrk(server.port());
        report("Loopscope HttpServer", wrk);
        const http::BurstSummary one = runClient(server.port(), 1);
        report("Loopscope HttpServer", one);
        failures += wrk.rps < 0 || one.completed == 0;
    }
    return failures ? 1 : 0;
}
