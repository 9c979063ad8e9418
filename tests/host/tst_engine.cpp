// The host: an engine starts on an ephemeral 127.0.0.1 port, lists its endpoints, reports
// compile and import errors with their line, hot-reloads on the same port (keeping the
// old app when the new source is broken), runs N workers with their own globals, and
// the GUI-side objects (Engine, BenchRun, LiveSession) deliver results as signals.
#include "host/benchrun.h"
#include "host/engine.h"
#include "host/enginecore.h"
#include "host/livesession.h"

#include "http/burstclient.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>

#include <mutex>

using namespace loopscope;
using namespace loopscope::host;

namespace {

const QString kApp = QStringLiteral(
    "import time\n"
    "from fastapi import FastAPI\n"
    "\n"
    "app = FastAPI()\n"
    "counter = 0\n"
    "\n"
    "\n"
    "@app.get(\"/ping\")\n"
    "async def ping(i: int = 0):\n"
    "    print(f\"ping {i}\")\n"
    "    return \"one\"\n"
    "\n"
    "\n"
    "@app.get(\"/count\")\n"
    "def count():\n"
    "    global counter\n"
    "    counter += 1\n"
    "    time.sleep(0.05)\n"
    "    return counter\n");

QString appReturning(const char *word)
{
    QString s = kApp;
    s.replace(QStringLiteral("return \"one\""), QStringLiteral("return \"%1\"").arg(QLatin1String(word)));
    return s;
}

std::vector<http::RequestRecord> fire(quint16 port, const char *path, int requests = 1, int connections = 1)
{
    http::BurstPlan plan;
    plan.port = port;
    plan.pathTemplate = path;
    plan.requests = requests;
    plan.connections = connections;
    plan.timeout = 10;
    http::BurstClient client(plan);
    client.run();
    return client.records();
}

EngineSettings quiet()
{
    EngineSettings s;
    s.accessLog = false;
    return s;
}

} // namespace

