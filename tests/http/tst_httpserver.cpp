// HttpServer: uvicorn's HTTP/1.1 behaviour with a C++ application — keep-alive,
// pipelining order and serialisation, idle timeout, limit-concurrency, size limits,
// malformed input, chunked streaming, Connection: close, clients vanishing, workers.
#include "httptesthelpers.h"

#include "http/burstclient.h"
#include "http/httpserver.h"
#include "http/httpworkergroup.h"
#include "trace/tracebuffer.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>

#include <atomic>
#include <map>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

using namespace loopscope::http;
using namespace loopscope::http::test;

class tst_HttpServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void responseHeadersAndAccessLog();
    void requestFields();
    void keepAliveReusesConnection();
    void pipelinedRequestsAnsweredInOrderOneAtATime();
    void idleTimeoutClosesConnection();
    void connectionCloseHonoured();
    void http10ClosesWithoutKeepAlive();
    void limitConcurrencyAnswers503();
    void headerTooLarge431();
    void bodyTooLarge413_data();
    void bodyTooLarge413();
    void malformedRequest400();
    void garbageNeverCrashes();
    void chunkedStreaming();
    void streamingBackPressure();
    void expectContinue();
    void headRequestHasNoBody();
    void upgradeRequestAnsweredAsHttp11();
    void clientVanishingMidResponse();
    void halfClosedClient();
    void requestIdsFollowSettings();
    void manyConnections();
    void acceptsAgainAfterRunningOutOfDescriptors();
    void traceEvents();
    void workersShareOnePort();
};

void tst_HttpServer::responseHeadersAndAccessLog()
{
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) {
        ex->respond(200, {{"content-type", "application/json"}}, "\"pong\"");
    });
    HttpServer server(&app);
    QStringList log;
    server.setLogCallback([&](HttpServer::LogLevel level, const QString &message) {
        log << HttpServer::formatLogLine(level, message);
    });
    QVERIFY(server.listen());
    QVERIFY(server.port() != 0);
    Peer peer(server.port());
    QVERIFY(peer.connected());
    peer.send(get("/x?i=1"));
    QVERIFY(peer.waitResponses(1));
    const ParsedResponse r = peer.responses().at(0);
    QCOMPARE(r.status, 200);
    QVERIFY(peer.received.startsWith("HTTP/1.1 200 OK\r\ndate: "));
    QCOMPARE(r.header("server"), QByteArray("uvicorn"));
    QCOMPARE(r.header("content-length"), QByteArray("6"));
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QVERIFY(QRegularExpression(QStringLiteral("^\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$"))
                .match(QString::fromLatin1(r.header("date"))).hasMatch());
    QCOMPARE(r.body, QByteArray("\"pong\""));
    QCOMPARE(log.size(), 1);
    QVERIFY2(QRegularExpression(QStringLiteral("^INFO:     127\\.0\\.0\\.1:\\d+ - \"GET /x\\?i=1 HTTP/1\\.1\" 200 OK$"))
                 .match(log.at(0)).hasMatch(), qPrintable(log.at(0)));
}

void tst_HttpServer::requestFields()
{
    std::shared_ptr<HttpExchange> seen;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        seen = ex;
        ex->respond(201, {}, {});
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send("POST /items/a%20b?q=1&r=2 HTTP/1.1\r\nHost: x\r\nX-Custom-Thing: Value\r\n"
              "Content-Length: 5\r\n\r\nhello");
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses().at(0).status, 201);
    QVERIFY(seen);
    QCOMPARE(seen->method(), QByteArray("POST"));
    QCOMPARE(seen->rawPath(), QByteArray("/items/a%20b"));
    QCOMPARE(seen->path(), QStringLiteral("/items/a b"));
    QCOMPARE(seen->queryString(), QByteArray("q=1&r=2"));
    QCOMPARE(seen->request().header("x-custom-thing"), QByteArray("Value"));
    QCOMPARE(seen->request().headers.at(1).first, QByteArray("x-custom-thing"));
    QCOMPARE(seen->body(), QByteArray("hello"));
    QCOMPARE(seen->request().httpVersion(), QByteArray("1.1"));
    QCOMPARE(seen->request().peerAddress, QHostAddress(QHostAddress::LocalHost));
}

