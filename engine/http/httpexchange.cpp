#include "httpexchange.h"

#include "httpconnection.h"

#include <QThread>
#include <QTimer>

namespace loopscope::http {

HttpExchange::HttpExchange(HttpRequest request, std::int64_t id, quint64 connectionId,
                           HttpConnection *connection, std::shared_ptr<std::atomic<int>> inflight)
    : m_request(std::move(request))
    , m_id(id)
    , m_connectionId(connectionId)
    , m_connection(connection)
    , m_thread(QThread::currentThread())
    , m_inflight(std::move(inflight))
{
    if (m_inflight)
        m_inflight->fetch_add(1, std::memory_order_relaxed);
}

HttpExchange::~HttpExchange()
{
    // May run on any thread (the last reference can live in a worker's closure).
    if (m_inflight)
        m_inflight->fetch_sub(1, std::memory_order_relaxed);
}

void HttpExchange::assertLoopThread(const char *what) const
{
    Q_ASSERT_X(QThread::currentThread() == m_thread, what,
               "HttpExchange must be used on the server's loop thread");
    if (QThread::currentThread() != m_thread)
        qFatal("HttpExchange::%s called off the server's loop thread", what);
}

bool HttpExchange::isConnected() const
{
    return m_connection && m_connection->isOpen();
}

qint64 HttpExchange::bytesPending() const
{
    return m_connection ? m_connection->bytesPending() : 0;
}

void HttpExchange::whenDrained(std::function<void()> callback, qint64 lowWater)
{
    assertLoopThread("whenDrained");
    if (!callback)
        return;
    if (!isConnected() || m_connection->bytesPending() <= lowWater || !m_connection->setDrainCallback(this, callback, lowWater))
        QTimer::singleShot(0, std::move(callback));
}

void HttpExchange::respond(int status, const HttpHeaders &headers, const QByteArray &body)
{
    assertLoopThread("respond");
    if (m_state != State::Pending)
        return;
    m_state = State::Finished;
    m_status = status;
    if (isConnected()) {
        m_connection->startResponse(this, status, headers, &body);
    } else {
        complete(false);
    }
}

void HttpExchange::startStreaming(int status, const HttpHeaders &headers)
{
    assertLoopThread("startStreaming");
    if (m_state != State::Pending)
        return;
    m_state = State::Streaming;
    m_status = status;
    if (isConnected())
        m_connection->startResponse(this, status, headers, nullptr);
}

bool HttpExchange::writeChunk(const QByteArray &bytes)
{
    assertLoopThread("writeChunk");
    if (m_state != State::Streaming || !isConnected())
        return false;
    return m_connection->writeBody(this, bytes);
}

void HttpExchange::finish()
{
    assertLoopThread("finish");
    if (m_state != State::Streaming)
        return;
    m_state = State::Finished;
    if (isConnected())
        m_connection->finishResponse(this);
    else
        complete(false);
}

void HttpExchange::setCompletionCallback(std::function<void(bool)> callback)
{
    assertLoopThread("setCompletionCallback");
    if (m_completed) { // the answer is already out (or lost): report it from the loop
        if (callback)
            QTimer::singleShot(0, [callback = std::move(callback), written = m_written] { callback(written); });
        return;
    }
    m_onComplete = std::move(callback);
}

void HttpExchange::complete(bool written)
{
    if (m_completed)
        return;
    m_completed = true;
    m_written = written;
    auto callback = std::move(m_onComplete);
    m_onComplete = nullptr;
    if (!callback)
        return;
    if (written) {
        callback(true);
    } else {
        // Never re-enter the application from inside its own respond()/finish().
        QTimer::singleShot(0, [callback = std::move(callback)] { callback(false); });
    }
}

} // namespace loopscope::http
