// BurstClient against a C++ test server: N requests over C connections, {i}, per-connection
// order, keep-alive off, extra requests, rate pacing, the browser's 6-connection cap,
// refused connections, timeouts, stop() mid-burst, and the summary's percentiles.
#include "httptesthelpers.h"

#include "http/burstclient.h"
#include "http/httpserver.h"
#include "http/latencyhistogram.h"

#include <QElapsedTimer>
#include <QTimer>

#include <map>
#include <set>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace loopscope::http;
using namespace loopscope::http::test;

namespace {
// Answers after the delay in ms given by the "ms" query value (0: at once); echoes the target.
void delayedEcho(std::shared_ptr<HttpExchange> ex)
{
    int ms = 0;
    for (const QByteArray &kv : ex->queryString().split('&')) {
        if (kv.startsWith("ms="))
            ms = kv.mid(3).toInt();
    }
    if (ms <= 0) {
        ex->respond(200, {{"content-type", "text/plain"}}, ex->request().target);
        return;
    }
    QTimer::singleShot(ms, [ex] { ex->respond(200, {{"content-type", "text/plain"}}, ex->request().target); });
}

void runToEnd(BurstClient &client, int timeoutMs = 20000)
{
    client.start();
    (void)waitUntil([&] { return client.isFinished(); }, timeoutMs);
    client.wait();
}

quint16 closedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa {};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len);
    ::close(fd); // nothing listens there now
    return ntohs(sa.sin_port);
}
} // namespace

class tst_BurstClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void substitutesIndex();
    void requestsOverConnections();
    void keepAliveOff();
    void extraRequestTiming();
    void rateModePacing();
    void rateModeTimesFromIntendedSend();
    void browserCapsAtSixConnections();
    void durationClosedLoop();
    void refusedConnectionsAreErrors();
    void timeoutIsAnError();
    void stopMidBurst();
    void serverClosingKeptConnectionIsRetried();
    void taggedRequestsCarryTheirIndex();
    void summaryPercentiles();
    void histogramPercentiles();
    void recordCapKeepsCounting();
    void stoppingHugeBurstStaysSmall();
};

void tst_BurstClient::substitutesIndex()
{
    QCOMPARE(substitutePath("/x?i={i}", 7), std::string("/x?i=7"));
    QCOMPARE(substitutePath("/{i}/{i}", 12), std::string("/12/12"));
    QCOMPARE(substitutePath("/plain", 3), std::string("/plain"));
}

void tst_BurstClient::requestsOverConnections()
{
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/x?i={i}";
    plan.requests = 200;
    plan.connections = 4;
    plan.threads = 2;
    BurstClient client(plan);
    runToEnd(client);
    const auto &records = client.records();
    QCOMPARE(records.size(), std::size_t(200));
    std::map<int, std::vector<const RequestRecord *>> byConnection;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const RequestRecord &r = records[i];
        QCOMPARE(r.id, std::int64_t(i));
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.path, "/x?i=" + std::to_string(i));
        QCOMPARE(r.body, r.path); // the server saw the substituted path
        QCOMPARE(r.bytes, std::int64_t(r.path.size()));
        QVERIFY(r.sent >= 0 && r.firstByte >= r.sent && r.done >= r.firstByte);
        byConnection[r.connection].push_back(&r);
    }
    QCOMPARE(byConnection.size(), std::size_t(4)); // kept alive: 4 connections in all
    for (auto &[conn, list] : byConnection) {
        QVERIFY(conn >= 0 && conn < 4);
        std::sort(list.begin(), list.end(), [](auto *a, auto *b) { return a->sent < b->sent; });
        for (std::size_t k = 1; k < list.size(); ++k) {
            QVERIFY(list[k]->id > list[k - 1]->id);        // in order
            QVERIFY(list[k]->sent >= list[k - 1]->done);   // one at a time, no pipelining
        }
    }
    const BurstSummary s = client.summary();
    QCOMPARE(s.requests, std::int64_t(200));
    QCOMPARE(s.completed, std::int64_t(200));
    QCOMPARE(s.errors, std::int64_t(0));
    QCOMPARE(s.statuses.at(200), std::int64_t(200));
    QVERIFY(s.rps > 0 && s.wall > 0);
    QVERIFY(s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs);
    const auto p = client.progress();
    QCOMPARE(p.sent, std::int64_t(200));
    QCOMPARE(p.done, std::int64_t(200));
    QCOMPARE(p.errors, std::int64_t(0));
}

