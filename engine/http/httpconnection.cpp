#include "httpconnection.h"

#include "httpapplication.h"
#include "httpexchange.h"
#include "httpserver.h"
#include "httpstatus.h"

#include "trace/tracebuffer.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <http_parser.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <utility>

namespace loopscope::http {

namespace {
// Bytes Qt may buffer from the kernel while a request is being answered; past that the
// client's pipelined data waits in the kernel (TCP flow control, like uvicorn's pause_reading).
constexpr qint64 kReadBufferLimit = 256 * 1024;
constexpr qint64 kReadChunk = 64 * 1024;

HttpConnection *self(http_parser *p)
{
    return static_cast<HttpConnection *>(p->data);
}

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool isNoBodyStatus(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}
} // namespace

struct HttpConnectionParserCallbacks {
    static int messageBegin(http_parser *p) { return self(p)->onMessageBegin(); }
    static int url(http_parser *p, const char *at, size_t n) { return self(p)->onUrl(at, n); }
    static int headerField(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderField(at, n); }
    static int headerValue(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderValue(at, n); }
    static int headersComplete(http_parser *p) { return self(p)->onHeadersComplete(); }
    static int body(http_parser *p, const char *at, size_t n) { return self(p)->onBody(at, n); }
    static int messageComplete(http_parser *p) { return self(p)->onMessageComplete(); }

    static const http_parser_settings &settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings v;
            http_parser_settings_init(&v);
            v.on_message_begin = messageBegin;
            v.on_url = url;
            v.on_header_field = headerField;
            v.on_header_value = headerValue;
            v.on_headers_complete = headersComplete;
            v.on_body = body;
            v.on_message_complete = messageComplete;
            return v;
        }();
        return s;
    }
};

HttpConnection::HttpConnection(HttpServer *server, qintptr descriptor, quint64 id)
    : QObject(server)
    , m_server(server)
    , m_socket(new QTcpSocket(this))
    , m_idleTimer(new QTimer(this))
    , m_id(id)
    , m_parser(std::make_unique<http_parser>())
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;

    if (!m_socket->setSocketDescriptor(descriptor))
        ::close(int(descriptor)); // not adopted: still ours to close; cleaned up below
    m_socket->setReadBufferSize(kReadBufferLimit);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_peerAddress = m_socket->peerAddress();
    m_peerPort = m_socket->peerPort();
    m_localPort = m_socket->localPort();
    m_peerText = m_peerAddress.toString().toLatin1() + ':' + QByteArray::number(m_peerPort);

    m_idleTimer->setSingleShot(true);
    connect(m_idleTimer, &QTimer::timeout, this, &HttpConnection::onIdleTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onDisconnected();
    });
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        // Accepted and already gone: clean up from the event loop.
        QTimer::singleShot(0, this, &HttpConnection::onDisconnected);
        return;
    }
    // A connection that never sends a request is dropped after the keep-alive timeout too.
    markIdle();
}

HttpConnection::~HttpConnection()
{
    if (m_writtenQueued)
        m_server->cancelWrittenPass(this);
    if (!m_gone) {
        m_gone = true;
        detachActive();
        m_server->connectionClosed(this);
    }
}

