// runFile (`loopscope run`): output, exit codes and asyncio.run at the top level.
#include "runtime/runfile.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <mutex>

using namespace loopscope::runtime;

namespace {

struct Outcome {
    int status = -1;
    std::string out, err;
};

Outcome runSource(const QTemporaryDir &dir, const std::string &source, RunOptions options = {})
{
    const std::string path = dir.filePath(QStringLiteral("script.py")).toStdString();
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << source;
    }
    auto result = std::make_shared<Outcome>();
    auto mutex = std::make_shared<std::mutex>();
    options.output = [result, mutex](std::string_view text, bool isStderr) {
        std::lock_guard lock(*mutex);
        (isStderr ? result->err : result->out).append(text);
    };
    const int status = runFile(path, options);
    std::lock_guard lock(*mutex);
    result->status = status;
    return *result;
}

} // namespace

class tst_RunFile : public QObject {
    Q_OBJECT
private slots:
    void printsAndExitsZero();
    void uncaughtExceptionExitsOne();
    void uncaughtExceptionGroupPrintsItsMembers();
    void systemExitCode();
    void syntaxErrorExitsOne();
    void missingFileExitsTwo();
    void asyncioRunAtTopLevel();
    void limiterOptionsReachTheLoop();
};

void tst_RunFile::printsAndExitsZero()
{
    QTemporaryDir dir;
    Outcome o = runSource(dir, "print('hello', 1 + 2)\n");
    QCOMPARE(o.status, 0);
    QCOMPARE(QString::fromStdString(o.out), QString("hello 3\n"));
    QCOMPARE(QString::fromStdString(o.err), QString());
}

void tst_RunFile::uncaughtExceptionExitsOne()
{
    QTemporaryDir dir;
    Outcome o = runSource(dir, "print('before')\nraise ValueError('boom')\n");
    QCOMPARE(o.status, 1);
    QCOMPARE(QString::fromStdString(o.out), QString("before\n"));
    QVERIFY2(QString::fromStdString(o.err).startsWith("Traceback (most recent call last):\n"), o.err.c_str());
    QVERIFY2(QString::fromStdString(o.err).endsWith("ValueError: boom\n"), o.err.c_str());
}

void tst_RunFile::uncaughtExceptionGroupPrintsItsMembers()
{
    // A nested group with a chained member, printed as Python 3.11's traceback module does
    // (the expected text is /usr/bin/python3's, with the script's path cut off).
    QTemporaryDir dir;
    const Outcome o = runSource(dir, "def f():\n"
                                     "    try:\n"
                                     "        raise KeyError('k')\n"
                                     "    except KeyError as e:\n"
                                     "        raise ExceptionGroup('inner', [ValueError(1), TypeError(2)]) from e\n"
                                     "\n"
                                     "\n"
                                     "try:\n"
                                     "    f()\n"
                                     "except ExceptionGroup as g:\n"
                                     "    inner = g\n"
                                     "raise ExceptionGroup('outer', [inner, RuntimeError('r')])\n");
    QCOMPARE(o.status, 1);
    const QString path = dir.filePath(QStringLiteral("script.py"));
    const QString expected = QStringLiteral(
        "  + Exception Group Traceback (most recent call last):\n"
        "  |   File \"S\", line 12, in <module>\n"
        "  |     raise ExceptionGroup('outer', [inner, RuntimeError('r')])\n"
        "  | ExceptionGroup: outer (2 sub-exceptions)\n"
        "  +-+---------------- 1 ----------------\n"
        "    | Traceback (most recent call last):\n"
        "    |   File \"S\", line 3, in f\n"
        "    |     raise KeyError('k')\n"
        "    | KeyError: 'k'\n"
        "    | \n"
        "    | The above exception was the direct cause of the following exception:\n"
        "    | \n"
        "    | Exception Group Traceback (most recent call last):\n"
        "    |   File \"S\", line 9, in <module>\n"
        "    |     f()\n"
        "    |   File \"S\", line 5, in f\n"
        "    |     raise ExceptionGroup('inner', [ValueError(1), TypeError(2)]) from e\n"
        "    | ExceptionGroup: inner (2 sub-exceptions)\n"
        "    +-+---------------- 1 ----------------\n"
        "      | ValueError: 1\n"
        "      +---------------- 2 ----------------\n"
        "      | TypeError: 2\n"
        "      +------------------------------------\n"
        "    +---------------- 2 ----------------\n"
        "    | RuntimeError: r\n"
        "    +------------------------------------\n");
    QCOMPARE(QString::fromStdString(o.err).replace(path, QStringLiteral("S")), expected);
}

void tst_RunFile::systemExitCode()
{
    QTemporaryDir dir;
    QCOMPARE(runSource(dir, "raise SystemExit(3)\n").status, 3);
    QCOMPARE(runSource(dir, "raise SystemExit\n").status, 0);
}

void tst_RunFile::syntaxErrorExitsOne()
{
    QTemporaryDir dir;
    Outcome o = runSource(dir, "if x\n    pass\n");
    QCOMPARE(o.status, 1);
    QVERIFY2(QString::fromStdString(o.err).contains("SyntaxError: expected ':'"), o.err.c_str());
}

void tst_RunFile::missingFileExitsTwo()
{
    std::string err;
    RunOptions options;
    options.output = [&err](std::string_view text, bool) { err.append(text); };
    QCOMPARE(runFile("/nonexistent/loopscope/nothing.py", options), 2);
    QVERIFY2(QString::fromStdString(err).contains("[Errno 2] No such file or directory"), err.c_str());
}

void tst_RunFile::asyncioRunAtTopLevel()
{
    QTemporaryDir dir;
    Outcome o = runSource(dir, R"(import asyncio

async def main():
    await asyncio.sleep(0.01)
    return "done"

print(asyncio.run(main()))
)");
    QCOMPARE(o.status, 0);
    QCOMPARE(QString::fromStdString(o.out), QString("done\n"));
}

void tst_RunFile::limiterOptionsReachTheLoop()
{
    QTemporaryDir dir;
    RunOptions options;
    options.threads = 7;
    Outcome o = runSource(dir, R"(import asyncio
import anyio.to_thread

async def main():
    print(anyio.to_thread.current_default_thread_limiter().total_tokens)

asyncio.run(main())
)", options);
    QCOMPARE(o.status, 0);
    QCOMPARE(QString::fromStdString(o.out), QString("7\n"));
}

QTEST_GUILESS_MAIN(tst_RunFile)
#include "tst_runfile.moc"
