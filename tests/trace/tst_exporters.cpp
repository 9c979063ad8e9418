// JSON (ARCHITECTURE §4 schema), CSV and Chrome trace-event exports.
#include "synthetictrace.h"
#include "trace/chrometraceexport.h"
#include "trace/csvexport.h"
#include "trace/jsonexport.h"

#include <QtTest>

#include <map>
#include <set>

using namespace loopscope::trace;
using namespace loopscope::trace::synthetic;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    return err.error == QJsonParseError::NoError ? doc.object() : QJsonObject{};
}

// Minimal RFC 4180 reader.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> rows;
    QStringList row;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                cell += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row << cell;
            cell.clear();
        } else if (c == u'\n') {
            row << cell;
            rows << row;
            row.clear();
            cell.clear();
        } else {
            cell += c;
        }
    }
    return rows;
}

Session withBodies(Stream stream)
{
    SessionBuilder b;
    b.setOrigin(kOrigin);
    b.setThreads(Stream::threads());
    b.add(stream.events);
    b.finish();
    std::vector<ClientRecord> records;
    for (const RequestTimeline &r : b.session().requests) {
        ClientRecord c;
        c.id = r.id;
        c.body = "\"pong\"";
        records.push_back(c);
    }
    b.addClientRecords(records);
    return b.session();
}

} // namespace

class TestExporters : public QObject {
    Q_OBJECT
private slots:
    void jsonSchemaRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.json"));
        const Session s = withBodies(asyncBlock2());
        QString error;
        QVERIFY2(writeJson(s, path, &error), qPrintable(error));
        const QJsonObject root = readJson(path);
        for (const char *key : {"requests", "prints", "loop", "pool", "summary", "diagnosis"})
            QVERIFY2(root.contains(QLatin1String(key)), key);

        const QJsonArray requests = root["requests"].toArray();
        QCOMPARE(requests.size(), 2);
        const QJsonObject r1 = requests[1].toObject();
        QCOMPARE(r1["id"].toInt(), 1);
        QCOMPARE(r1["path"].toString(), QStringLiteral("/async_block?i=1"));
        QCOMPARE(r1["conn"].toInt(), 1);
        QCOMPARE(r1["status"].toInt(), 200);
        QCOMPARE(r1["body"].toString(), QStringLiteral("\"pong\""));
        for (const char *key : {"sent", "start", "done"})
            QVERIFY2(r1[QLatin1String(key)].isDouble(), key);
        QVERIFY(qAbs(r1["done"].toDouble() - 2.0) < 0.01);
        QVERIFY(r1["start"].toDouble() > 1.0);
        QVERIFY(r1["sent"].toDouble() < 0.01);

        const QJsonObject p0 = root["prints"].toArray()[0].toObject();
        QCOMPARE(p0["text"].toString(), QStringLiteral("Hello 0"));
        QCOMPARE(p0["request"].toInt(), 0);
        QCOMPARE(p0["thread"].toString(), QStringLiteral("loop"));
        QVERIFY(p0["t"].isDouble());

        const QJsonObject loop = root["loop"].toObject();
        const QJsonArray lag = loop["lag_ms"].toArray();
        QVERIFY(!lag.isEmpty());
        QCOMPARE(lag[0].toArray().size(), 2);
        const QJsonObject b0 = loop["blocked"].toArray()[0].toObject();
        QCOMPARE(b0["where"].toString(), QStringLiteral("app.py:14"));
        QCOMPARE(b0["function"].toString(), QStringLiteral("async_block"));
        QCOMPARE(b0["call"].toString(), QStringLiteral("time.sleep"));
        QVERIFY(qAbs(b0["end"].toDouble() - b0["start"].toDouble() - 1.0) < 1e-6);
        QCOMPARE(loop["histogram"].toObject()["max"].toDouble(), 990.0);
        QVERIFY(!loop["utilisation"].toArray().isEmpty());
        QCOMPARE(loop["warnings"].toArray().size(), 2);

        const QJsonObject summary = root["summary"].toObject();
        QCOMPARE(summary["requests"].toInt(), 2);
        QCOMPARE(summary["errors"].toInt(), 0);
        QVERIFY(qAbs(summary["wall"].toDouble() - 2.0) < 0.01);
        QVERIFY(qAbs(summary["rps"].toDouble() - 1.0) < 0.02);
        const QJsonObject lat = summary["latency_ms"].toObject();
        for (const char *key : {"p50", "p90", "p99", "max"})
            QVERIFY2(lat[QLatin1String(key)].isDouble(), key);
        QVERIFY(qAbs(lat["max"].toDouble() - 2000) < 10);