bool HttpConnection::isOpen() const
{
    return !m_gone && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 HttpConnection::bytesPending() const
{
    return m_gone ? 0 : m_socket->bytesToWrite();
}

void HttpConnection::abort()
{
    if (m_gone)
        return;
    m_socket->abort();
    onDisconnected();
}

// --- reading ------------------------------------------------------------------------

void HttpConnection::onReadyRead()
{
    if (m_gone || m_closing)
        return;
    // Bytes arriving while a request is answered are buffered, not parsed: pipelined
    // requests wait their turn.
    if (!readFromSocket() || m_active)
        return;
    markBusy();
    parse();
    if (!m_gone && !m_active && !m_closing)
        markIdle();
}

bool HttpConnection::readFromSocket()
{
    const qsizetype unparsed = m_buffer.size() - m_pos;
    if (unparsed >= kReadBufferLimit)
        return true; // the rest waits in Qt's buffer and then the kernel (TCP flow control, like uvicorn's pause_reading)
    if (unparsed == 0) {
        m_buffer.resize(0); // keeps its capacity
        m_pos = 0;
    }
    const qsizetype old = m_buffer.size();
    m_buffer.resize(old + kReadChunk);
    const qint64 n = m_socket->read(m_buffer.data() + old, kReadChunk);
    m_buffer.resize(old + (n > 0 ? qsizetype(n) : 0));
    if (n < 0) { // not connected any more (Qt reports the end with disconnected())
        onDisconnected();
        return false;
    }
    return true;
}

void HttpConnection::parse()
{
    const http_parser_settings &settings = HttpConnectionParserCallbacks::settings();
    while (!m_gone && !m_closing && !m_active && m_pos < m_buffer.size()) {
        const size_t length = size_t(m_buffer.size() - m_pos);
        const size_t parsed = http_parser_execute(m_parser.get(), &settings,
                                                  m_buffer.constData() + m_pos, length);
        m_pos += qsizetype(parsed);
        const auto error = HTTP_PARSER_ERRNO(m_parser.get());
        if (m_messageReady) {
            m_messageReady = false;
            if (error == HPE_PAUSED)
                http_parser_pause(m_parser.get(), 0);
            if (m_parser->upgrade) {
                // Like uvicorn: no other protocol is spoken here; answer as HTTP/1.1 and
                // go on reading HTTP/1.1 (libhttp-parser stops at an upgrade: restart it).
                m_server->log(HttpServer::LogLevel::Warning, QStringLiteral("Unsupported upgrade request."));
                http_parser_init(m_parser.get(), HTTP_REQUEST);
                m_parser->data = this;
            }
            dispatch();
            continue;
        }
        if (error != HPE_OK) {
            int status = m_errorStatus;
            if (!status)
                status = error == HPE_HEADER_OVERFLOW ? 431 : 400;
            failAndClose(status);
            return;
        }
        if (parsed < length) { // cannot happen without an error, but never spin
            failAndClose(400);
            return;
        }
    }
    if (m_pos >= m_buffer.size()) {
        m_buffer.resize(0); // keeps its capacity for the next read
        m_pos = 0;
    } else if (m_pos > 64 * 1024) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
}

int HttpConnection::onMessageBegin()
{
    m_request.reset();
    m_request.peerAddress = m_peerAddress;
    m_request.peerPort = m_peerPort;
    m_request.localPort = m_localPort;
    m_requestId = m_server->nextRequestId();
    m_headerBytes = 0;
    m_lastWasField = false;
    m_serviceUnavailable = false;
    m_errorStatus = 0;
    trace::record(trace::EventKind::RequestAccepted, m_requestId, m_id);
    return 0;
}

int HttpConnection::onUrl(const char *at, size_t length)
{
    m_headerBytes += qsizetype(length);
    if (m_headerBytes > m_server->settings().maxHeaderBytes) {
        m_errorStatus = 431;
        return 1;
    }
    m_request.target.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(const char *at, size_t length)
{
    m_headerBytes += qsizetype(length) + 4;
    if (m_headerBytes > m_server->settings().maxHeaderBytes) {
        m_errorStatus = 431;
        return 1;
    }
    if (m_lastWasField && !m_request.headers.empty())
        m_request.headers.back().first.append(at, qsizetype(length));
    else
        m_request.headers.emplace_back(QByteArray(at, qsizetype(length)), QByteArray());
    m_lastWasField = true;
    return 0;
}

int HttpConnection::onHeaderValue(const char *at, size_t length)
{
    m_headerBytes += qsizetype(length);
    if (m_headerBytes > m_server->settings().maxHeaderBytes) {
        m_errorStatus = 431;
        return 1;
    }
    if (m_request.headers.empty())
        return 1;
    m_request.headers.back().second.append(at, qsizetype(length));
    m_lastWasField = false;
    return 0;
}

int HttpConnection::onHeadersComplete()
{
    http_parser *p = m_parser.get();
    for (auto &h : m_request.headers)
        h.first = h.first.toLower();
    m_request.method = http_method_str(http_method(p->method));
    m_request.httpMajor = p->http_major;
    m_request.httpMinor = p->http_minor;
    m_request.keepAlive = http_should_keep_alive(p) != 0;
    m_request.splitTarget();

    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX
        && p->content_length > quint64(m_server->settings().maxBodyBytes)) {
        m_errorStatus = 413;
        return -1;
    }
    m_serviceUnavailable = m_server->overConcurrencyLimit();
    if (!m_serviceUnavailable && m_request.httpMinor >= 1
        && m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    return 0;
}

int HttpConnection::onBody(const char *at, size_t length)
{
    if (m_request.body.size() + qsizetype(length) > m_server->settings().maxBodyBytes) {
        m_errorStatus = 413;
        return 1;
    }
    m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete()
{
    m_messageReady = true;
    http_parser_pause(m_parser.get(), 1);
    return 0;
}

void HttpConnection::dispatch()
{
    const bool keepAlive = m_request.keepAlive;
    const bool head = m_request.method == "HEAD";
    auto exchange = std::make_shared<HttpExchange>(std::move(m_request), m_requestId, m_id, this,
                                                   m_server->inflightCounter());
    m_active = exchange; // m_request, moved from, is reset when the next message begins
    m_responseStarted = false;
    m_bodyDone = false;
    m_kernelHasAll = false;
    m_reported = false;
    m_chunked = false;
    m_noBody = head;
    m_bodyBytes = 0;
    m_status = 0;
    if (!keepAlive)
        m_closeAfterResponse = true;
    markBusy();
    // b: the burst client's own index for the request plus one (0: untagged)
    trace::record(trace::EventKind::RequestRead, exchange->id(), m_id,
                  std::uint64_t(exchange->request().clientRequestId() + 1));

    if (m_serviceUnavailable) {
        m_server->log(HttpServer::LogLevel::Warning, QStringLiteral("Exceeded concurrency limit."));
        // uvicorn's service_unavailable app: no content-length, so the body goes chunked
        exchange->startStreaming(503, {{"content-type", "text/plain; charset=utf-8"}, {"connection", "close"}});
        exchange->writeChunk(QByteArrayLiteral("Service Unavailable"));
        exchange->finish();
        return;
    }
    m_server->application()->handle(std::move(exchange));
}

// --- writing ------------------------------------------------------------------------

void HttpConnection::write(const QByteArray &bytes)
{
    if (m_gone || bytes.isEmpty())
        return;
    // Hand the bytes to the kernel now, as uvicorn's transport.write() does: a response
    // finished just before the loop blocks must not wait in Qt's buffer until it unblocks.
    // With nothing queued ahead they go straight to the socket (Qt's buffered path would
    // switch its write notifier on and off again: two dispatcher wake-ups per response);
    // what the kernel does not take, and any error, goes through Qt's buffer as before.
    // Completion and drain callbacks still run from the loop, never inside this call.
    qint64 sent = 0;
    if (m_socket->bytesToWrite() == 0) {
        const ssize_t n = ::send(int(m_socket->socketDescriptor()), bytes.constData(), size_t(bytes.size()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent = n;
    }
    if (sent < bytes.size()) {
        m_socket->write(bytes.constData() + sent, bytes.size() - sent);
        m_flushing = true;
        m_socket->flush();
        m_flushing = false;
    }
    m_kernelHasAll = m_socket->bytesToWrite() == 0;
    if (m_kernelHasAll || (m_onDrained && m_socket->bytesToWrite() <= m_drainLowWater))
        queueWrittenPass();
}

void HttpConnection::startResponse(HttpExchange *exchange, int status, const HttpHeaders &headers,
                                   const QByteArray *body)
{
    if (m_gone || exchange != m_active.get() || m_responseStarted)
        return;
    m_responseStarted = true;
    m_status = status;

    const bool hasLength = hasHeader(headers, "content-length");
    const bool hasEncoding = hasHeader(headers, "transfer-encoding");
    const QByteArray connectionHeader = headerValue(headers, "connection");
    if (connectionHeader.compare("close", Qt::CaseInsensitive) == 0)
        m_closeAfterResponse = true;
    const HttpRequest &request = exchange->request();
    const bool noBody = m_noBody || isNoBodyStatus(status);
    m_noBody = noBody;

    QByteArray out;
    out.reserve(160 + (body ? body->size() : 0));
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\ndate: ";
    out += httpDate();
    out += "\r\n";
    const QByteArray &serverName = m_server->settings().serverHeader;
    if (!serverName.isEmpty()) {
        out += "server: ";
        out += serverName;
        out += "\r\n";
    }
    for (const auto &[name, value] : headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (body) {
        if (!hasLength && !isNoBodyStatus(status)) {
            out += "content-length: ";
            out += QByteArray::number(body->size());
            out += "\r\n";
        }
    } else if (!hasLength && !hasEncoding && !noBody) {
        if (request.httpMajor == 1 && request.httpMinor >= 1) {
            m_chunked = true;
            out += "transfer-encoding: chunked\r\n";
        } else {
            m_closeAfterResponse = true; // HTTP/1.0: the body ends when the connection does
        }
    }
    if (m_closeAfterResponse && connectionHeader.isEmpty())
        out += "connection: close\r\n";
    out += "\r\n";
    if (body && !noBody) {
        out += *body;
        m_bodyBytes = body->size();
    }
    write(out);
    if (m_server->settings().accessLog)
        m_server->logAccess(m_peerText, request.method, request.target, request.httpVersion(), status);
    if (body) {
        m_bodyDone = true;
        reportWrittenIfDone();
    }
}

bool HttpConnection::writeBody(HttpExchange *exchange, const QByteArray &bytes)
{
    if (m_gone || exchange != m_active.get() || !m_responseStarted || m_bodyDone)
        return false;
    if (bytes.isEmpty() || m_noBody)
        return true;
    m_bodyBytes += bytes.size();
    if (m_chunked) {
        QByteArray out;
        out.reserve(bytes.size() + 16);
        out += QByteArray::number(bytes.size(), 16);
        out += "\r\n";
        out += bytes;
        out += "\r\n";
        write(out);
    } else {
        write(bytes);
    }
    return true;
}

void HttpConnection::finishResponse(HttpExchange *exchange)
{
    if (m_gone || exchange != m_active.get() || !m_responseStarted || m_bodyDone)
        return;
    m_bodyDone = true;
    if (m_chunked)
        write(QByteArrayLiteral("0\r\n\r\n"));
    if (m_socket->bytesToWrite() == 0) // nothing left to flush: complete from the loop
        queueWrittenPass();
    reportWrittenIfDone();
}

void HttpConnection::reportWrittenIfDone()
{
    // The kernel took the whole response: the application hears so now, inside its own
    // call, as uvicorn's `await send(body)` returns without yielding when the transport
    // took everything (a request's task ends in the step that answered it, not after
    // whatever the loop runs next). The connection moves on to its next request from
    // the loop (queueWrittenPass), never inside the application's call.
    if (m_gone || !m_active || m_reported || !m_bodyDone || !m_kernelHasAll || m_socket->bytesToWrite() > 0)
        return;
    m_reported = true;
    trace::record(trace::EventKind::ResponseWritten, m_active->id(), quint64(m_status), quint64(m_bodyBytes));
    const std::shared_ptr<HttpExchange> exchange = m_active; // the callback may drop the last other owner
    exchange->complete(true);
}

bool HttpConnection::setDrainCallback(HttpExchange *exchange, std::function<void()> callback, qint64 lowWater)
{
    if (m_gone || exchange != m_active.get())
        return false;
    m_onDrained = std::move(callback);
    m_drainLowWater = lowWater;
    if (m_socket->bytesToWrite() <= lowWater) // already drained: no bytesWritten will come
        queueWrittenPass();
    return true;
}

void HttpConnection::callDrain()
{
    if (!m_onDrained)
        return;
    auto callback = std::move(m_onDrained);
    m_onDrained = nullptr;
    callback();
}

void HttpConnection::queueWrittenPass()
{
    if (m_writtenQueued || m_gone)
        return;
    m_writtenQueued = true;
    m_server->scheduleWrittenPass(this);
}

void HttpConnection::onWrittenPass()
{
    m_writtenQueued = false;
    onBytesWritten();
}

void HttpConnection::onBytesWritten()
{
    if (m_gone || !m_active || m_flushing)
        return;
    if (m_onDrained && m_socket->bytesToWrite() <= m_drainLowWater) {
        QPointer<HttpConnection> guard(this);
        callDrain();
        if (!guard || m_gone || !m_active)
            return;
    }
    if (!m_bodyDone || m_socket->bytesToWrite() > 0)
        return;
    completeActive(true);
}

void HttpConnection::completeActive(bool written)
{
    std::shared_ptr<HttpExchange> exchange = std::move(m_active);
    m_active.reset();
    if (!exchange)
        return;
    if (m_onDrained) // a producer still waiting: let it see the end
        QTimer::singleShot(0, std::exchange(m_onDrained, nullptr));
    if (written && !m_reported)
        trace::record(trace::EventKind::ResponseWritten, exchange->id(), quint64(m_status),
                    quint64(m_bodyBytes));
    m_reported = false;
    m_responseStarted = false;
    m_bodyDone = false;
    m_kernelHasAll = false;
    m_chunked = false;

    QPointer<HttpConnection> guard(this);
    exchange->complete(written);
    exchange.reset();
    if (!guard || m_gone || !written)
        return;
    if (m_closeAfterResponse) {
        closeGracefully();
        return;
    }
    parse();             // a pipelined request already buffered
    if (!guard || m_gone)
        return;
    onReadyRead();       // or one waiting in the socket
    if (guard && !m_gone && !m_active && !m_closing)
        markIdle();
}

void HttpConnection::failAndClose(int status)
{
    // Nothing is in flight here: requests are only parsed between responses.
    m_closing = true;
    markBusy();
    const QByteArray body = status == 400 ? QByteArrayLiteral("Invalid HTTP request received.")
                                          : reasonPhrase(status);
    m_server->log(HttpServer::LogLevel::Warning, status == 400
                      ? QStringLiteral("Invalid HTTP request received.")
                      : QStringLiteral("Request rejected: %1 %2").arg(status).arg(QString::fromLatin1(body)));
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                     + "\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: "
                     + QByteArray::number(body.size()) + "\r\nconnection: close\r\n\r\n" + body;
    write(out);
    m_buffer.clear();
    m_pos = 0;
    m_socket->disconnectFromHost();
}

void HttpConnection::closeGracefully()
{
    if (m_gone || m_closing)
        return;
    m_closing = true;
    markBusy();
    m_socket->disconnectFromHost(); // flushes what is queued, then closes
}

void HttpConnection::markIdle()
{
    m_idleSinceMs = steadyMs();
    if (!m_idleTimer->isActive())
        m_idleTimer->start(m_server->settings().keepAliveTimeoutMs);
}

void HttpConnection::markBusy()
{
    m_idleSinceMs = -1; // the timer, if running, finds the connection busy and lets it be
}

void HttpConnection::onIdleTimeout()
{
    if (m_gone || m_active || m_closing || m_idleSinceMs < 0)
        return; // busy: markIdle() arms the timer again
    const std::int64_t left = m_idleSinceMs + m_server->settings().keepAliveTimeoutMs - steadyMs();
    if (left > 0) {
        m_idleTimer->start(int(left));
        return;
    }
    closeGracefully();
}

void HttpConnection::detachActive()
{
    if (!m_active)
        return;
    if (m_responseStarted) {
        // A body handed to the kernel whole before the peer went away was written (the
        // completion was only waiting for the next loop pass).
        completeActive(m_bodyDone && m_kernelHasAll);
    } else {
        // The application still works on it; its answer will go nowhere.
        std::shared_ptr<HttpExchange> exchange = std::move(m_active);
        m_active.reset();
        exchange->m_connection = nullptr;
        if (m_onDrained)
            QTimer::singleShot(0, std::exchange(m_onDrained, nullptr));
    }
}

void HttpConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_idleTimer->stop();
    if (m_writtenQueued) {
        m_writtenQueued = false;
        m_server->cancelWrittenPass(this);
    }
    detachActive();
    m_server->connectionClosed(this);
    deleteLater();
}

} // namespace loopscope::http
