// The golden corpus run end to end: `loopscope run FILE` must print what CPython 3.11
// printed (the `# expect` comments), and, where Debian's python3 is installed, what it
// prints right now, side by side.
#include "goldencase.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct RunResult {
    bool started = false;
    bool finished = false;
    QStringList stdoutLines;
    QString stderrLastLine;
    int exitCode = -1;
    QString stderrText;
};

RunResult runProgram(const QString &program, const QStringList &args, const QString &workDir, int timeoutMs)
{
    RunResult r;
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.start(program, args);
    r.started = p.waitForStarted(10000);
    if (!r.started)
        return r;
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    QString out = QString::fromUtf8(p.readAllStandardOutput());
    if (out.endsWith(QLatin1Char('\n')))
        out.chop(1);
    if (!out.isEmpty() || p.exitCode() == 0)
        r.stdoutLines = out.isEmpty() ? QStringList() : out.split(QLatin1Char('\n'));
    r.stderrText = QString::fromUtf8(p.readAllStandardError());
    const QStringList errLines = r.stderrText.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = errLines.rbegin(); it != errLines.rend(); ++it) {
        if (!it->trimmed().isEmpty()) {
            r.stderrLastLine = *it;
            break;
        }
    }
    return r;
}

QString loopscopeBinary()
{
    const QByteArray dir = qgetenv("LOOPSCOPE_BINARY_DIR");
    return (dir.isEmpty() ? QStringLiteral(LOOPSCOPE_BINARY_DIR) : QString::fromLocal8Bit(dir))
        + QStringLiteral("/app/loopscope");
}

} // namespace

class tst_Golden : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void corpusIsComplete();
    void loopscopeMatchesCPython_data();
    void loopscopeMatchesCPython();

private:
    QString m_skipReason;
    bool m_havePython = false;
};

void tst_Golden::initTestCase()
{
    m_havePython = QFile::exists(QStringLiteral("/usr/bin/python3"));
    const QString bin = loopscopeBinary();
    if (!QFile::exists(bin)) {
        m_skipReason = QStringLiteral("no loopscope executable at ") + bin;
        return;
    }
    // A probe: if `loopscope run` cannot run a two-line program yet, skip cleanly.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QFile probe(tmp.filePath(QStringLiteral("probe.py")));
    QVERIFY(probe.open(QIODevice::WriteOnly));
    probe.write("x = 40 + 2\nprint('probe', x)\n");
    probe.close();
    const RunResult r = runProgram(bin, {QStringLiteral("run"), probe.fileName()}, tmp.path(), 30000);
    if (!r.started || !r.finished || r.exitCode != 0 || r.stdoutLines != QStringList{QStringLiteral("probe 42")})
        m_skipReason = QStringLiteral("`loopscope run` cannot run programs yet: ")
            + (r.stderrText.isEmpty() ? QStringLiteral("no output") : r.stderrText.section(QLatin1Char('\n'), 0, 0));
}

void tst_Golden::corpusIsComplete()
{
    const auto cases = readGoldenCases();
    QVERIFY2(cases.size() >= 80, "the golden corpus has fewer than 80 programs");
    for (const auto &c : cases)
        QVERIFY2(!c.stdoutLines.isEmpty() || c.exitCode != 0, qPrintable(c.name + QStringLiteral(" expects nothing")));
}

void tst_Golden::loopscopeMatchesCPython_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("expectedStdout");
    QTest::addColumn<QString>("expectedStderrLast");
    QTest::addColumn<int>("expectedExit");
    for (const auto &c : readGoldenCases())
        QTest::newRow(qPrintable(c.name)) << c.path << c.stdoutLines << c.stderrLastLine << c.exitCode;
}

void tst_Golden::loopscopeMatchesCPython()
{
    QFETCH(QString, path);
    QFETCH(QStringList, expectedStdout);
    QFETCH(QString, expectedStderrLast);
    QFETCH(int, expectedExit);
    if (!m_skipReason.isEmpty())
        QSKIP(qPrintable(m_skipReason));

    const QString dir = goldenDir();
    const RunResult ours = runProgram(loopscopeBinary(), {QStringLiteral("run"), path}, dir, 60000);
    QVERIFY2(ours.started, "loopscope did not start");
    QVERIFY2(ours.finished, "loopscope run did not finish within 60 s");
    QCOMPARE(ours.stdoutLines, expectedStdout);
    QCOMPARE(ours.stderrLastLine, expectedStderrLast);
    QCOMPARE(ours.exitCode, expectedExit);

    if (m_havePython) {
        const RunResult python = runProgram(QStringLiteral("/usr/bin/python3"), {path}, dir, 60000);
        QVERIFY(python.finished);
        // Side by side: loopscope and the CPython installed here agree line by line.
        QCOMPARE(ours.stdoutLines, python.stdoutLines);
        QCOMPARE(ours.stderrLastLine, python.stderrLastLine);
        QCOMPARE(ours.exitCode, python.exitCode);
    }
}

QTEST_GUILESS_MAIN(tst_Golden)
#include "tst_golden.moc"
