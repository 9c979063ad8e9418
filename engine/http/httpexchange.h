// One request and its response: what HttpServer hands the application. The application
// answers now or later, always from the server's loop thread: respond() in one go, or
// startStreaming() / writeChunk() / finish() (chunked transfer encoding). The completion
// callback says when the last byte has been handed to the socket (or the client is gone),
// which is when the FastAPI layer runs BackgroundTasks.
#pragma once

#include "httpheaders.h"
#include "httprequest.h"

#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace loopscope::http {

class HttpConnection;

class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
public:
    enum class State { Pending, Streaming, Finished };

    HttpExchange(HttpRequest request, std::int64_t id, quint64 connectionId,
                 HttpConnection *connection, std::shared_ptr<std::atomic<int>> inflight);
    ~HttpExchange();
    HttpExchange(const HttpExchange &) = delete;
    HttpExchange &operator=(const HttpExchange &) = delete;

    const HttpRequest &request() const { return m_request; }
    std::int64_t id() const { return m_id; }             // request id (also in trace events)
    quint64 connectionId() const { return m_connectionId; }
    const QByteArray &method() const { return m_request.method; }
    const QByteArray &rawPath() const { return m_request.rawPath; }
    QString path() const { return m_request.path(); }
    const QByteArray &queryString() const { return m_request.queryString; }
    const HttpHeaders &headers() const { return m_request.headers; }
    const QByteArray &body() const { return m_request.body; }
    QThread *loopThread() const { return m_thread; }

    // Answers in one go. `content-length` is added unless present; `date` and `server`
    // come first as uvicorn writes them.
    void respond(int status, const HttpHeaders &headers = {}, const QByteArray &body = {});
    // Starts a streamed answer: chunked unless `headers` carry a content-length.
    void startStreaming(int status, const HttpHeaders &headers = {});
    // Queues one piece of a streamed body. Returns false if the client is gone.
    bool writeChunk(const QByteArray &bytes);
    void finish();

    // Called once, on the loop thread: written = true when the whole response has been
    // handed to the socket, false when the connection was lost before that.
    void setCompletionCallback(std::function<void(bool written)> callback);

    State state() const { return m_state; }
    int status() const { return m_status; }
    bool isConnected() const;
    // Response bytes waiting in the socket's buffer (for a streaming producer's back-pressure).
    qint64 bytesPending() const;
    // Back-pressure for a streaming producer (uvicorn awaits drain above 64 KiB): calls
    // `callback` once, from the loop, when at most `lowWater` bytes are pending — or when
    // the client is gone (check isConnected()).
    void whenDrained(std::function<void()> callback, qint64 lowWater = 16 * 1024);

private:
    friend class HttpConnection;
    void assertLoopThread(const char *what) const;
    // From HttpConnection: the response is out (or never will be).
    void complete(bool written);

    HttpRequest m_request;
    std::int64_t m_id;
    quint64 m_connectionId;
    QPointer<HttpConnection> m_connection;
    QThread *m_thread;
    std::shared_ptr<std::atomic<int>> m_inflight;
    std::function<void(bool)> m_onComplete;
    State m_state = State::Pending;
    int m_status = 0;
    bool m_completed = false;
    bool m_written = false;
};

} // namespace loopscope::http