void tst_HttpServer::keepAliveReusesConnection()
{
    std::vector<std::pair<std::int64_t, quint64>> ids;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        ids.emplace_back(ex->id(), ex->connectionId());
        ex->respond(200, {}, "ok");
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    for (int i = 0; i < 3; ++i) {
        peer.send(get("/k?i=" + QByteArray::number(i)));
        QVERIFY(peer.waitResponses(std::size_t(i + 1)));
    }
    QVERIFY(!peer.closed);
    QCOMPARE(server.connectionCount(), 1);
    QCOMPARE(ids.size(), std::size_t(3));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(ids[std::size_t(i)].first, std::int64_t(i));
        QCOMPARE(ids[std::size_t(i)].second, ids[0].second);
    }
    for (const auto &r : peer.responses())
        QVERIFY(r.header("connection").isEmpty());
}

void tst_HttpServer::pipelinedRequestsAnsweredInOrderOneAtATime()
{
    // /slow answers after 300 ms, /fast at once. Sent back to back on one connection,
    // /fast must not even reach the application before /slow's response is written.
    QElapsedTimer clock;
    qint64 slowWritten = -1;
    std::vector<std::pair<QByteArray, qint64>> dispatched;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        dispatched.emplace_back(ex->rawPath(), clock.elapsed());
        if (ex->rawPath() == "/slow") {
            ex->setCompletionCallback([&](bool written) {
                if (written)
                    slowWritten = clock.elapsed();
            });
            QTimer::singleShot(300, [ex] { ex->respond(200, {}, "slow"); });
        } else {
            ex->respond(200, {}, "fast");
        }
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    clock.start();
    peer.send(get("/slow") + get("/fast") + get("/fast"));
    QTest::qWait(150);
    QCOMPARE(dispatched.size(), std::size_t(1)); // the pipelined ones wait
    QVERIFY(peer.waitResponses(3));
    const auto responses = peer.responses();
    QCOMPARE(responses[0].body, QByteArray("slow"));
    QCOMPARE(responses[1].body, QByteArray("fast"));
    QCOMPARE(responses[2].body, QByteArray("fast"));
    QCOMPARE(dispatched.size(), std::size_t(3));
    QVERIFY(slowWritten >= 250);
    QVERIFY2(dispatched[1].second >= slowWritten,
             qPrintable(QStringLiteral("fast dispatched at %1 ms, slow written at %2 ms")
                            .arg(dispatched[1].second).arg(slowWritten)));
    QCOMPARE(server.connectionCount(), 1);
}

void tst_HttpServer::idleTimeoutClosesConnection()
{
    LambdaApp app;
    HttpServerSettings settings;
    settings.keepAliveTimeoutMs = 300;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/a"));
    QVERIFY(peer.waitResponses(1));
    QElapsedTimer t;
    t.start();
    QVERIFY(peer.waitClosed(3000));
    QVERIFY2(t.elapsed() >= 200 && t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
    QTRY_COMPARE(server.connectionCount(), 0);
}

void tst_HttpServer::connectionCloseHonoured()
{
    LambdaApp app;
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/c", "Connection: close\r\n"));
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].header("connection"), QByteArray("close"));
    QVERIFY(peer.waitClosed());

    // the application can close too
    LambdaApp closer([](std::shared_ptr<HttpExchange> ex) {
        ex->respond(200, {{"connection", "close"}}, "bye");
    });
    HttpServer server2(&closer);
    QVERIFY(server2.listen());
    Peer peer2(server2.port());
    peer2.send(get("/c"));
    QVERIFY(peer2.waitResponses(1));
    QVERIFY(peer2.waitClosed());
}