void tst_BurstClient::keepAliveOff()
{
    std::set<quint64> serverConnections;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        serverConnections.insert(ex->connectionId());
        delayedEcho(ex);
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 20;
    plan.connections = 2;
    plan.keepAlive = false;
    BurstClient client(plan);
    runToEnd(client);
    std::set<int> clientConnections;
    for (const RequestRecord &r : client.records()) {
        QVERIFY2(r.ok(), r.error.c_str());
        QVERIFY(r.connectStart >= 0 && r.connectStart <= r.sent);
        clientConnections.insert(r.connection);
    }
    QCOMPARE(clientConnections.size(), std::size_t(20));
    QCOMPARE(serverConnections.size(), std::size_t(20));
    QTRY_COMPARE(server.connectionCount(), 0);
}

void tst_BurstClient::extraRequestTiming()
{
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/slow?ms=400&i={i}";
    plan.requests = 2;
    plan.connections = 2;
    plan.extras.push_back({0.2, "/other?i=99"});
    BurstClient client(plan);
    runToEnd(client);
    const auto &records = client.records();
    QCOMPARE(records.size(), std::size_t(3));
    const RequestRecord &extra = records[2];
    QCOMPARE(extra.id, std::int64_t(2));
    QVERIFY(extra.extra);
    QCOMPARE(extra.path, std::string("/other?i=99"));
    QVERIFY2(extra.ok(), extra.error.c_str());
    QVERIFY2(extra.sent >= 0.19 && extra.sent < 0.35, qPrintable(QString::number(extra.sent)));
    QVERIFY(extra.connection != records[0].connection && extra.connection != records[1].connection);
    QVERIFY(extra.done < records[0].done && extra.done < records[1].done); // not queued behind them
    QVERIFY(records[0].done >= 0.38 && records[0].done < 1.0);
}

void tst_BurstClient::rateModePacing()
{
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 25;
    plan.connections = 4;
    plan.rate = 50; // one every 20 ms: the burst takes about 0.5 s
    BurstClient client(plan);
    runToEnd(client);
    const auto &records = client.records();
    QCOMPARE(records.size(), std::size_t(25));
    std::vector<double> lateness;
    for (const RequestRecord &r : records) {
        QVERIFY2(r.ok(), r.error.c_str());
        const double due = double(r.id) / 50.0;
        QVERIFY(std::abs(r.intended - due) < 1e-6);
        QVERIFY2(r.sent >= due - 0.001, // never early
                 qPrintable(QStringLiteral("request %1 due %2 sent %3").arg(r.id).arg(due).arg(r.sent)));
        lateness.push_back(r.sent - due);
    }
    // on time as a rule (a loaded machine may delay a few)
    std::sort(lateness.begin(), lateness.end());
    QVERIFY2(lateness[lateness.size() / 2] < 0.02, qPrintable(QString::number(lateness[lateness.size() / 2])));
    QVERIFY2(lateness.back() < 0.3, qPrintable(QString::number(lateness.back())));
    const BurstSummary s = client.summary();
    QVERIFY2(s.wall > 0.45 && s.wall < 0.9, qPrintable(QString::number(s.wall)));
}

void tst_BurstClient::rateModeTimesFromIntendedSend()
{
    // 10 requests due every 10 ms, one connection, 50 ms per answer: they queue behind
    // each other, and latency counts the queueing (from when each was due, like wrk2).
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/r?ms=50&i={i}";
    plan.requests = 10;
    plan.connections = 1;
    plan.rate = 100;
    BurstClient client(plan);
    runToEnd(client);
    const auto &records = client.records();
    QCOMPARE(records.size(), std::size_t(10));
    const RequestRecord &last = records.back();
    QVERIFY2(last.ok(), last.error.c_str());
    QVERIFY(std::abs(last.intended - 0.09) < 1e-6);
    QVERIFY2(last.sent > 0.4, qPrintable(QString::number(last.sent))); // waited for 9 answers
    QVERIFY2(last.latency() > 0.4, qPrintable(QString::number(last.latency())));
    QVERIFY(last.latency() > (last.done - last.sent) + 0.3);
    const BurstSummary s = client.summary();
    QVERIFY(s.p99Ms > 400);
    QVERIFY(!s.clientBound); // the server set the pace
    QVERIFY(!s.note.empty());
}