        const QJsonArray diagnosis = root["diagnosis"].toArray();
        QVERIFY(!diagnosis.isEmpty());
        QVERIFY(diagnosis[0].isString());
        QVERIFY(diagnosis[0].toString().contains(QStringLiteral("blocked the event loop")));
    }

    void jsonPoolRows()
    {
        const QJsonObject root = sessionToJson(syncBlock41().build());
        const QJsonArray pool = root["pool"].toArray();
        QVERIFY(pool.size() > 40);
        int maxBusy = 0, maxWaiting = 0;
        for (const QJsonValue &row : pool) {
            const QJsonArray r = row.toArray();
            QCOMPARE(r.size(), 3);
            maxBusy = std::max(maxBusy, r[1].toInt());
            maxWaiting = std::max(maxWaiting, r[2].toInt());
        }
        QCOMPARE(maxBusy, 40);
        QCOMPARE(maxWaiting, 1);
        const QJsonArray pools = root["pools"].toArray();
        QCOMPARE(pools.size(), 2);
        QCOMPARE(pools[0].toObject()["name"].toString(), QStringLiteral("anyio limiter"));
        QCOMPARE(pools[1].toObject()["limit"].toInt(), 6);
        // No unknown time is written as a number.
        QVERIFY(root["requests"].toArray()[0].toObject()["first_byte"].isNull());
    }

    void csvHasARowPerRequestWithEveryPhase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY(writeCsv(withBodies(syncBlock41()), path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QStringList> rows = parseCsv(QString::fromUtf8(f.readAll()));
        QCOMPARE(rows.size(), 42);
        QCOMPARE(rows[0], csvColumns());
        for (const char *col : {"id", "path", "sent", "start", "done", "status", "queued_s",
                                "token_wait_s", "running_s", "waiting_loop_s", "latency_ms", "body"})
            QVERIFY2(rows[0].contains(QLatin1String(col)), col);
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), rows[0].size());
        const auto col = [&](const char *name) { return rows[0].indexOf(QLatin1String(name)); };
        const QStringList last = rows.back();
        QCOMPARE(last[col("id")], QStringLiteral("40"));
        QCOMPARE(last[col("body")], QStringLiteral("\"pong\""));
        QVERIFY(qAbs(last[col("token_wait_s")].toDouble() - 1.0) < 0.01);
        QVERIFY(qAbs(last[col("running_s")].toDouble() - 1.0) < 0.01);
        QCOMPARE(last[col("pool")], QStringLiteral("anyio limiter"));
        QCOMPARE(last[col("threads")], QStringLiteral("worker-1"));
    }

    void chromeTraceIsValid_data()
    {
        QTest::addColumn<int>("scenario");
        QTest::addRow("async_block_2") << 0;
        QTest::addRow("sync_block_41") << 1;
        QTest::addRow("def held by loop") << 2;
    }
    void chromeTraceIsValid()
    {
        QFETCH(int, scenario);
        const Stream stream = scenario == 0 ? asyncBlock2()
                              : scenario == 1 ? syncBlock41()
                                              : defHeldByBlockedLoop();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("trace.json"));
        QVERIFY(writeChromeTrace(stream.build(), path));
        const QJsonObject root = readJson(path);
        const QJsonArray events = root["traceEvents"].toArray();
        QVERIFY(events.size() > 10);

        std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> slices;
        std::map<qint64, int> flowStarts, flowEnds;
        std::set<QString> counters, threadNames;
        int requestTracks = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            for (const char *key : {"ph", "ts", "pid", "tid"})
                QVERIFY2(e.contains(QLatin1String(key)), key);
            QVERIFY(e["ts"].toDouble() >= 0);
            const QString ph = e["ph"].toString();
            QVERIFY2(QStringList({"X", "M", "C", "i", "s", "f"}).contains(ph), qPrintable(ph));
            if (ph == u"X") {
                QVERIFY(e["dur"].isDouble());
                QVERIFY(e["dur"].toDouble() >= 0);
                slices[{e["pid"].toInt(), e["tid"].toInt()}].push_back(
                    {e["ts"].toDouble(), e["ts"].toDouble() + e["dur"].toDouble()});
            } else if (ph == u"C") {
                counters.insert(e["name"].toString());
                QVERIFY(!e["args"].toObject().isEmpty());
            } else if (ph == u"s") {
                ++flowStarts[e["id"].toInteger()];
            } else if (ph == u"f") {
                ++flowEnds[e["id"].toInteger()];
                QCOMPARE(e["bp"].toString(), QStringLiteral("e"));
            } else if (ph == u"M" && e["name"].toString() == u"thread_name") {
                const QString name = e["args"].toObject()["name"].toString();
                threadNames.insert(name);
                if (name.startsWith(u'#'))
                    ++requestTracks;
            }
        }
        // Slices on one track nest or are disjoint.
        for (auto &[track, list] : slices) {
            std::sort(list.begin(), list.end(), [](auto a, auto b) {
                return a.first < b.first || (a.first == b.first && a.second > b.second);
            });
            std::vector<double> stack;
            for (auto [start, end] : list) {
                while (!stack.empty() && stack.back() <= start)
                    stack.pop_back();
                if (!stack.empty())
                    QVERIFY2(end <= stack.back() + 1e-6, "slices overlap without nesting");
                stack.push_back(end);
            }
        }
        QCOMPARE(flowStarts, flowEnds);
        QVERIFY(threadNames.contains(QStringLiteral("loop blocked")));
        const Session s = stream.build();
        QCOMPARE(requestTracks, int(s.requests.size()));
        std::size_t delayed = 0;
        for (const BlockedSpan &b : s.loop.blocked)
            delayed += b.delayed.size();
        QCOMPARE(flowStarts.size(), delayed);
        if (!s.loop.lag.empty())
            QVERIFY(counters.contains(QStringLiteral("loop lag (ms)")));
        QVERIFY(counters.contains(QStringLiteral("pool: anyio limiter")) == (scenario != 0));
        if (scenario == 1)
            QVERIFY(threadNames.contains(QStringLiteral("worker-1")));
        if (scenario == 0)
            QCOMPARE(flowStarts.size(), std::size_t(1));
    }

    void writeFailsCleanly()
    {
        QString error;
        QVERIFY(!writeJson(Session{}, QStringLiteral("/nonexistent/dir/x.json"), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!writeCsv(Session{}, QStringLiteral("/nonexistent/dir/x.csv")));
        QVERIFY(!writeChromeTrace(Session{}, QStringLiteral("/nonexistent/dir/x.json")));
        // An empty session still exports valid documents.
        QVERIFY(sessionToJson(Session{})["requests"].toArray().isEmpty());
        QVERIFY(sessionToChromeTrace(Session{})["traceEvents"].isArray());
    }
};

QTEST_GUILESS_MAIN(TestExporters)
#include "tst_exporters.moc"
