// The `serve` and `bench` flags: every flag of ARCHITECTURE §4 parses, anything else
// is refused with a one-line reason.
#include "host/commandline.h"

#include <QtTest>

using namespace loopscope::host;

class tst_CommandLine : public QObject {
    Q_OBJECT
private slots:
    void benchTakesEveryDocumentedFlag()
    {
        QString error;
        const auto o = parseBenchArgs(
            {QStringLiteral("app.py"), QStringLiteral("--path"), QStringLiteral("/x?i={i}"),
             QStringLiteral("--requests"), QStringLiteral("41"), QStringLiteral("--connections"),
             QStringLiteral("41"), QStringLiteral("--extra"), QStringLiteral("0.2:/other?i=99"),
             QStringLiteral("--extra=1.5:/third"), QStringLiteral("--keep-alive"), QStringLiteral("off"),
             QStringLiteral("--rate"), QStringLiteral("100"), QStringLiteral("--duration"),
             QStringLiteral("2.5"), QStringLiteral("--threads"), QStringLiteral("4"),
             QStringLiteral("--limiter"), QStringLiteral("lifo"), QStringLiteral("--workers"),
             QStringLiteral("2"), QStringLiteral("--gil"), QStringLiteral("off"),
             QStringLiteral("--json"), QStringLiteral("o.json"), QStringLiteral("--csv"),
             QStringLiteral("o.csv"), QStringLiteral("--trace"), QStringLiteral("o.perfetto.json"),
             QStringLiteral("--charts"), QStringLiteral("charts")},
            &error);
        QVERIFY2(o.has_value(), qPrintable(error));
        QCOMPARE(o->file, QStringLiteral("app.py"));
        QCOMPARE(o->path, QStringLiteral("/x?i={i}"));
        QCOMPARE(o->requests, 41);
        QCOMPARE(o->connections, 41);
        QCOMPARE(o->extras.size(), 2);
        QCOMPARE(o->extras[0].at, 0.2);
        QCOMPARE(o->extras[0].path, QStringLiteral("/other?i=99"));
        QCOMPARE(o->extras[1].path, QStringLiteral("/third"));
        QCOMPARE(o->keepAlive, false);
        QCOMPARE(o->rate, 100.0);
        QCOMPARE(o->duration, 2.5);
        QCOMPARE(o->engine.threads, 4);
        QCOMPARE(o->engine.limiterLifo, true);
        QCOMPARE(o->engine.workers, 2);
        QCOMPARE(o->engine.gil, false);
        QCOMPARE(o->json, QStringLiteral("o.json"));
        QCOMPARE(o->csv, QStringLiteral("o.csv"));
        QCOMPARE(o->trace, QStringLiteral("o.perfetto.json"));
        QCOMPARE(o->charts, QStringLiteral("charts"));
    }

    void benchDefaultsToOneConnectionPerRequestAndFastApiSettings()
    {
        QString error;
        const auto o = parseBenchArgs({QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"),
                                       QStringLiteral("--requests"), QStringLiteral("3")}, &error);
        QVERIFY2(o.has_value(), qPrintable(error));
        QCOMPARE(o->connections, 3);
        QCOMPARE(o->engine.threads, 40);
        QCOMPARE(o->engine.limiterLifo, false);
        QCOMPARE(o->engine.workers, 1);
        QCOMPARE(o->engine.gil, true);
        QCOMPARE(o->keepAlive, true);
        QCOMPARE(o->traced, true);
    }

    void benchNoTraceIsASwitch()
    {
        QString error;
        const auto o = parseBenchArgs({QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"),
                                       QStringLiteral("--no-trace")}, &error);
        QVERIFY2(o.has_value(), qPrintable(error));
        QCOMPARE(o->traced, false);
        QVERIFY(!parseBenchArgs({QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"),
                                 QStringLiteral("--no-trace=1")}, &error));
        QCOMPARE(error, QStringLiteral("option --no-trace takes no value"));
        QVERIFY(QString::fromLatin1(kBenchUsage).contains(QLatin1String("--no-trace")));
    }