void tst_HttpServer::http10ClosesWithoutKeepAlive()
{
    LambdaApp app;
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send("GET /old HTTP/1.0\r\n\r\n");
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].body, QByteArray("/old"));
    QVERIFY(peer.waitClosed());
}

void tst_HttpServer::limitConcurrencyAnswers503()
{
    // uvicorn: 503 once connections (this one included) or in-flight tasks reach the limit.
    std::vector<std::shared_ptr<HttpExchange>> held;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) { held.push_back(ex); });
    HttpServerSettings settings;
    settings.limitConcurrency = 2;
    HttpServer server(&app, settings);
    QStringList warnings;
    server.setLogCallback([&](HttpServer::LogLevel level, const QString &m) {
        if (level == HttpServer::LogLevel::Warning)
            warnings << m;
    });
    QVERIFY(server.listen());

    Peer first(server.port());
    first.send(get("/hold"));
    QTRY_COMPARE(app.handled, 1);
    QCOMPARE(server.inflightTasks(), 1);

    Peer second(server.port());
    QTRY_COMPARE(server.connectionCount(), 2);
    second.send(get("/too-many"));
    QVERIFY(second.waitResponses(1));
    const ParsedResponse r = second.responses()[0];
    QCOMPARE(r.status, 503);
    QCOMPARE(r.body, QByteArray("Service Unavailable"));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(second.received.startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
    QCOMPARE(r.header("content-type"), QByteArray("text/plain; charset=utf-8"));
    QVERIFY(second.waitClosed());
    QCOMPARE(app.handled, 1); // never reached the application
    QCOMPARE(warnings, QStringList{QStringLiteral("Exceeded concurrency limit.")});

    // once the held request is answered and released, the first connection is served again
    held[0]->respond(200, {}, "done");
    held.clear();
    QVERIFY(first.waitResponses(1));
    QTRY_COMPARE(server.connectionCount(), 1);
    QCOMPARE(server.inflightTasks(), 0);
    app.setHandler([](std::shared_ptr<HttpExchange> ex) { ex->respond(200, {}, "again"); });
    first.send(get("/again"));
    QVERIFY(first.waitResponses(2));
    QCOMPARE(first.responses()[1].status, 200);
}

void tst_HttpServer::headerTooLarge431()
{
    LambdaApp app;
    HttpServerSettings settings;
    settings.maxHeaderBytes = 1024;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/h", "X-Big: " + QByteArray(4000, 'a') + "\r\n"));
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].status, 431);
    QCOMPARE(peer.responses()[0].header("connection"), QByteArray("close"));
    QVERIFY(peer.waitClosed());
    QCOMPARE(app.handled, 0);

    // an over-long request line counts too
    Peer peer2(server.port());
    peer2.send(get("/" + QByteArray(3000, 'u')));
    QVERIFY(peer2.waitResponses(1));
    QCOMPARE(peer2.responses()[0].status, 431);
}

void tst_HttpServer::bodyTooLarge413_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addRow("content-length")
        << QByteArray("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + QByteArray(1000, 'x'));
    QTest::addRow("chunked")
        << QByteArray("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "50\r\n" + QByteArray(80, 'x') + "\r\n50\r\n" + QByteArray(80, 'y') + "\r\n0\r\n\r\n");
}

void tst_HttpServer::bodyTooLarge413()
{
    QFETCH(QByteArray, request);
    LambdaApp app;
    HttpServerSettings settings;
    settings.maxBodyBytes = 100;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(request);
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].status, 413);
    QVERIFY(peer.waitClosed());
    QCOMPARE(app.handled, 0);

    // at the limit is fine
    Peer ok(server.port());
    ok.send("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + QByteArray(100, 'x'));
    QVERIFY(ok.waitResponses(1));
    QCOMPARE(ok.responses()[0].status, 200);
}

