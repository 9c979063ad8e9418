// `loopscope bench --json` names the line, the function and the call behind every kind of
// blocking an `async def` can do: time.sleep, a CPU-bound loop, a blocking helper it
// awaits, and requests.get against a slow server. The plain-language diagnosis on stdout
// names the same call and place and gives the advice that fits it.
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <atomic>

namespace {

QString binary()
{
    return QStringLiteral(LOOPSCOPE_BINARY_DIR "/app/loopscope");
}

struct Run {
    int exitCode = -1;
    QString out, err;
};

Run run(const QStringList &args, const QString &cwd, int timeoutMs = 60000)
{
    QProcess p;
    p.setProgram(binary());
    p.setArguments(args);
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

// The upstream that requests.get waits for: answers every request `delayMs` after it
// arrived, on a thread of its own. It cannot be Loopscope itself: a loop blocked in
// requests.get would never get round to answering.
class SlowUpstream : public QObject {
    Q_OBJECT
public:
    explicit SlowUpstream(int delayMs) : m_delayMs(delayMs) {}

    quint16 port() const { return m_port.load(); }
    int answered() const { return m_answered.load(); }

public slots:
    void listen()
    {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &SlowUpstream::accept);
        if (m_server->listen(QHostAddress::LocalHost, 0))
            m_port = m_server->serverPort();
    }

private:
    void accept()
    {
        while (QTcpSocket *s = m_server->nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *s)
    {
        const QByteArray head = s->property("head").toByteArray() + s->readAll();
        s->setProperty("head", head);
        if (!head.contains("\r\n\r\n") || s->property("answering").toBool())
            return;
        s->setProperty("answering", true);
        QTimer::singleShot(m_delayMs, s, [this, s] {
            const QByteArray body = "{\"ok\": true}";
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            s->disconnectFromHost();
            ++m_answered;
        });
    }

    const int m_delayMs;
    QTcpServer *m_server = nullptr;
    std::atomic<quint16> m_port{0};
    std::atomic<int> m_answered{0};
};

// A plain literal: moc does not read raw strings.
const char *kApp =
    "import asyncio\n"
    "import time\n"
    "\n"
    "import requests\n"
    "from fastapi import FastAPI\n"
    "\n"
    "app = FastAPI()\n"
    "UPSTREAM = \"http://127.0.0.1:%1/slow\"\n"
    "\n"
    "\n"
    "async def helper():\n"
    "    time.sleep(0.3)\n"
    "\n"
    "\n"
    "@app.get(\"/sleep\")\n"
    "async def nap():\n"
    "    time.sleep(0.3)\n"
    "    return \"ok\"\n"
    "\n"
    "\n"
    "@app.get(\"/crunch\")\n"
    "async def crunch():\n"
    "    deadline = time.monotonic() + 0.3\n"
    "    n = 0\n"
    "    for i in range(100000000):\n"
    "        n += i\n"
    "        if i % 1000 == 0 and time.monotonic() > deadline:\n"
    "            break\n"
    "    return n\n"
    "\n"
    "\n"
    "@app.get(\"/helper\")\n"
    "async def ping():\n"
    "    await helper()\n"
    "    return \"pong\"\n"
    "\n"
    "\n"
    "@app.get(\"/fetch\")\n"
    "async def fetch():\n"
    "    r = requests.get(UPSTREAM)\n"
    "    return {\"status\": r.status_code, \"ok\": r.json()[\"ok\"]}\n";

// 1-based number of the first line containing `text` after the line containing `after`.
int lineOf(const QString &source, const QString &after, const QString &text)
{
    const QStringList lines = source.split(QLatin1Char('\n'));
    qsizetype i = 0;
    while (i < lines.size() && !lines[i].contains(after))
        ++i;
    for (++i; i < lines.size(); ++i)
        if (lines[i].contains(text))
            return int(i + 1);
    return -1;
}

} // namespace

class tst_BenchBlocked : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binary()), qPrintable(binary()));
        QVERIFY(m_dir.isValid());
        m_upstream = new SlowUpstream(300);
        m_upstream->moveToThread(&m_upstreamThread);
        m_upstreamThread.start();
        QMetaObject::invokeMethod(m_upstream, &SlowUpstream::listen, Qt::BlockingQueuedConnection);
        QVERIFY(m_upstream->port() > 0);
        m_source = QString::fromLatin1(kApp).arg(m_upstream->port());
        QFile f(appPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_source.toUtf8());
    }

    void cleanupTestCase()
    {
        if (m_upstream)
            QMetaObject::invokeMethod(m_upstream, [u = m_upstream] { delete u; }, Qt::BlockingQueuedConnection);
        m_upstream = nullptr;
        m_upstreamThread.quit();
        m_upstreamThread.wait();
    }

    void blockedSpanNamesLineFunctionAndCall_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QList<int>>("lines"); // where the span may point
        QTest::addColumn<QString>("function");
        QTest::addColumn<QString>("call");
        QTest::addColumn<QString>("advice"); // part of the diagnosis's advice

        const QString s = QString::fromLatin1(kApp);
        QTest::addRow("time.sleep") << QStringLiteral("/sleep")
                                    << QList<int>{lineOf(s, QStringLiteral("def nap"), QStringLiteral("time.sleep"))}
                                    << QStringLiteral("nap") << QStringLiteral("time.sleep")
                                    << QStringLiteral("await asyncio.sleep()");
        QTest::addRow("CPU-bound loop")
            << QStringLiteral("/crunch")
            << QList<int>{lineOf(s, QStringLiteral("def crunch"), QStringLiteral("for i in")),
                          lineOf(s, QStringLiteral("def crunch"), QStringLiteral("n += i")),
                          lineOf(s, QStringLiteral("def crunch"), QStringLiteral("if i % 1000"))}
            << QStringLiteral("crunch") << QString() << QStringLiteral("ProcessPoolExecutor");
        QTest::addRow("blocking helper awaited")
            << QStringLiteral("/helper")
            << QList<int>{lineOf(s, QStringLiteral("def helper"), QStringLiteral("time.sleep"))}
            << QStringLiteral("helper") << QStringLiteral("time.sleep") << QStringLiteral("await asyncio.sleep()");
        QTest::addRow("requests.get") << QStringLiteral("/fetch")
                                      << QList<int>{lineOf(s, QStringLiteral("def fetch"), QStringLiteral("requests.get"))}
                                      << QStringLiteral("fetch") << QStringLiteral("requests.get")
                                      << QStringLiteral("async client (e.g. httpx.AsyncClient)");
    }

    // Two requests on two connections: the second waits behind the first's blocking, and
    // both spans name the same place.
    void blockedSpanNamesLineFunctionAndCall()
    {
        QFETCH(QString, path);
        QFETCH(QList<int>, lines);
        QFETCH(QString, function);
        QFETCH(QString, call);
        QFETCH(QString, advice);
        QVERIFY(!lines.contains(-1));

        const int answeredBefore = m_upstream->answered();
        const QString out = m_dir.filePath(QStringLiteral("out.json"));
        QFile::remove(out);
        // Run from the app's folder as `loopscope bench app.py ...`: spans name "app.py:N".
        const Run r = run({QStringLiteral("bench"), QStringLiteral("app.py"), QStringLiteral("--path"), path,
                           QStringLiteral("--requests"), QStringLiteral("2"), QStringLiteral("--connections"),
                           QStringLiteral("2"), QStringLiteral("--json"), out},
                          m_dir.path());
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();

        const QJsonArray requests = doc.value(QLatin1String("requests")).toArray();
        QCOMPARE(requests.size(), 2);
        for (const QJsonValue &q : requests)
            QCOMPARE(q.toObject().value(QLatin1String("status")).toInt(), 200);
        // The first request is over once its response is out, as in uvicorn (send() does not
        // yield): none of its phases lasts into the second request's blocking.
        for (const QJsonValue &q : requests) {
            const QJsonObject req = q.toObject();
            const double done = req.value(QLatin1String("done")).toDouble();
            for (const QJsonValue &p : req.value(QLatin1String("phases")).toArray())
                QVERIFY2(p.toObject().value(QLatin1String("end")).toDouble() <= done + 0.05,
                         qPrintable(QJsonDocument(req).toJson(QJsonDocument::Compact)));
        }
        if (call == QLatin1String("requests.get")) {
            QCOMPARE(m_upstream->answered() - answeredBefore, 2);
            QVERIFY2(requests[0].toObject().value(QLatin1String("body")).toString().contains(QLatin1String("\"ok\":true")),
                     qPrintable(requests[0].toObject().value(QLatin1String("body")).toString()));
        }

        const QJsonArray blocked = doc.value(QLatin1String("loop")).toObject().value(QLatin1String("blocked")).toArray();
        QVERIFY2(blocked.size() == 2, qPrintable(QJsonDocument(blocked).toJson(QJsonDocument::Compact)));
        QString where;
        for (const QJsonValue &v : blocked) {
            const QJsonObject b = v.toObject();
            const QString shown = QString::fromUtf8(QJsonDocument(b).toJson(QJsonDocument::Compact));
            where = b.value(QLatin1String("where")).toString();
            QVERIFY2(where.startsWith(QLatin1String("app.py:")), qPrintable(shown));
            QVERIFY2(lines.contains(where.mid(7).toInt()), qPrintable(shown));
            QCOMPARE(b.value(QLatin1String("function")).toString(), function);
            QCOMPARE(b.value(QLatin1String("call")).toString(), call);
            const double seconds = b.value(QLatin1String("end")).toDouble() - b.value(QLatin1String("start")).toDouble();
            QVERIFY2(seconds > 0.2 && seconds < 2.0, qPrintable(shown));
        }
        bool someoneWaited = false;
        for (const QJsonValue &v : blocked)
            someoneWaited |= !v.toObject().value(QLatin1String("delayed")).toArray().isEmpty();
        QVERIFY2(someoneWaited, qPrintable(QJsonDocument(blocked).toJson(QJsonDocument::Compact)));

        // The diagnosis: "requests.get() at app.py:41 in fetch blocked the event loop 2 times ..."
        // (the CPU-bound spans may fall on different lines of the loop: any one of them).
        const QString what = call.isEmpty() ? QStringLiteral("CPU-bound code") : call + QStringLiteral("()");
        QStringList findings;
        for (const QString &line : r.out.split(QLatin1Char('\n')))
            if (line.contains(QStringLiteral("%1 at app.py:").arg(what))
                && line.contains(QStringLiteral(" in %1 blocked the event loop").arg(function)))
                findings << line;
        QVERIFY2(!findings.isEmpty(), qPrintable(r.out));
        bool critical = false; // a request waited behind it
        for (const QString &finding : findings) {
            QVERIFY2(finding.contains(advice), qPrintable(finding));
            critical |= finding.startsWith(QLatin1String("critical: "));
        }
        QVERIFY2(critical, qPrintable(findings.join(QLatin1Char('\n'))));
    }

private:
    QString appPath() const { return m_dir.filePath(QStringLiteral("app.py")); }

    QTemporaryDir m_dir;
    QThread m_upstreamThread;
    SlowUpstream *m_upstream = nullptr;
    QString m_source;
};

QTEST_GUILESS_MAIN(tst_BenchBlocked)
#include "tst_benchblocked.moc"