void tst_BurstClient::browserCapsAtSixConnections()
{
    int current = 0;
    int peak = 0;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        peak = std::max(peak, ++current);
        QTimer::singleShot(100, [ex, &current] {
            --current;
            ex->respond(200, {}, "b");
        });
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 18;
    plan.connections = 18;
    plan.browserLike = true;
    BurstClient client(plan);
    runToEnd(client);
    std::set<int> connections;
    for (const RequestRecord &r : client.records()) {
        QVERIFY2(r.ok(), r.error.c_str());
        connections.insert(r.connection);
    }
    QCOMPARE(connections.size(), std::size_t(6));
    QCOMPARE(peak, 6);
    // 18 requests, 6 at a time, 100 ms each: three waves
    const BurstSummary s = client.summary();
    QVERIFY2(s.wall > 0.28 && s.wall < 0.8, qPrintable(QString::number(s.wall)));
    // requests queue in order: the first wave is requests 0..5
    for (const RequestRecord &r : client.records()) {
        if (r.id < 6)
            QVERIFY(r.done < 0.2);
        else
            QVERIFY(r.done > 0.18);
    }
}

void tst_BurstClient::durationClosedLoop()
{
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/d?ms=10&i={i}";
    plan.connections = 3;
    plan.duration = 0.3;
    BurstClient client(plan);
    runToEnd(client);
    const BurstSummary s = client.summary();
    // 3 connections, ~10 ms per answer, 0.3 s: about 90 when the machine is idle
    QVERIFY2(s.completed >= 6 && s.completed <= 100, qPrintable(QString::number(s.completed)));
    QCOMPARE(s.errors, std::int64_t(0));
    for (const RequestRecord &r : client.records())
        QVERIFY(r.sent < 0.3); // nothing starts after the duration
    QVERIFY(s.wall < 0.6);
}

void tst_BurstClient::refusedConnectionsAreErrors()
{
    BurstPlan plan;
    plan.port = closedPort();
    plan.requests = 50;
    plan.connections = 5;
    BurstClient client(plan);
    const BurstSummary s = client.run();
    QCOMPARE(s.requests, std::int64_t(50));
    QCOMPARE(s.errors, std::int64_t(50));
    QCOMPARE(s.completed, std::int64_t(0));
    for (const RequestRecord &r : client.records()) {
        QCOMPARE(r.error, std::string("refused"));
        QCOMPARE(r.status, 0);
    }
    QCOMPARE(client.progress().errors, std::int64_t(50));
}

void tst_BurstClient::timeoutIsAnError()
{
    std::vector<std::shared_ptr<HttpExchange>> held;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) { held.push_back(ex); });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 3;
    plan.connections = 3;
    plan.timeout = 0.2;
    BurstClient client(plan);
    QElapsedTimer t;
    t.start();
    runToEnd(client);
    QVERIFY(t.elapsed() < 2000);
    for (const RequestRecord &r : client.records()) {
        QCOMPARE(r.error, std::string("timeout"));
        QVERIFY(r.done >= 0.19 && r.done < 1.0);
    }
}

void tst_BurstClient::stopMidBurst()
{
    std::vector<std::shared_ptr<HttpExchange>> held;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        if (held.size() < 2)
            held.push_back(ex); // the first two never get an answer
        else
            ex->respond(200, {}, "x");
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 10;
    plan.connections = 2;
    BurstClient client(plan);
    client.start();
    QTRY_COMPARE(held.size(), std::size_t(2));
    QElapsedTimer t;
    t.start();
    std::thread stopper([&] { client.stop(); }); // from another thread
    QVERIFY(waitUntil([&] { return client.isFinished(); }, 2000));
    stopper.join();
    client.wait();
    QVERIFY(t.elapsed() < 1000);
    const auto &records = client.records();
    QCOMPARE(records.size(), std::size_t(10));
    for (const RequestRecord &r : records)
        QCOMPARE(r.error, std::string("cancelled"));
    QCOMPARE(client.summary().cancelled, std::int64_t(10));
}

void tst_BurstClient::serverClosingKeptConnectionIsRetried()
{
    // The server's keep-alive timeout (100 ms) closes the idle connection between two
    // requests of a rate-mode burst; the client reconnects instead of failing.
    LambdaApp app(delayedEcho);
    HttpServerSettings settings;
    settings.keepAliveTimeoutMs = 100;
    HttpServer server(&app, settings);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 3;
    plan.connections = 1;
    plan.rate = 4; // 250 ms apart
    BurstClient client(plan);
    runToEnd(client);
    std::set<int> connections;
    for (const RequestRecord &r : client.records()) {
        QVERIFY2(r.ok(), r.error.c_str());
        connections.insert(r.connection);
    }
    QCOMPARE(connections.size(), std::size_t(3));
}

