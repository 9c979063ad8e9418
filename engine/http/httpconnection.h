// One client connection of HttpServer: reads and parses requests with libhttp-parser,
// hands them to the application one at a time and writes the responses in order.
// Like uvicorn, request N+1 on a connection is not dispatched before response N has
// been written completely (pipelined bytes wait in the buffer meanwhile).
#pragma once

#include "httpheaders.h"
#include "httprequest.h"

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>

class QTcpSocket;
class QTimer;
struct http_parser;

namespace loopscope::http {

class HttpServer;
class HttpExchange;

class HttpConnection : public QObject {
    Q_OBJECT
public:
    HttpConnection(HttpServer *server, qintptr descriptor, quint64 id);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    bool isOpen() const;
    qint64 bytesPending() const;
    // Closes now, dropping whatever is unsent.
    void abort();

    // From HttpExchange, on the loop thread. `body` null starts a streamed response.
    void startResponse(HttpExchange *exchange, int status, const HttpHeaders &headers,
                       const QByteArray *body);
    bool writeBody(HttpExchange *exchange, const QByteArray &bytes);
    void finishResponse(HttpExchange *exchange);
    bool setDrainCallback(HttpExchange *exchange, std::function<void()> callback, qint64 lowWater);

    // From HttpServer: the loop pass this connection asked for (queueWrittenPass).
    void onWrittenPass();

private:
    void onReadyRead();
    bool readFromSocket(); // false: the connection is gone
    void onBytesWritten();
    void onDisconnected();
    void onIdleTimeout();
    void parse();
    void dispatch();
    void failAndClose(int status);
    void completeActive(bool written);
    void reportWrittenIfDone();
    void closeGracefully();
    void detachActive();
    void write(const QByteArray &bytes);
    void callDrain();
    void queueWrittenPass();
    // Keep-alive: the timer is armed lazily; it checks on firing how long the connection
    // has really been idle (no timer restart per request).
    void markIdle();
    void markBusy();

    // libhttp-parser callbacks
    friend struct HttpConnectionParserCallbacks;
    int onMessageBegin();
    int onUrl(const char *at, size_t length);
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeadersComplete();
    int onBody(const char *at, size_t length);
    int onMessageComplete();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QTimer *m_idleTimer;
    std::int64_t m_idleSinceMs = -1; // steady clock; -1 while a request is read or answered
    // onBytesWritten at the next loop pass (HttpServer::scheduleWrittenPass), when a
    // write went out whole.
    bool m_writtenQueued = false;
    bool m_kernelHasAll = false; // the last write went to the kernel whole
    bool m_reported = false;     // the active exchange was told its response is written
    quint64 m_id;
    std::unique_ptr<http_parser> m_parser;
    QByteArray m_peerText; // "127.0.0.1:51234" for the access log
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    quint16 m_localPort = 0;

    QByteArray m_buffer;   // received, not yet parsed from m_pos on
    qsizetype m_pos = 0;

    // the request being parsed
    HttpRequest m_request;
    std::int64_t m_requestId = -1;
    qsizetype m_headerBytes = 0;
    bool m_lastWasField = false;
    bool m_messageReady = false;
    bool m_serviceUnavailable = false;
    int m_errorStatus = 0;

    // the request being answered
    std::shared_ptr<HttpExchange> m_active;
    bool m_responseStarted = false;
    bool m_bodyDone = false;
    bool m_chunked = false;
    bool m_noBody = false;
    bool m_flushing = false; // inside flush(): bytesWritten is handled afterwards
    qint64 m_bodyBytes = 0;
    int m_status = 0;
    std::function<void()> m_onDrained;
    qint64 m_drainLowWater = 0;

    bool m_closeAfterResponse = false;
    bool m_closing = false;
    bool m_gone = false;
};

} // namespace loopscope::http
