// The HTTP clients behind `requests` (blocking socket) and `httpx.AsyncClient` (non-
// blocking on a Qt thread): response framing (content-length, chunked, close-delimited),
// URL handling, connection errors and timeouts.
#include "fastapi/asynchttprequest.h"
#include "fastapi/blockinghttpclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QMutex>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

using namespace loopscope::fastapi;

namespace {

// Answers every connection with a canned reply once the request head arrived; runs on
// its own thread so blocking clients can be tested from the test thread.
class CannedServer : public QThread {
public:
    explicit CannedServer(QByteArray reply, int delayMs = 0) : m_reply(std::move(reply)), m_delayMs(delayMs) {}
    ~CannedServer() override
    {
        quit();
        wait();
    }
    quint16 port() const { return m_port.load(); }
    QByteArray lastRequest() const
    {
        QMutexLocker l(&m_mutex);
        return m_lastRequest;
    }
    void startAndWait()
    {
        start();
        while (m_port.load() == 0)
            QThread::msleep(1);
    }

protected:
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&]() {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, buffer]() {
                    buffer->append(s->readAll());
                    if (!buffer->contains("\r\n\r\n"))
                        return;
                    {
                        QMutexLocker l(&m_mutex);
                        m_lastRequest = *buffer;
                    }
                    QTimer::singleShot(m_delayMs, s, [this, s]() {
                        s->write(m_reply);
                        s->disconnectFromHost();
                    });
                });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_port.store(server.serverPort());
        exec();
    }

private:
    QByteArray m_reply;
    int m_delayMs;
    std::atomic<quint16> m_port{0};
    mutable QMutex m_mutex;
    QByteArray m_lastRequest;
};

HttpClientTarget target(quint16 port, const char *path = "/x?i=1")
{
    HttpClientTarget t;
    std::string error;
    const bool ok = HttpClientTarget::fromUrl("http://127.0.0.1:" + std::to_string(port) + path, t, error);
    Q_ASSERT(ok);
    return t;
}

} // namespace