void tst_BurstClient::taggedRequestsCarryTheirIndex()
{
    std::map<std::string, std::int64_t> seen; // path -> client id the server read
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) {
        seen[ex->request().target.toStdString()] = ex->request().clientRequestId();
        ex->respond(200);
    });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.pathTemplate = "/t?i={i}";
    plan.requests = 20;
    plan.connections = 3;
    plan.tagRequests = true;
    plan.extras.push_back({0.01, "/extra"});
    BurstClient client(plan);
    runToEnd(client);
    QCOMPARE(seen.size(), std::size_t(21));
    for (const RequestRecord &r : client.records()) {
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(seen.at(r.path), r.id);
    }
    // untagged requests read as -1
    plan.tagRequests = false;
    plan.extras.clear();
    plan.requests = 1;
    BurstClient plain(plan);
    runToEnd(plain);
    QCOMPARE(seen.at("/t?i=0"), std::int64_t(-1));
}

void tst_BurstClient::summaryPercentiles()
{
    std::vector<RequestRecord> records;
    for (int i = 1; i <= 100; ++i) {
        RequestRecord r;
        r.id = i - 1;
        r.sent = 0;
        r.done = i / 1000.0; // 1..100 ms
        r.status = 200;
        records.push_back(r);
    }
    RequestRecord failed;
    failed.id = 100;
    failed.error = "reset";
    records.push_back(failed);
    const BurstSummary s = BurstSummary::compute(records);
    QCOMPARE(s.requests, std::int64_t(101));
    QCOMPARE(s.completed, std::int64_t(100));
    QCOMPARE(s.errors, std::int64_t(1));
    QCOMPARE(qRound(s.p50Ms), 50);
    QCOMPARE(qRound(s.p90Ms), 90);
    QCOMPARE(qRound(s.p99Ms), 99);
    QCOMPARE(qRound(s.maxMs), 100);
    QCOMPARE(qRound(s.wall * 1000), 100);
    QCOMPARE(qRound(s.rps), 1000);
}

void tst_BurstClient::histogramPercentiles()
{
    LatencyHistogram h;
    for (int us = 1; us <= 10000; ++us)
        h.add(us / 1e6);
    QCOMPARE(h.count(), std::int64_t(10000));
    QVERIFY(std::abs(h.percentile(50) - 0.005) < 0.005 * 0.02);
    QVERIFY(std::abs(h.percentile(99) - 0.0099) < 0.0099 * 0.02);
    QCOMPARE(h.max(), 0.01);
    QVERIFY(std::abs(h.mean() - 0.0050005) < 1e-6);
    LatencyHistogram other;
    other.add(2.0);
    h.merge(other);
    QCOMPARE(h.count(), std::int64_t(10001));
    QCOMPARE(h.percentile(100), 2.0);
    QCOMPARE(LatencyHistogram().percentile(50), 0.0);
}

void tst_BurstClient::recordCapKeepsCounting()
{
    LambdaApp app(delayedEcho);
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 500;
    plan.connections = 4;
    plan.threads = 2;
    plan.maxRecords = 100;
    BurstClient client(plan);
    runToEnd(client);
    QCOMPARE(client.records().size(), std::size_t(100));
    for (const RequestRecord &r : client.records())
        QVERIFY2(r.ok() && r.id >= 0 && r.id < 500, r.error.c_str());
    const BurstSummary s = client.summary();
    QCOMPARE(s.requests, std::int64_t(500));
    QCOMPARE(s.completed, std::int64_t(500));
    QCOMPARE(s.errors, std::int64_t(0));
    QCOMPARE(s.recordsDropped, std::int64_t(400));
    QCOMPARE(s.statuses.at(200), std::int64_t(500));
    QVERIFY(s.approximate);
    QVERIFY(s.p50Ms > 0 && s.p50Ms <= s.p99Ms && s.p99Ms <= s.maxMs);
    QCOMPARE(app.handled, 500);
}

void tst_BurstClient::stoppingHugeBurstStaysSmall()
{
    std::vector<std::shared_ptr<HttpExchange>> held;
    LambdaApp app([&](std::shared_ptr<HttpExchange> ex) { held.push_back(ex); });
    HttpServer server(&app);
    QVERIFY(server.listen());
    BurstPlan plan;
    plan.port = server.port();
    plan.requests = 5'000'000;
    plan.connections = 2;
    BurstClient client(plan);
    client.start();
    QTRY_COMPARE(held.size(), std::size_t(2));
    client.stop();
    client.wait();
    QCOMPARE(client.records().size(), std::size_t(2 + 10'000));
    const BurstSummary s = client.summary();
    QCOMPARE(s.requests, std::int64_t(5'000'000));
    QCOMPARE(s.cancelled, std::int64_t(5'000'000));
    QCOMPARE(s.errors, std::int64_t(5'000'000));
    QCOMPARE(s.recordsDropped, std::int64_t(5'000'000 - 10'002));
}

QTEST_GUILESS_MAIN(tst_BurstClient)
#include "tst_burstclient.moc"