void tst_HttpServer::malformedRequest400()
{
    LambdaApp app;
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send("THIS IS NOT HTTP\r\n\r\n");
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].status, 400);
    QCOMPARE(peer.responses()[0].body, QByteArray("Invalid HTTP request received."));
    QVERIFY(peer.waitClosed());

    // a good request first, then garbage on the same connection: the good one is answered
    Peer mixed(server.port());
    mixed.send(get("/fine") + "\x01\x02garbage\r\n\r\n");
    QVERIFY(mixed.waitResponses(2));
    QCOMPARE(mixed.responses()[0].status, 200);
    QCOMPARE(mixed.responses()[1].status, 400);
    QVERIFY(mixed.waitClosed());
    QCOMPARE(app.handled, 1); // only /fine reached the application
}

void tst_HttpServer::garbageNeverCrashes()
{
    LambdaApp app;
    HttpServer server(&app);
    QVERIFY(server.listen());
    QRandomGenerator rng(42);
    std::vector<std::unique_ptr<Peer>> peers;
    for (int i = 0; i < 40; ++i) {
        QByteArray junk(int(rng.bounded(1, 3000)), Qt::Uninitialized);
        for (char &c : junk)
            c = char(rng.bounded(256));
        if (i % 3 == 0) // garbage after a valid start line
            junk.prepend("GET / HTTP/1.1\r\n");
        auto p = std::make_unique<Peer>(server.port());
        p->send(junk);
        if (i % 4 == 0)
            p->socket.abort(); // and vanish
        peers.push_back(std::move(p));
    }
    QTRY_VERIFY_WITH_TIMEOUT(server.connectionCount() <= 40, 5000);
    // still serving
    Peer good(server.port());
    good.send(get("/still-alive"));
    QVERIFY(good.waitResponses(1));
    QCOMPARE(good.responses()[0].body, QByteArray("/still-alive"));
}

void tst_HttpServer::chunkedStreaming()
{
    bool completed = false;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        ex->setCompletionCallback([&](bool written) { completed = written; });
        ex->startStreaming(200, {{"content-type", "text/plain"}});
        ex->writeChunk("a");
        QTimer::singleShot(50, [ex] { ex->writeChunk("bb"); });
        QTimer::singleShot(100, [ex] {
            ex->writeChunk("ccc");
            ex->finish();
        });
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/stream"));
    QVERIFY(peer.waitResponses(1));
    const ParsedResponse r = peer.responses()[0];
    QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
    QVERIFY(r.header("content-length").isEmpty());
    QCOMPARE(r.body, QByteArray("abbccc"));
    QVERIFY(peer.received.contains("1\r\na\r\n2\r\nbb\r\n3\r\nccc\r\n0\r\n\r\n"));
    QTRY_VERIFY(completed);
    // the connection stays usable
    app.setHandler({});
    peer.send(get("/next"));
    QVERIFY(peer.waitResponses(2));
    QCOMPARE(peer.responses()[1].body, QByteArray("/next"));
}

namespace {
// Writes `left` chunks of 512 KiB, each only once the socket has drained the previous one.
void pump(std::shared_ptr<HttpExchange> ex, int left, std::vector<qint64> *pendingAtDrain)
{
    if (!ex->isConnected())
        return;
    if (left == 0) {
        ex->finish();
        return;
    }
    ex->writeChunk(QByteArray(512 * 1024, char('a' + left)));
    ex->whenDrained([ex, left, pendingAtDrain] {
        pendingAtDrain->push_back(ex->bytesPending());
        pump(ex, left - 1, pendingAtDrain);
    });
}
} // namespace

