#include "httpserver.h"

#include "httpconnection.h"
#include "httpstatus.h"

#include <QTcpServer>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loopscope::http {

// The QTcpServer: hands accepted descriptors straight to HttpServer (no pending queue).
class HttpListener : public QTcpServer {
public:
    HttpListener(HttpServer *server) : QTcpServer(server), m_server(server) {}

protected:
    void incomingConnection(qintptr descriptor) override { m_server->acceptConnection(descriptor); }

private:
    HttpServer *m_server;
};

qintptr createListeningSocket(const QHostAddress &address, quint16 port, int backlog,
                              bool reusePort, QString *error)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    auto fail = [&](const char *what) -> qintptr {
        if (error)
            *error = QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        return -1;
    };
    if (fd < 0)
        return fail("socket");
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        return fail("SO_REUSEPORT");
    int rc;
    if (v6) {
        sockaddr_in6 sa {};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sa.sin6_addr, &a, sizeof sa.sin6_addr);
        rc = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    } else {
        sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(address.toIPv4Address());
        rc = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    }
    if (rc != 0)
        return fail("bind");
    if (::listen(fd, backlog) != 0)
        return fail("listen");
    return fd;
}

HttpServer::HttpServer(HttpApplication *application, const HttpServerSettings &settings, QObject *parent)
    : QObject(parent)
    , m_application(application)
    , m_settings(settings)
    , m_inflight(std::make_shared<std::atomic<int>>(0))
    , m_writtenPass(new QTimer(this))
{
    // Zero-interval: the next loop pass. (QTimer::singleShot(0) would post an event, and
    // GLib's dispatcher writes its wake-up eventfd for each one.)
    m_writtenPass->setSingleShot(true);
    m_writtenPass->setInterval(0);
    connect(m_writtenPass, &QTimer::timeout, this, &HttpServer::runWrittenPass);
}

HttpServer::~HttpServer()
{
    close();
    // Connections call back into the server while they go: delete them while it is whole.
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        delete c;
}

bool HttpServer::listen()
{
    if (m_listener) {
        m_error = QStringLiteral("already listening");
        return false;
    }
    const qintptr fd = createListeningSocket(m_settings.address, m_settings.port, m_settings.backlog,
                                             m_settings.reusePort, &m_error);
    if (fd < 0)
        return false;
    return listenOnDescriptor(fd);
}

bool HttpServer::listenOnDescriptor(qintptr descriptor)
{
    auto *listener = new HttpListener(this);
    if (!listener->setSocketDescriptor(descriptor)) {
        m_error = listener->errorString();
        delete listener;
        ::close(int(descriptor));
        return false;
    }
    m_listener = listener;
    m_settings.port = listener->serverPort();
    // Out of descriptors (EMFILE), Qt stops accepting for good: say so, and try again
    // shortly, as uvicorn's loop keeps accepting once descriptors are free again.
    connect(listener, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        if (!m_listener)
            return;
        log(LogLevel::Error, QStringLiteral("Cannot accept a connection: %1").arg(m_listener->errorString()));
        m_listener->pauseAccepting();
        QTimer::singleShot(100, this, [this] {
            if (m_listener)
                m_listener->resumeAccepting();
        });
    });
    return true;
}

void HttpServer::close()
{
    if (!m_listener)
        return;
    m_listener->close();
    delete m_listener;
    m_listener = nullptr;
}

void HttpServer::closeAllConnections()
{
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *c : connections)
        c->abort();
}

bool HttpServer::isListening() const
{
    return m_listener && m_listener->isListening();
}

quint16 HttpServer::port() const
{
    return m_listener ? m_listener->serverPort() : m_settings.port;
}

QString HttpServer::formatLogLine(LogLevel level, const QString &message)
{
    // uvicorn pads "LEVEL:" to 10 columns
    QString prefix;
    switch (level) {
    case LogLevel::Info: prefix = QStringLiteral("INFO:"); break;
    case LogLevel::Warning: prefix = QStringLiteral("WARNING:"); break;
    case LogLevel::Error: prefix = QStringLiteral("ERROR:"); break;
    }
    return prefix.leftJustified(10, QLatin1Char(' ')) + message;
}

std::int64_t HttpServer::nextRequestId()
{
    return m_settings.requestIdStart + m_settings.requestIdStep * m_requestsStarted++;
}

bool HttpServer::overConcurrencyLimit() const
{
    // uvicorn: len(connections) >= limit or len(tasks) >= limit (this connection included)
    const int limit = m_settings.limitConcurrency;
    return limit > 0 && (m_connections >= limit || inflightTasks() >= limit);
}

void HttpServer::log(LogLevel level, const QString &message)
{
    if (m_log)
        m_log(level, message);
}

void HttpServer::logAccess(const QByteArray &peer, const QByteArray &method, const QByteArray &target,
                           const QByteArray &version, int status)
{
    if (!m_log)
        return;
    QByteArray line;
    line.reserve(64 + target.size());
    line += peer;
    line += " - \"";
    line += method;
    line += ' ';
    line += target;
    line += " HTTP/";
    line += version;
    line += "\" ";
    line += QByteArray::number(status);
    const QByteArray phrase = reasonPhrase(status);
    if (!phrase.isEmpty()) {
        line += ' ';
        line += phrase;
    }
    m_log(LogLevel::Info, QString::fromLatin1(line));
}

void HttpServer::acceptConnection(qintptr descriptor)
{
    ++m_connections;
    new HttpConnection(this, descriptor, m_nextConnectionId++);
}

void HttpServer::connectionClosed(HttpConnection *)
{
    --m_connections;
}

void HttpServer::scheduleWrittenPass(HttpConnection *connection)
{
    m_writtenQueue.push_back(connection);
    if (!m_writtenPass->isActive())
        m_writtenPass->start();
}

void HttpServer::cancelWrittenPass(HttpConnection *connection)
{
    std::erase(m_writtenQueue, connection);
}

void HttpServer::runWrittenPass()
{
    // Connections queued while these run wait for the next pass, as a zero timer of
    // their own would. None is destroyed meanwhile: a closed connection goes with
    // deleteLater(), from the event loop.
    std::vector<HttpConnection *> due;
    due.swap(m_writtenQueue);
    for (HttpConnection *c : due)
        c->onWrittenPass();
}

} // namespace loopscope::http