    void badInputGivesOneLineReason_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("reason");
        QTest::addRow("unknown flag") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--bogus")} << QStringLiteral("unknown option --bogus");
        QTest::addRow("no file") << QStringList{QStringLiteral("--path"), QStringLiteral("/")} << QStringLiteral("missing FILE.py");
        QTest::addRow("no path") << QStringList{QStringLiteral("a.py")} << QStringLiteral("missing --path");
        QTest::addRow("bad number") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--requests"), QStringLiteral("many")} << QStringLiteral("option --requests");
        QTest::addRow("zero threads") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--threads"), QStringLiteral("0")} << QStringLiteral("option --threads");
        QTest::addRow("bad gil") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--gil"), QStringLiteral("maybe")} << QStringLiteral("option --gil");
        QTest::addRow("bad limiter") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--limiter"), QStringLiteral("random")} << QStringLiteral("option --limiter");
        QTest::addRow("bad extra") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path"), QStringLiteral("/"), QStringLiteral("--extra"), QStringLiteral("soon")} << QStringLiteral("option --extra");
        QTest::addRow("missing value") << QStringList{QStringLiteral("a.py"), QStringLiteral("--path")} << QStringLiteral("needs a value");
        QTest::addRow("two files") << QStringList{QStringLiteral("a.py"), QStringLiteral("b.py"), QStringLiteral("--path"), QStringLiteral("/")} << QStringLiteral("unexpected argument 'b.py'");
    }

    void badInputGivesOneLineReason()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, reason);
        QString error;
        QVERIFY(!parseBenchArgs(args, &error).has_value());
        QVERIFY2(error.contains(reason), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }

    void serveDefaultsToUvicornsPortAndLoopback()
    {
        QString error;
        const auto o = parseServeArgs({QStringLiteral("app.py")}, &error);
        QVERIFY2(o.has_value(), qPrintable(error));
        QCOMPARE(o->engine.port, quint16(8000));
        QCOMPARE(o->engine.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(o->engine.accessLog, true);
    }

    void serveTakesItsFlags()
    {
        QString error;
        const auto o = parseServeArgs({QStringLiteral("app.py"), QStringLiteral("--port"), QStringLiteral("0"),
                                       QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--workers=3"),
                                       QStringLiteral("--gil"), QStringLiteral("off"), QStringLiteral("--limiter"),
                                       QStringLiteral("lifo"), QStringLiteral("--limit-concurrency"), QStringLiteral("5"),
                                       QStringLiteral("--host"), QStringLiteral("localhost"), QStringLiteral("--no-access-log")},
                                      &error);
        QVERIFY2(o.has_value(), qPrintable(error));
        QCOMPARE(o->engine.port, quint16(0));
        QCOMPARE(o->engine.threads, 2);
        QCOMPARE(o->engine.workers, 3);
        QCOMPARE(o->engine.gil, false);
        QCOMPARE(o->engine.limiterLifo, true);
        QCOMPARE(o->engine.limitConcurrency, 5);
        QCOMPARE(o->engine.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(o->engine.accessLog, false);
    }

    void serveRefusesNonLoopbackHosts()
    {
        QString error;
        QVERIFY(!parseServeArgs({QStringLiteral("app.py"), QStringLiteral("--host"), QStringLiteral("0.0.0.0")}, &error));
        QVERIFY2(error.contains(QStringLiteral("loopback")), qPrintable(error));
    }

    void helpIsNotAnError()
    {
        QString error;
        bool help = false;
        QVERIFY(!parseServeArgs({QStringLiteral("--help")}, &error, &help));
        QVERIFY(help);
    }

    void missingFileReadsLikeCPython()
    {
        const QString msg = checkSourceFile(QStringLiteral("/nonexistent/app.py"));
        QCOMPARE(msg, QStringLiteral("can't open file '/nonexistent/app.py': [Errno 2] No such file or directory"));
        QVERIFY(checkSourceFile(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/tests/conformance/extra_app.py")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