void tst_HttpServer::streamingBackPressure()
{
    std::vector<qint64> pendingAtDrain;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        ex->startStreaming(200, {{"content-type", "application/octet-stream"}});
        pump(ex, 8, &pendingAtDrain);
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/big"));
    QVERIFY(peer.waitResponses(1, 20000));
    QCOMPARE(peer.responses()[0].body.size(), qsizetype(8 * 512 * 1024));
    QCOMPARE(pendingAtDrain.size(), std::size_t(8));
    for (qint64 pending : pendingAtDrain)
        QVERIFY(pending <= 16 * 1024);
}

void tst_HttpServer::expectContinue()
{
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) { ex->respond(200, {}, ex->body()); });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    QVERIFY(waitUntil([&] { return peer.received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"); }, 3000));
    peer.send("data");
    QVERIFY(peer.waitResponses(1));
    QCOMPARE(peer.responses()[0].body, QByteArray("data"));
}

void tst_HttpServer::headRequestHasNoBody()
{
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) { ex->respond(200, {}, "twelve bytes"); });
    HttpServer server(&app);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + get("/g"));
    QVERIFY(waitUntil([&] { return peer.received.count("HTTP/1.1 200 OK") == 2
                                         && peer.received.endsWith("twelve bytes"); }, 3000));
    const qsizetype second = peer.received.indexOf("HTTP/1.1 200 OK", 1);
    const QByteArray head = peer.received.left(second);
    QVERIFY(head.contains("content-length: 12\r\n"));
    QVERIFY(head.endsWith("\r\n\r\n")); // no body after the HEAD response's headers
}

void tst_HttpServer::upgradeRequestAnsweredAsHttp11()
{
    // curl --http2 on http:// asks for h2c; like uvicorn, the answer is plain HTTP/1.1
    LambdaApp app;
    HttpServer server(&app);
    QStringList warnings;
    server.setLogCallback([&](HttpServer::LogLevel level, const QString &m) {
        if (level == HttpServer::LogLevel::Warning)
            warnings << m;
    });
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/up", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n")
              + get("/next"));
    QVERIFY(peer.waitResponses(2));
    QCOMPARE(peer.responses()[0].status, 200);
    QCOMPARE(peer.responses()[0].body, QByteArray("/up"));
    QCOMPARE(peer.responses()[1].body, QByteArray("/next")); // still HTTP/1.1, same connection
    QVERIFY(!peer.closed);
    QCOMPARE(warnings, QStringList{QStringLiteral("Unsupported upgrade request.")});
}

void tst_HttpServer::clientVanishingMidResponse()
{
    std::vector<int> results;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        ex->setCompletionCallback([&](bool written) { results.push_back(written ? 1 : 0); });
        if (ex->rawPath() == "/big") {
            ex->startStreaming(200);
            // far more than the socket buffers hold, so the writes are still pending
            for (int i = 0; i < 64; ++i)
                ex->writeChunk(QByteArray(256 * 1024, 'z'));
            QTimer::singleShot(200, [ex] { ex->finish(); });
        } else {
            QTimer::singleShot(200, [ex] {
                QVERIFY(!ex->isConnected());
                ex->respond(200, {}, "too late");
            });
        }
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    {
        Peer gone(server.port());
        gone.send(get("/late"));
        QTRY_COMPARE(app.handled, 1);
        gone.socket.abort();
    }
    {
        Peer reader(server.port());
        reader.socket.setReadBufferSize(1024);
        reader.send(get("/big"));
        QTRY_COMPARE(app.handled, 2);
        QTest::qWait(50);
        reader.socket.abort();
    }
    QTRY_COMPARE(results.size(), std::size_t(2));
    QCOMPARE(results[0], 0);
    QCOMPARE(results[1], 0);
    QTRY_COMPARE(server.connectionCount(), 0);
    QTRY_COMPARE(server.inflightTasks(), 0);
}

