// HttpServer: uvicorn's HTTP/1.1 protocol on a QTcpServer. The server, its listening
// socket and every connection live on the thread that creates it (the engine's loop
// thread, running a Qt event loop); the application is called there too.
#pragma once

#include "httpserversettings.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QTcpServer;
class QTimer;

namespace loopscope::http {

class HttpApplication;
class HttpConnection;

class HttpServer : public QObject {
    Q_OBJECT
public:
    enum class LogLevel { Info, Warning, Error };
    // message without the level prefix, e.g. `127.0.0.1:51234 - "GET /x HTTP/1.1" 200 OK`
    using LogCallback = std::function<void(LogLevel level, const QString &message)>;

    // `application` must outlive the server.
    explicit HttpServer(HttpApplication *application, const HttpServerSettings &settings = {},
                        QObject *parent = nullptr);
    ~HttpServer() override;

    // Binds settings().address:port (SO_REUSEPORT if settings().reusePort) and listens
    // with settings().backlog. False with errorString() on failure.
    bool listen();
    // Listens on an already bound and listening socket (ownership passes to the server).
    bool listenOnDescriptor(qintptr descriptor);
    // Stops accepting; open connections go on.
    void close();
    // Drops every open connection (in-flight exchanges see their client gone).
    void closeAllConnections();

    bool isListening() const;
    quint16 port() const;
    QString errorString() const { return m_error; }
    const HttpServerSettings &settings() const { return m_settings; }
    HttpApplication *application() const { return m_application; }

    void setLogCallback(LogCallback callback) { m_log = std::move(callback); }
    // uvicorn's console form: "INFO:     message", "WARNING:  message".
    static QString formatLogLine(LogLevel level, const QString &message);

    int connectionCount() const { return m_connections; }
    // Exchanges handed out and still referenced (uvicorn's server_state.tasks).
    int inflightTasks() const { return m_inflight->load(std::memory_order_relaxed); }
    std::int64_t requestsStarted() const { return m_requestsStarted; }

    // --- for HttpConnection ---
    std::int64_t nextRequestId();
    std::shared_ptr<std::atomic<int>> inflightCounter() const { return m_inflight; }
    // uvicorn's --limit-concurrency test, made when a request's headers are complete.
    bool overConcurrencyLimit() const;
    void log(LogLevel level, const QString &message);
    void logAccess(const QByteArray &peer, const QByteArray &method, const QByteArray &target,
                   const QByteArray &version, int status);
    void connectionClosed(HttpConnection *connection);
    // Calls connection->onWrittenPass() at the next pass of the loop thread's event loop:
    // one zero timer for the whole server, not a timer per connection and response.
    void scheduleWrittenPass(HttpConnection *connection);
    void cancelWrittenPass(HttpConnection *connection);

private:
    void acceptConnection(qintptr descriptor);
    void runWrittenPass();
    friend class HttpListener;

    HttpApplication *m_application;
    HttpServerSettings m_settings;
    QTcpServer *m_listener = nullptr;
    QString m_error;
    LogCallback m_log;
    int m_connections = 0;
    quint64 m_nextConnectionId = 0;
    std::int64_t m_requestsStarted = 0;
    std::shared_ptr<std::atomic<int>> m_inflight;
    QTimer *m_writtenPass;
    std::vector<HttpConnection *> m_writtenQueue;
};

// Creates a TCP socket bound to address:port and listening (SO_REUSEADDR, plus
// SO_REUSEPORT when asked). Returns the descriptor or -1 with `error` set.
qintptr createListeningSocket(const QHostAddress &address, quint16 port, int backlog,
                              bool reusePort, QString *error);

} // namespace loopscope::http
