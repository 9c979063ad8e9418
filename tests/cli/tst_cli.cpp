// The `loopscope` executable's stable command-line interface (ARCHITECTURE §4): --help,
// --version, unknown flags, missing files and language errors (non-zero exit with a
// one-line reason), the `bench --json` document, `serve` until SIGTERM, and the report
// written when there is no display.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>

#include <sys/resource.h>

#include <csignal>

namespace {

QString binary()
{
    return QStringLiteral(LOOPSCOPE_BINARY_DIR "/app/loopscope");
}

struct Run {
    int exitCode = -1;
    QString out, err;
};

Run run(const QStringList &args, const QString &cwd = {}, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
        int timeoutMs = 60000, std::function<void()> childModifier = {})
{
    QProcess p;
    if (childModifier)
        p.setChildProcessModifier(childModifier);
    p.setProgram(binary());
    p.setArguments(args);
    p.setProcessEnvironment(env);
    if (!cwd.isEmpty())
        p.setWorkingDirectory(cwd);
    p.start();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString firstLine(const QString &s)
{
    return s.section(QLatin1Char('\n'), 0, 0);
}

const char *kApp =
    "import asyncio\n"
    "import time\n"
    "\n"
    "from fastapi import FastAPI\n"
    "\n"
    "app = FastAPI()\n"
    "\n"
    "\n"
    "@app.get(\"/ping\")\n"
    "async def ping(i: int = 0):\n"
    "    print(f\"Hello {i}\")\n"
    "    time.sleep(0.2)\n"
    "    return \"pong\"\n"
    "\n"
    "\n"
    "@app.get(\"/fast\")\n"
    "def fast(i: int = 0):\n"
    "    return {\"i\": i}\n"
    "\n"
    "\n"
    "import sys\n"
    "\n"
    "\n"
    "@app.get(\"/boom\")\n"
    "def boom(i: int = 0):\n"
    "    print(f\"before {i}\")\n"
    "    print(f\"warn {i}\", file=sys.stderr)\n"
    "    raise ValueError(f\"boom {i}\")\n";

// Runs the child with RLIMIT_NOFILE set to soft/hard.
std::function<void()> limitDescriptors(rlim_t soft, rlim_t hard)
{
    return [soft, hard] {
        rlimit l{soft, hard};
        setrlimit(RLIMIT_NOFILE, &l);
    };
}

bool mayRaiseDescriptorsTo(rlim_t n)
{
    rlimit mine{};
    getrlimit(RLIMIT_NOFILE, &mine);
    return mine.rlim_max == RLIM_INFINITY || mine.rlim_max >= n;
}

} // namespace

class tst_Cli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binary()), qPrintable(binary()));
        QVERIFY(m_dir.isValid());
        writeFile(QStringLiteral("app.py"), kApp);
        writeFile(QStringLiteral("syntax.py"), "from fastapi import FastAPI\napp = FastAPI()\nif True\n    pass\n");
        writeFile(QStringLiteral("nameerror.py"), "from fastapi import FastAPI\napp = FastAPI()\nprint(undefined_name)\n");
    }

    void helpPrintsUsage()
    {
        const Run r = run({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("usage: loopscope")));
        for (const char *verb : {"run FILE.py", "serve FILE.py", "bench FILE.py"})
            QVERIFY2(r.out.contains(QLatin1String(verb)), verb);
    }

    void versionPrintsTheProjectVersion()
    {
        const Run r = run({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QRegularExpression(QStringLiteral("^loopscope \\d+\\.\\d+\\.\\d+\\n$")).match(r.out).hasMatch());
    }

    void verbsHaveHelp()
    {
        for (const char *verb : {"serve", "bench"}) {
            const Run r = run({QLatin1String(verb), QStringLiteral("--help")});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.contains(QStringLiteral("usage: loopscope %1").arg(QLatin1String(verb))), qPrintable(r.out));
        }
    }

    void unknownFlagsExitNonZeroWithOneLineReason_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("reason");
        QTest::addRow("bench") << QStringList{QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"), QStringLiteral("/ping"), QStringLiteral("--frobnicate")} << QStringLiteral("loopscope bench: unknown option --frobnicate");
        QTest::addRow("serve") << QStringList{QStringLiteral("serve"), path(QStringLiteral("app.py")), QStringLiteral("--frobnicate")} << QStringLiteral("loopscope serve: unknown option --frobnicate");
        QTest::addRow("top level") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("loopscope: unknown option --frobnicate");
        QTest::addRow("bad value") << QStringList{QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"), QStringLiteral("/ping"), QStringLiteral("--gil"), QStringLiteral("sometimes")} << QStringLiteral("loopscope bench: option --gil: expected on or off, got 'sometimes'");
    }

    void unknownFlagsExitNonZeroWithOneLineReason()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, reason);
        const Run r = run(args);
        QVERIFY2(r.exitCode != 0 && r.exitCode != -1, qPrintable(r.err));
        QCOMPARE(firstLine(r.err), reason);
    }

    void missingFilesExitNonZero_data()
    {
        QTest::addColumn<QString>("verb");
        QTest::addRow("bench") << QStringLiteral("bench");
        QTest::addRow("serve") << QStringLiteral("serve");
    }

    void missingFilesExitNonZero()
    {
        QFETCH(QString, verb);
        const QString missing = path(QStringLiteral("no_such_file.py"));
        QStringList args{verb, missing};
        if (verb == QLatin1String("bench"))
            args << QStringLiteral("--path") << QStringLiteral("/");
        const Run r = run(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(firstLine(r.err), QStringLiteral("loopscope %1: can't open file '%2': [Errno 2] No such file or directory").arg(verb, missing));
    }

    void languageErrorsNameFileAndLine_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::addRow("syntax error") << QStringLiteral("syntax.py") << QStringLiteral("line 3: SyntaxError: expected ':'");
        QTest::addRow("import-time NameError") << QStringLiteral("nameerror.py") << QStringLiteral("line 3: NameError: name 'undefined_name' is not defined");
    }

    void languageErrorsNameFileAndLine()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const Run r = run({QStringLiteral("bench"), path(file), QStringLiteral("--path"), QStringLiteral("/")});
        QCOMPARE(r.exitCode, 1);
        const QString line = firstLine(r.err);
        QVERIFY2(line.startsWith(QStringLiteral("loopscope bench: File \"%1\", ").arg(path(file))), qPrintable(line));
        QVERIFY2(line.endsWith(expected), qPrintable(line));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    }

    void benchJsonFollowsTheSchema()
    {
        const QString out = path(QStringLiteral("out.json"));
        const Run r = run({QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"),
                           QStringLiteral("/ping?i={i}"), QStringLiteral("--requests"), QStringLiteral("2"),
                           QStringLiteral("--connections"), QStringLiteral("2"), QStringLiteral("--extra"),
                           QStringLiteral("0.1:/fast?i=99"), QStringLiteral("--json"), out, QStringLiteral("--quiet")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();

        const QJsonArray requests = doc.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), 3);
        for (int i = 0; i < requests.size(); ++i) {
            const QJsonObject q = requests[i].toObject();
            for (const char *key : {"id", "path", "conn", "sent", "start", "done", "status", "body"})
                QVERIFY2(q.contains(QLatin1String(key)), key);
            QCOMPARE(q.value(QLatin1String("id")).toInt(), i);
            QCOMPARE(q.value(QLatin1String("status")).toInt(), 200);
        }
        QCOMPARE(requests[0].toObject().value(QLatin1String("path")).toString(), QStringLiteral("/ping?i=0"));
        QCOMPARE(requests[0].toObject().value(QLatin1String("body")).toString(), QStringLiteral("\"pong\""));
        QCOMPARE(requests[2].toObject().value(QLatin1String("path")).toString(), QStringLiteral("/fast?i=99"));
        // The async handler blocks the loop with time.sleep(0.2): the two sleeps run one
        // after the other, so the later response cannot come before 0.4 s (which of the two
        // connections the server reads first is a race).
        const double d0 = requests[0].toObject().value(QLatin1String("done")).toDouble();
        const double d1 = requests[1].toObject().value(QLatin1String("done")).toDouble();
        QVERIFY2(std::min(d0, d1) > 0.15, qPrintable(QStringLiteral("%1 %2").arg(d0).arg(d1)));
        QVERIFY2(std::max(d0, d1) > 0.35, qPrintable(QStringLiteral("%1 %2").arg(d0).arg(d1)));

        const QJsonArray prints = doc.value(QLatin1String("prints")).toArray();
        QCOMPARE(prints.size(), 2);
        const QJsonObject p0 = prints[0].toObject();
        for (const char *key : {"t", "text", "request", "thread"})
            QVERIFY2(p0.contains(QLatin1String(key)), key);
        QCOMPARE(p0.value(QLatin1String("text")).toString(), QStringLiteral("Hello 0"));
        QCOMPARE(p0.value(QLatin1String("request")).toInt(), 0);

        const QJsonObject loop = doc.value(QLatin1String("loop")).toObject();
        QVERIFY(loop.value(QLatin1String("lag_ms")).isArray());
        const QJsonArray blocked = loop.value(QLatin1String("blocked")).toArray();
        QVERIFY(!blocked.isEmpty());
        for (const char *key : {"start", "end", "where", "function", "call"})
            QVERIFY2(blocked[0].toObject().contains(QLatin1String(key)), key);
        QCOMPARE(blocked[0].toObject().value(QLatin1String("function")).toString(), QStringLiteral("ping"));
        QVERIFY(doc.value(QLatin1String("pool")).isArray());

        const QJsonObject summary = doc.value(QLatin1String("summary")).toObject();
        QCOMPARE(summary.value(QLatin1String("requests")).toInt(), 3);
        QCOMPARE(summary.value(QLatin1String("errors")).toInt(), 0);
        for (const char *key : {"wall", "rps"})
            QVERIFY2(summary.value(QLatin1String(key)).isDouble(), key);
        const QJsonObject latency = summary.value(QLatin1String("latency_ms")).toObject();
        for (const char *key : {"p50", "p90", "p99", "max"})
            QVERIFY2(latency.value(QLatin1String(key)).isDouble(), key);
    }

    // --no-trace (what tracing costs): the client's figures are all there; what only the
    // trace knows (blocked spans, prints, pools) stays empty, though /ping prints and blocks.
    void benchWithoutTraceKeepsTheClientsFigures()
    {
        const Run help = run({QStringLiteral("bench"), QStringLiteral("--help")});
        QVERIFY2(help.out.contains(QLatin1String("[--no-trace]")), qPrintable(help.out));

        const QString out = path(QStringLiteral("untraced.json"));
        const Run r = run({QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"),
                           QStringLiteral("/ping?i={i}"), QStringLiteral("--requests"), QStringLiteral("2"),
                           QStringLiteral("--connections"), QStringLiteral("2"), QStringLiteral("--no-trace"),
                           QStringLiteral("--json"), out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("requests 2  errors 0")), qPrintable(r.out));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        for (const char *key : {"requests", "prints", "loop", "pool", "summary"})
            QVERIFY2(doc.contains(QLatin1String(key)), key);

        const QJsonArray requests = doc.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), 2);
        for (int i = 0; i < requests.size(); ++i) {
            const QJsonObject q = requests[i].toObject();
            QCOMPARE(q.value(QLatin1String("id")).toInt(), i);
            QCOMPARE(q.value(QLatin1String("path")).toString(), QStringLiteral("/ping?i=%1").arg(i));
            QCOMPARE(q.value(QLatin1String("status")).toInt(), 200);
            QCOMPARE(q.value(QLatin1String("body")).toString(), QStringLiteral("\"pong\""));
            QVERIFY(q.value(QLatin1String("done")).toDouble() > 0.15);
        }
        const QJsonObject summary = doc.value(QLatin1String("summary")).toObject();
        QCOMPARE(summary.value(QLatin1String("requests")).toInt(), 2);
        QCOMPARE(summary.value(QLatin1String("errors")).toInt(), 0);
        QVERIFY(summary.value(QLatin1String("rps")).toDouble() > 0);

        const QJsonObject loop = doc.value(QLatin1String("loop")).toObject();
        QVERIFY(loop.value(QLatin1String("blocked")).isArray());
        QVERIFY(loop.value(QLatin1String("blocked")).toArray().isEmpty());
        QVERIFY(loop.value(QLatin1String("lag_ms")).toArray().isEmpty());
        QVERIFY(doc.value(QLatin1String("prints")).toArray().isEmpty());
        QVERIFY(doc.value(QLatin1String("pool")).toArray().isEmpty());
    }

    // `prints` is what the app wrote (stdout, and stderr marked so); the server's own report
    // of an uncaught exception (uvicorn's error log, not the app's output) is under `log`.
    void benchKeepsServerErrorsOutOfPrints()
    {
        const QString out = path(QStringLiteral("boom.json"));
        const Run r = run({QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"),
                           QStringLiteral("/boom?i={i}"), QStringLiteral("--requests"), QStringLiteral("1"),
                           QStringLiteral("--connections"), QStringLiteral("1"), QStringLiteral("--json"), out,
                           QStringLiteral("--quiet")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonArray requests = doc.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests[0].toObject().value(QLatin1String("status")).toInt(), 500);
        QCOMPARE(requests[0].toObject().value(QLatin1String("body")).toString(), QStringLiteral("Internal Server Error"));

        const QJsonArray prints = doc.value(QLatin1String("prints")).toArray();
        QStringList texts;
        for (const QJsonValue &p : prints)
            texts << p.toObject().value(QLatin1String("text")).toString();
        QCOMPARE(texts, (QStringList{QStringLiteral("before 0"), QStringLiteral("warn 0")}));
        QVERIFY(!prints[0].toObject().contains(QLatin1String("stream")));
        QCOMPARE(prints[1].toObject().value(QLatin1String("stream")).toString(), QStringLiteral("stderr"));

        const QJsonArray log = doc.value(QLatin1String("log")).toArray();
        QVERIFY(log.size() >= 3);
        QCOMPARE(log.first().toObject().value(QLatin1String("text")).toString(),
                 QStringLiteral("ERROR:    Exception in ASGI application"));
        QCOMPARE(log.last().toObject().value(QLatin1String("text")).toString(), QStringLiteral("ValueError: boom 0"));
        for (const QJsonValue &l : log) {
            QCOMPARE(l.toObject().value(QLatin1String("request")).toInt(), 0);
            QCOMPARE(l.toObject().value(QLatin1String("level")).toString(), QStringLiteral("error"));
        }
    }

    // Every connection is a descriptor, both ends of it in `bench`'s one process: the engine
    // lifts a low soft limit to the hard one.
    void benchLiftsTheDescriptorLimit()
    {
        if (!mayRaiseDescriptorsTo(4096))
            QSKIP("this process may not raise its descriptor limit to 4096");
        const Run lifted = run(manyConnections(), {}, QProcessEnvironment::systemEnvironment(), 120000, limitDescriptors(1024, 4096));
        QVERIFY2(lifted.exitCode == 0, qPrintable(lifted.err));
        QVERIFY2(lifted.out.contains(QStringLiteral("requests 1500  errors 0")), qPrintable(lifted.out.left(2000)));
    }

    // Where the hard limit is too low, the failed requests come with the reason and the numbers.
    void benchExplainsTooFewDescriptors()
    {
#if defined(__SANITIZE_ADDRESS__)
        // Out of descriptors, the sanitizers' own memory probes (a pipe each) fail and they
        // report bad pointers that are not there.
        QSKIP("sanitizer builds cannot run out of descriptors cleanly");
#endif
        const Run capped = run(manyConnections(), {}, QProcessEnvironment::systemEnvironment(), 120000, limitDescriptors(1024, 1024));
        QVERIFY2(capped.exitCode == 0, qPrintable(capped.err));
        QVERIFY2(!capped.out.contains(QStringLiteral("errors 0")), qPrintable(capped.out.left(2000)));
        QVERIFY2(capped.out.contains(QStringLiteral("1500 connections need as many file descriptors")), qPrintable(capped.out.left(2000)));
        QVERIFY2(capped.out.contains(QStringLiteral("the limit is 1024")), qPrintable(capped.out.left(2000)));
    }

    void benchWritesCsvAndTrace()
    {
        const QString csv = path(QStringLiteral("out.csv"));
        const QString trace = path(QStringLiteral("out.perfetto.json"));
        const Run r = run({QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"),
                           QStringLiteral("/fast?i={i}"), QStringLiteral("--requests"), QStringLiteral("4"),
                           QStringLiteral("--connections"), QStringLiteral("2"), QStringLiteral("--csv"), csv,
                           QStringLiteral("--trace"), trace});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("requests 4  errors 0")), qPrintable(r.out));
        QFile c(csv);
        QVERIFY(c.open(QIODevice::ReadOnly));
        QCOMPARE(c.readAll().count('\n'), 5); // header + one row per request
        QFile t(trace);
        QVERIFY(t.open(QIODevice::ReadOnly));
        QVERIFY(QJsonDocument::fromJson(t.readAll()).object().value(QLatin1String("traceEvents")).isArray());
    }

    void serveAnswersAndShutsDownOnSigterm()
    {
        QProcess p;
        p.setProgram(binary());
        p.setArguments({QStringLiteral("serve"), path(QStringLiteral("app.py")), QStringLiteral("--port"), QStringLiteral("0")});
        p.start();
        QVERIFY(p.waitForStarted());
        QString out;
        quint16 port = 0;
        const QRegularExpression running(QStringLiteral("running on http://127\\.0\\.0\\.1:(\\d+)"));
        QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(p.readAllStandardOutput()), running.match(out).hasMatch()), 20000);
        port = quint16(running.match(out).captured(1).toUInt());
        QVERIFY(port > 0);

        QTcpSocket s;
        s.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /fast?i=7 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
        QByteArray response;
        QTRY_VERIFY_WITH_TIMEOUT((response += s.readAll(), response.contains("{\"i\":7}")), 10000);
        QVERIFY(response.startsWith("HTTP/1.1 200 OK"));
        s.close();

        QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(p.readAllStandardOutput()),
                                  out.contains(QStringLiteral("\"GET /fast?i=7 HTTP/1.1\" 200"))), 10000);
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(20000));
        out += QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains(QStringLiteral("INFO:     Shutting down")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("INFO:     Finished server process")), qPrintable(out));
    }

    void everyLessonRunsItsBurst_data()
    {
        QTest::addColumn<QJsonObject>("lesson");
        QFile f(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/resources/lessons/lessons.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray lessons = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("lessons")).toArray();
        QVERIFY(!lessons.isEmpty());
        for (const QJsonValue &l : lessons)
            QTest::newRow(qPrintable(l.toObject().value(QLatin1String("id")).toString())) << l.toObject();
    }

    // Each bundled lesson, with the burst it comes with, runs through `bench` as a user
    // would start it: every request (and every extra) is answered, no handler crashes
    // (no 500, nothing in the server's error log).
    void everyLessonRunsItsBurst()
    {
        QFETCH(QJsonObject, lesson);
        const QJsonObject burst = lesson.value(QLatin1String("burst")).toObject();
        const QString out = path(lesson.value(QLatin1String("id")).toString() + QStringLiteral(".json"));
        QStringList args{QStringLiteral("bench"),
                         QStringLiteral(LOOPSCOPE_SOURCE_DIR "/resources/lessons/") + lesson.value(QLatin1String("file")).toString(),
                         QStringLiteral("--path"), burst.value(QLatin1String("path")).toString(),
                         QStringLiteral("--requests"), QString::number(burst.value(QLatin1String("requests")).toInt()),
                         QStringLiteral("--connections"), QString::number(burst.value(QLatin1String("connections")).toInt()),
                         QStringLiteral("--keep-alive"), burst.value(QLatin1String("keepAlive")).toBool(true) ? QStringLiteral("on") : QStringLiteral("off"),
                         QStringLiteral("--json"), out, QStringLiteral("--quiet")};
        const QJsonArray extras = burst.value(QLatin1String("extras")).toArray();
        for (const QJsonValue &e : extras)
            args << QStringLiteral("--extra")
                 << QStringLiteral("%1:%2").arg(e.toObject().value(QLatin1String("at")).toDouble()).arg(e.toObject().value(QLatin1String("path")).toString());
        const Run r = run(args, {}, QProcessEnvironment::systemEnvironment(), 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonArray requests = doc.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), burst.value(QLatin1String("requests")).toInt() + extras.size());
        for (const QJsonValue &q : requests) {
            const int status = q.toObject().value(QLatin1String("status")).toInt();
            QVERIFY2(status >= 200 && status != 500, qPrintable(QJsonDocument(q.toObject()).toJson(QJsonDocument::Compact)));
        }
        QVERIFY2(doc.value(QLatin1String("log")).toArray().isEmpty(),
                 qPrintable(QJsonDocument(doc.value(QLatin1String("log")).toArray()).toJson(QJsonDocument::Compact)));
    }

    void withoutDisplayWritesTheReport()
    {
        QTemporaryDir cwd;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const Run r = run({}, cwd.path(), env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString folder = QDir(cwd.path()).filePath(QStringLiteral("loopscope-report"));
        QCOMPARE(r.out.trimmed(), QFileInfo(folder).absoluteFilePath());
        for (const char *name : {"report.json", "report.csv", "report.perfetto.json", "README.txt"})
            QVERIFY2(QFile::exists(QDir(folder).filePath(QLatin1String(name))), name);
        QFile readme(QDir(folder).filePath(QStringLiteral("README.txt")));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(readme.readAll());
        QVERIFY2(text.contains(QStringLiteral("What happened:")), qPrintable(text));
    }

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    // A burst of 1,500 requests on as many connections.
    QStringList manyConnections() const
    {
        return {QStringLiteral("bench"), path(QStringLiteral("app.py")), QStringLiteral("--path"),
                QStringLiteral("/fast?i={i}"), QStringLiteral("--requests"), QStringLiteral("1500"),
                QStringLiteral("--connections"), QStringLiteral("1500")};
    }
    void writeFile(const QString &name, const char *text)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