void tst_HttpServer::halfClosedClient()
{
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) {
        QTimer::singleShot(50, [ex] { ex->respond(200, {}, "x"); });
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    for (int i = 0; i < 5; ++i) {
        Peer peer(server.port());
        peer.send(get("/half"));
        ::shutdown(int(peer.socket.socketDescriptor()), SHUT_WR);
        QTest::qWait(100);
    }
    QTRY_COMPARE(server.connectionCount(), 0);
    QTRY_COMPARE(server.inflightTasks(), 0);
    Peer good(server.port());
    good.send(get("/ok"));
    QVERIFY(good.waitResponses(1));
}

void tst_HttpServer::requestIdsFollowSettings()
{
    std::vector<std::int64_t> ids;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        ids.push_back(ex->id());
        ex->respond(204);
    });
    HttpServerSettings settings;
    settings.requestIdStart = 1;
    settings.requestIdStep = 3;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    Peer peer(server.port());
    peer.send(get("/1") + get("/2") + get("/3"));
    QVERIFY(peer.waitResponses(3));
    QCOMPARE(ids, (std::vector<std::int64_t>{1, 4, 7}));
    QVERIFY(peer.responses()[0].header("content-length").isEmpty()); // 204 has no body
}

void tst_HttpServer::manyConnections()
{
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) { ex->respond(200, {}, "hi"); });
    HttpServer server(&app);
    QVERIFY(server.listen());
    int peak = 0;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] { peak = std::max(peak, server.connectionCount()); });
    sampler.start(5);
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/m?i={i}";
    plan.requests = 3000;
    plan.connections = 300;
    plan.threads = 2;
    BurstClient client(plan);
    client.start();
    QVERIFY(waitUntil([&] { return client.isFinished(); }, 30000));
    client.wait();
    const BurstSummary s = client.summary();
    QCOMPARE(s.completed, std::int64_t(3000));
    QCOMPARE(s.errors, std::int64_t(0));
    QCOMPARE(app.handled, 3000);
    QVERIFY2(peak > 100, qPrintable(QString::number(peak)));
    QTRY_COMPARE(server.connectionCount(), 0); // the client closed them all
}

void tst_HttpServer::acceptsAgainAfterRunningOutOfDescriptors()
{
    LambdaApp app;
    HttpServer server(&app);
    QStringList errors;
    server.setLogCallback([&](HttpServer::LogLevel level, const QString &m) {
        if (level == HttpServer::LogLevel::Error)
            errors << m;
    });
    QVERIFY(server.listen());
    // 30 clients connect (the kernel completes them from the backlog), then the process
    // gets only 5 more descriptors: the server runs out while accepting them.
    std::vector<int> clients;
    sockaddr_in sa {};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(server.port());
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 30; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa), 0);
        clients.push_back(fd);
    }
    // the limit applies to descriptor numbers: leave exactly 5 free numbers below it
    int limitAt = 0;
    for (int fd = 0, free = 0; fd < 65536 && free < 5; ++fd) {
        if (fcntl(fd, F_GETFD) == -1)
            ++free;
        limitAt = fd + 1;
    }
    rlimit saved {};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit tight = saved;
    tight.rlim_cur = rlim_t(limitAt);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &tight), 0);
    QTest::qWait(300);
    const bool ranOut = !errors.isEmpty();
    for (int fd : clients)
        ::close(fd);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
    QVERIFY(ranOut);
    QTRY_COMPARE(server.connectionCount(), 0);
    Peer late(server.port());
    late.send(get("/after"));
    QVERIFY(late.waitResponses(1, 5000));
    QCOMPARE(late.responses()[0].body, QByteArray("/after"));
}