class TestHttpClient : public QObject {
    Q_OBJECT
private slots:
    void parsesFraming()
    {
        HttpClientResponse r;
        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\npo", false, r),
                 HttpClientResponse::Parse::NeedMore);
        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong", false, r),
                 HttpClientResponse::Parse::Complete);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, std::string("pong"));
        QCOMPARE(*r.header("Content-Length"), std::string("4"));

        const char *chunked = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        QCOMPARE(HttpClientResponse::parse(chunked, false, r), HttpClientResponse::Parse::Complete);
        QCOMPARE(r.body, std::string("abcde"));
        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nab", false, r),
                 HttpClientResponse::Parse::NeedMore);

        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 200 OK\r\n\r\nuntil close", false, r), HttpClientResponse::Parse::NeedMore);
        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 200 OK\r\n\r\nuntil close", true, r), HttpClientResponse::Parse::Complete);
        QCOMPARE(r.body, std::string("until close"));
        QCOMPARE(HttpClientResponse::parse("garbage\r\n\r\n", true, r), HttpClientResponse::Parse::Invalid);
        QCOMPARE(HttpClientResponse::parse("", true, r), HttpClientResponse::Parse::Invalid);
        QCOMPARE(HttpClientResponse::parse("HTTP/1.1 204 No Content\r\n\r\n", false, r), HttpClientResponse::Parse::Complete);
    }

    void parsesUrls()
    {
        HttpClientTarget t;
        std::string error;
        QVERIFY(HttpClientTarget::fromUrl("http://127.0.0.1:8000/items/5?q=1", t, error));
        QCOMPARE(t.host, std::string("127.0.0.1"));
        QCOMPARE(t.port, 8000);
        QCOMPARE(t.pathAndQuery, std::string("/items/5?q=1"));
        QCOMPARE(t.hostHeader, std::string("127.0.0.1:8000"));
        QVERIFY(HttpClientTarget::fromUrl("http://localhost", t, error));
        QCOMPARE(t.port, 80);
        QCOMPARE(t.pathAndQuery, std::string("/"));
        QVERIFY(HttpClientTarget::fromUrl("http://h?x=1", t, error));
        QCOMPARE(t.pathAndQuery, std::string("/?x=1"));
        QVERIFY(!HttpClientTarget::fromUrl("https://example.com/", t, error));
        QVERIFY(!HttpClientTarget::fromUrl("ftp://x/", t, error));
        QVERIFY(!HttpClientTarget::fromUrl("http://h:99999/", t, error));
        QVERIFY(!HttpClientTarget::fromUrl("http:///x", t, error));

        HttpClientTarget::fromUrl("http://127.0.0.1:8000/p", t, error);
        const std::string text = t.requestText("POST", {{"X-A", "1"}}, "{}", "python-requests/2.28.1");
        QVERIFY(text.rfind("POST /p HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n", 0) == 0);
        QVERIFY(text.find("Connection: close\r\n") != std::string::npos);
        QVERIFY(text.find("X-A: 1\r\n") != std::string::npos);
        QVERIFY(text.find("Content-Length: 2\r\n\r\n{}") != std::string::npos);
    }

    void blockingFetch()
    {
        CannedServer server("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 6\r\n\r\n\"pong\"");
        server.startAndWait();
        const auto t = target(server.port());
        auto result = BlockingHttpClient::fetch(t, t.requestText("GET", {}, {}, "python-requests/2.28.1"), 5);
        QCOMPARE(result.failure, BlockingHttpClient::Failure::None);
        QCOMPARE(result.response.status, 200);
        QCOMPARE(result.response.body, std::string("\"pong\""));
        QVERIFY(server.lastRequest().startsWith("GET /x?i=1 HTTP/1.1\r\n"));
    }

    void blockingErrors()
    {
        // A port nobody listens on: connection refused.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        const auto t = target(closedPort);
        auto refused = BlockingHttpClient::fetch(t, t.requestText("GET", {}, {}, "x"), 2);
        QCOMPARE(refused.failure, BlockingHttpClient::Failure::Connect);

        CannedServer slow("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", 2000);
        slow.startAndWait();
        const auto ts = target(slow.port());
        QElapsedTimer timer;
        timer.start();
        auto timedOut = BlockingHttpClient::fetch(ts, ts.requestText("GET", {}, {}, "x"), 0.2);
        QCOMPARE(timedOut.failure, BlockingHttpClient::Failure::Timeout);
        QVERIFY(timer.elapsed() < 1500);
    }

    void asyncFetchDoesNotBlockTheThread()
    {
        CannedServer server("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 300);
        server.startAndWait();
        const auto t = target(server.port());
        QEventLoop loop;
        int ticks = 0;
        QTimer ticker;
        QObject::connect(&ticker, &QTimer::timeout, [&]() { ++ticks; });
        ticker.start(10);
        bool done = false;
        HttpClientResponse got;
        AsyncHttpRequest::Failure failure = AsyncHttpRequest::Failure::Protocol;
        AsyncHttpRequest::start(t, t.requestText("GET", {}, {}, "python-httpx/0.23.3"), 5,
                                [&](AsyncHttpRequest::Failure f, std::string, HttpClientResponse r) {
                                    failure = f;
                                    got = std::move(r);
                                    done = true;
                                    loop.quit();
                                });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY(done);
        QCOMPARE(failure, AsyncHttpRequest::Failure::None);
        QCOMPARE(got.body, std::string("ok"));
        // The thread kept serving its timers while the request was out (~300 ms).
        QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
    }

    void asyncTimeoutAndRefused()
    {
        CannedServer slow("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", 2000);
        slow.startAndWait();
        QEventLoop loop;
        AsyncHttpRequest::Failure failure = AsyncHttpRequest::Failure::None;
        const auto t = target(slow.port());
        AsyncHttpRequest::start(t, t.requestText("GET", {}, {}, "x"), 0.2,
                                [&](AsyncHttpRequest::Failure f, std::string, HttpClientResponse) {
                                    failure = f;
                                    loop.quit();
                                });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(failure, AsyncHttpRequest::Failure::Timeout);

        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        const auto tc = target(closedPort);
        failure = AsyncHttpRequest::Failure::None;
        AsyncHttpRequest::start(tc, tc.requestText("GET", {}, {}, "x"), 2,
                                [&](AsyncHttpRequest::Failure f, std::string, HttpClientResponse) {
                                    failure = f;
                                    loop.quit();
                                });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(failure, AsyncHttpRequest::Failure::Connect);
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