class tst_Engine : public QObject {
    Q_OBJECT
private slots:
    void startsOnAnEphemeralLoopbackPortAndServes()
    {
        EngineCore engine;
        QString error;
        QList<SourceError> errors;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, &errors), qPrintable(error));
        QVERIFY(engine.isRunning());
        QVERIFY(engine.port() > 0);
        const auto records = fire(engine.port(), "/ping?i=1");
        QCOMPARE(records.size(), size_t(1));
        QCOMPARE(records[0].status, 200);
        QCOMPARE(records[0].body, std::string("\"one\""));
        engine.stop();
        QVERIFY(!engine.isRunning());
    }

    void listsEndpointsWithKindAndLine()
    {
        EngineCore engine;
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        const QList<EndpointInfo> eps = engine.endpoints();
        QCOMPARE(eps.size(), 2);
        QCOMPARE(eps[0].method, QStringLiteral("GET"));
        QCOMPARE(eps[0].path, QStringLiteral("/ping"));
        QCOMPARE(eps[0].function, QStringLiteral("ping"));
        QVERIFY(eps[0].isAsync);
        QCOMPARE(eps[0].line, 8); // like co_firstlineno: the decorator's line
        QCOMPARE(eps[1].function, QStringLiteral("count"));
        QVERIFY(!eps[1].isAsync);
    }

    void compileErrorsCarryTheirPosition()
    {
        EngineCore engine;
        QString error;
        QList<SourceError> errors;
        QVERIFY(!engine.start(QStringLiteral("x = 1\nif x\n    pass\n"), QStringLiteral("bad.py"), quiet(), &error, &errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].message, QStringLiteral("SyntaxError: expected ':'"));
        QCOMPARE(errors[0].line, 2);
        QVERIFY(errors[0].traceback.contains(QStringLiteral("File \"bad.py\", line 2")));
        QVERIFY(!engine.isRunning());
    }

    void importErrorsCarryTheTraceback()
    {
        EngineCore engine;
        QString error;
        QList<SourceError> errors;
        QVERIFY(!engine.start(QStringLiteral("from fastapi import FastAPI\napp = FastAPI()\nprint(nope)\n"),
                              QStringLiteral("bad.py"), quiet(), &error, &errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].message, QStringLiteral("NameError: name 'nope' is not defined"));
        QCOMPARE(errors[0].line, 3);
        QVERIFY(errors[0].traceback.startsWith(QStringLiteral("Traceback (most recent call last):")));
    }

    void aModuleWithoutAnAppIsRefused()
    {
        EngineCore engine;
        QString error;
        QList<SourceError> errors;
        QVERIFY(!engine.start(QStringLiteral("x = 1\n"), QStringLiteral("noapp.py"), quiet(), &error, &errors));
        QVERIFY(!error.isEmpty());
    }

    void reloadSwapsTheAppOnTheSamePort()
    {
        EngineCore engine;
        QString error;
        QVERIFY2(engine.start(appReturning("one"), QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        const quint16 port = engine.port();
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"one\""));

        QVERIFY2(engine.reload(appReturning("two"), QStringLiteral("app.py"), &error, nullptr), qPrintable(error));
        QCOMPARE(engine.port(), port);
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"two\""));

        // A broken source leaves the running app alone.
        QList<SourceError> errors;
        QVERIFY(!engine.reload(QStringLiteral("def broken(:\n"), QStringLiteral("app.py"), &error, &errors));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].line, 1);
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"two\""));

        // So does one that fails on import: the previous app comes back on the same port.
        QVERIFY(!engine.reload(QStringLiteral("raise RuntimeError('boom')\n"), QStringLiteral("app.py"), &error, &errors));
        QVERIFY(engine.isRunning());
        QCOMPARE(engine.port(), port);
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"two\""));
    }

    void globalsStartFreshOnReload()
    {
        EngineCore engine;
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        fire(engine.port(), "/count");
        QCOMPARE(fire(engine.port(), "/count")[0].body, std::string("2"));
        QVERIFY(engine.reload(kApp, QStringLiteral("app.py"), &error, nullptr));
        QCOMPARE(fire(engine.port(), "/count")[0].body, std::string("1"));
    }

    void workersHaveTheirOwnGlobals()
    {
        EngineCore engine;
        EngineSettings s = quiet();
        s.workers = 2;
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), s, &error, nullptr), qPrintable(error));
        // 24 connections: the kernel spreads them over both workers; each worker counts
        // only its own requests, so no response can say 24.
        const auto records = fire(engine.port(), "/count", 24, 24);
        int maxCount = 0;
        for (const auto &r : records) {
            QCOMPARE(r.status, 200);
            maxCount = std::max(maxCount, std::stoi(r.body));
        }
        QVERIFY2(maxCount < 24, qPrintable(QString::number(maxCount)));
    }

    void printsAreAttributedToTheirRequest()
    {
        EngineCore engine;
        std::mutex m;
        std::vector<std::pair<std::int64_t, std::string>> lines;
        engine.setPrintSink([&](int, std::int64_t request, const std::string &line, bool) {
            std::lock_guard lock(m);
            lines.emplace_back(request, line);
        });
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        fire(engine.port(), "/ping?i=5");
        engine.stop();
        std::lock_guard lock(m);
        QCOMPARE(lines.size(), size_t(1));
        QCOMPARE(lines[0].second, std::string("ping 5"));
        QVERIFY(lines[0].first >= 0);
    }

    void benchRunMergesClientAndServer()
    {
        EngineCore engine;
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        BenchRun run(&engine);
        QSignalSpy finished(&run, &BenchRun::finished);
        QSignalSpy progress(&run, &BenchRun::progress);
        http::BurstPlan plan;
        plan.pathTemplate = "/ping?i={i}";
        plan.requests = 6;
        plan.connections = 3;
        run.start(plan);
        QVERIFY(finished.wait(20000));
        const BenchResult &r = *finished.first().first().value<std::shared_ptr<const BenchResult>>();
        QCOMPARE(r.records.size(), size_t(6));
        QCOMPARE(r.summary.errors, 0);
        QCOMPARE(r.session.requests.size(), size_t(6));
        for (const trace::RequestTimeline &t : r.session.requests) {
            QCOMPARE(t.path, "/ping?i=" + std::to_string(t.id));
            QCOMPARE(t.status, 200);
        }
        QCOMPARE(r.session.prints.size(), size_t(6));
        for (const trace::PrintLine &p : r.session.prints)
            QCOMPARE(p.text, "ping " + std::to_string(p.request));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toInt(), 6);

        // A second burst on the same engine: the server numbers on from 6, the client from 0
        // again; still one row per request, each with the server's and the client's side.
        run.start(plan);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        const BenchResult &again = *finished.last().first().value<std::shared_ptr<const BenchResult>>();
        QCOMPARE(again.session.requests.size(), size_t(6));
        for (const trace::RequestTimeline &t : again.session.requests) {
            QCOMPARE(t.path, "/ping?i=" + std::to_string(t.id));
            QVERIFY(!std::isnan(t.sent));
            QVERIFY(!std::isnan(t.accepted));
        }
    }

    void liveSessionSeesTheBurst()
    {
        EngineCore engine;
        QString error;
        QVERIFY2(engine.start(kApp, QStringLiteral("app.py"), quiet(), &error, nullptr), qPrintable(error));
        LiveSession live;
        live.reset();
        fire(engine.port(), "/ping?i={i}", 3, 3);
        QTRY_VERIFY_WITH_TIMEOUT((live.poll(), live.session().requests.size() >= 3), 5000);
        QVERIFY(live.session().prints.size() >= 3);
        // A second burst: the server numbers its requests on from the first, the client from
        // 0 again; the live view is the server's, one row per request.
        live.reset();
        fire(engine.port(), "/ping?i={i}", 3, 3);
        QTRY_VERIFY_WITH_TIMEOUT((live.poll(), live.session().prints.size() >= 3), 5000);
        QTest::qWait(100);
        live.poll();
        QCOMPARE(live.session().requests.size(), std::size_t(3));
        QVERIFY(live.session().requests.front().id >= 3);
    }

    void loadReportsStaticWarnings()
    {
        Engine engine;
        QSignalSpy diagnostics(&engine, &Engine::diagnostics);
        engine.load(QStringLiteral("import time\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                                   "@app.get(\"/x\")\nasync def x():\n    time.sleep(1)\n    return 1\n"),
                    QStringLiteral("app.py"));
        QVERIFY(diagnostics.wait(10000));
        const QList<SourceError> warnings = diagnostics.first().first().value<QList<SourceError>>();
        QVERIFY(!warnings.isEmpty());
        QCOMPARE(warnings.first().line, 9);
        QVERIFY2(warnings.first().message.contains(QStringLiteral("time.sleep")), qPrintable(warnings.first().message));
    }

    void engineObjectSignalsWithoutBlocking()
    {
        Engine engine;
        QSignalSpy loaded(&engine, &Engine::loaded);
        QSignalSpy failed(&engine, &Engine::loadFailed);
        QSignalSpy started(&engine, &Engine::started);
        QSignalSpy stopped(&engine, &Engine::stopped);

        engine.load(appReturning("one"), QStringLiteral("app.py"));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.last().first().value<QList<EndpointInfo>>().size(), 2);

        engine.start(quiet());
        QVERIFY(started.wait(10000));
        const quint16 port = started.last().first().value<quint16>();
        QCOMPARE(engine.port(), port);
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"one\""));

        // Hot reload: same port, new app.
        engine.load(appReturning("two"), QStringLiteral("app.py"));
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, 10000);
        QCOMPARE(started.last().first().value<quint16>(), port);
        QCOMPARE(fire(port, "/ping")[0].body, std::string("\"two\""));

        engine.load(QStringLiteral("if True\n"), QStringLiteral("app.py"));
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.last().first().value<QList<SourceError>>().first().line, 1);

        engine.stop();
        QVERIFY(stopped.wait(10000));
        QVERIFY(!engine.isRunning());
    }
};

QTEST_GUILESS_MAIN(tst_Engine)
#include "tst_engine.moc"