void tst_HttpServer::traceEvents()
{
    using loopscope::trace::EventKind;
    using loopscope::trace::TraceEvent;
    loopscope::trace::setEnabled(true);
    loopscope::trace::TraceHub::instance().discard();
    LambdaApp app([](std::shared_ptr<HttpExchange> ex) { ex->respond(200, {}, "12345"); });
    HttpServerSettings settings;
    settings.requestIdStart = 100;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 3;
    plan.connections = 1;
    plan.tagRequests = true;
    BurstClient client(plan);
    client.start();
    QVERIFY(waitUntil([&] { return client.isFinished(); }));
    client.wait();
    QTRY_COMPARE(server.inflightTasks(), 0);

    std::vector<TraceEvent> events;
    loopscope::trace::TraceHub::instance().drain(events);
    std::map<EventKind, std::vector<TraceEvent>> byKind;
    for (const TraceEvent &e : events)
        byKind[e.kind].push_back(e);
    // server side: request ids from the server's settings, in order, one connection
    for (EventKind kind : {EventKind::RequestAccepted, EventKind::RequestRead, EventKind::ResponseWritten}) {
        const auto &list = byKind[kind];
        QCOMPARE(list.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            QCOMPARE(list[i].request, std::int64_t(100 + i));
    }
    QCOMPARE(byKind[EventKind::RequestAccepted][1].a, byKind[EventKind::RequestAccepted][0].a);
    for (std::size_t i = 0; i < 3; ++i) // the client's index + 1, from its tag header
        QCOMPARE(byKind[EventKind::RequestRead][i].b, quint64(i + 1));
    QCOMPARE(byKind[EventKind::ResponseWritten][0].a, quint64(200));
    QCOMPARE(byKind[EventKind::ResponseWritten][0].b, quint64(5));
    for (std::size_t i = 0; i < 3; ++i) {
        QVERIFY(byKind[EventKind::RequestAccepted][i].t <= byKind[EventKind::RequestRead][i].t);
        QVERIFY(byKind[EventKind::RequestRead][i].t <= byKind[EventKind::ResponseWritten][i].t);
    }
    // client side: the client's own request indices
    for (EventKind kind : {EventKind::ClientSent, EventKind::ClientFirstByte, EventKind::ClientDone}) {
        const auto &list = byKind[kind];
        QCOMPARE(list.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            QCOMPARE(list[i].request, std::int64_t(i));
    }
    QCOMPARE(byKind[EventKind::ClientDone][2].a, quint64(200));
    QCOMPARE(byKind[EventKind::ClientDone][2].b, quint64(5));
    // (no ordering across the two sides: each stamps after its own syscall returns)
    // one request at a time on the client's one connection
    QVERIFY(byKind[EventKind::ClientDone][0].t <= byKind[EventKind::ClientSent][1].t);
}

void tst_HttpServer::workersShareOnePort()
{
    std::atomic<int> perWorker[2] = {0, 0};
    HttpServerSettings settings;
    HttpWorkerGroup group(2, settings, [&](int index) -> std::unique_ptr<HttpApplication> {
        return std::make_unique<LambdaApp>([&perWorker, index](std::shared_ptr<HttpExchange> ex) {
            perWorker[index].fetch_add(1);
            ex->respond(200, {}, QByteArray::number(index) + ":" + QByteArray::number(ex->id()));
        });
    });
    QVERIFY2(group.start(), qPrintable(group.errorString()));
    QVERIFY(group.port() != 0);
    BurstPlan plan;
    plan.port = group.port();
    plan.requests = 200;
    plan.connections = 4;
    plan.keepAlive = false; // new connection per request: the kernel spreads them
    BurstClient client(plan);
    const BurstSummary s = client.run();
    QCOMPARE(s.completed, std::int64_t(200));
    QCOMPARE(perWorker[0].load() + perWorker[1].load(), 200);
    QVERIFY2(perWorker[0].load() > 10 && perWorker[1].load() > 10,
             qPrintable(QStringLiteral("%1 / %2").arg(perWorker[0].load()).arg(perWorker[1].load())));
    // ids stay unique across workers: worker w hands out w, w+2, w+4...
    for (const RequestRecord &r : client.records()) {
        const QList<QByteArray> parts = QByteArray::fromStdString(r.body).split(':');
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts[1].toLongLong() % 2, parts[0].toLongLong());
    }
    group.stop();
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
