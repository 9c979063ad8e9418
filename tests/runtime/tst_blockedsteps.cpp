// Blocked loop steps from Python code: each kind of blocking is attributed to the line,
// function and native call that blocked, and warned about like asyncio's debug mode.
#include "pythonrunner.h"

#include "trace/tracebuffer.h"

#include <QTest>

using loopscope::testing::PythonRun;
using loopscope::testing::runPython;
using namespace loopscope;

#define VERIFY_RUN(r) QVERIFY2((r).ok, ((r).err + "\n--- stdout:\n" + (r).out).c_str())

namespace {

struct Blocked {
    std::string where; // "file:line|function|call"
    double seconds;
};

std::vector<Blocked> blockedSteps(std::vector<std::string> *warnings = nullptr)
{
    std::vector<trace::TraceEvent> events;
    trace::TraceHub::instance().drain(events);
    std::vector<Blocked> out;
    for (const auto &e : events) {
        if (e.kind == trace::EventKind::LoopBlocked)
            out.push_back({trace::stringAt(e.c), double(e.b - e.a) / 1e9});
        if (warnings && e.kind == trace::EventKind::LoopWarning)
            warnings->push_back(trace::stringAt(e.a));
    }
    return out;
}

// time.sleep(seconds) in an async def, on line 5 of app.py.
std::string asyncBlock(double seconds)
{
    return "import asyncio\nimport time\n\nasync def async_block():\n    time.sleep(" + std::to_string(seconds)
           + ")\n    return \"ok\"\n\nasyncio.run(async_block())\n";
}

QString describe(const std::vector<Blocked> &b)
{
    QStringList l;
    for (const auto &x : b)
        l << QString::fromStdString(x.where) + " " + QString::number(x.seconds);
    return l.join("; ");
}

} // namespace

class tst_BlockedSteps : public QObject {
    Q_OBJECT
private slots:
    void init() { trace::TraceHub::instance().discard(); }
    void timeSleepInAsyncDef();
    void blockingHelperAwaited();
    void cpuBoundLoop();
    void awaitedSleepDoesNotBlock();
    void stepIsReportedWhileItBlocks();
};

void tst_BlockedSteps::timeSleepInAsyncDef()
{
    PythonRun r = runPython(asyncBlock(0.3));
    VERIFY_RUN(r);
    std::vector<std::string> warnings;
    auto b = blockedSteps(&warnings);
    QVERIFY2(b.size() == 1, qPrintable(describe(b)));
    QCOMPARE(QString::fromStdString(b[0].where), QString("app.py:5|async_block|time.sleep"));
    QVERIFY(b[0].seconds > 0.28 && b[0].seconds < 0.6);
    QVERIFY(!warnings.empty());
    QVERIFY2(QString::fromStdString(warnings[0]).startsWith("Executing <Task finished name='Task-"),
             warnings[0].c_str());
    QVERIFY2(QString::fromStdString(warnings[0]).contains(QRegularExpression("took 0\\.[3-5]\\d\\d seconds$")),
             warnings[0].c_str());
}

void tst_BlockedSteps::blockingHelperAwaited()
{
    PythonRun r = runPython(R"(import asyncio
import time

async def helper():
    time.sleep(0.3)

async def ping():
    await helper()
    await asyncio.sleep(0)
    return "pong"

asyncio.run(ping())
)");
    VERIFY_RUN(r);
    std::vector<std::string> warnings;
    auto b = blockedSteps(&warnings);
    QVERIFY2(b.size() == 1, qPrintable(describe(b)));
    QCOMPARE(QString::fromStdString(b[0].where), QString("app.py:5|helper|time.sleep"));
    QVERIFY2(QString::fromStdString(warnings.at(0)).contains("coro=<ping() running at app.py:9>"), warnings[0].c_str());
}

void tst_BlockedSteps::cpuBoundLoop()
{
    PythonRun r = runPython(R"(import asyncio
import time

async def crunch():
    n = 0
    for i in range(100000000):
        n += i
        if i % 1000 == 0 and time.monotonic() > deadline:
            break
    return n

deadline = time.monotonic() + 0.3
asyncio.run(crunch())
)");
    VERIFY_RUN(r);
    auto b = blockedSteps();
    QVERIFY2(b.size() == 1, qPrintable(describe(b)));
    const QStringList parts = QString::fromStdString(b[0].where).split('|');
    QCOMPARE(parts.value(1), QString("crunch"));
    const QString line = parts.value(0);
    QVERIFY2(line == "app.py:6" || line == "app.py:7" || line == "app.py:8", qPrintable(line));
}

void tst_BlockedSteps::awaitedSleepDoesNotBlock()
{
    PythonRun r = runPython(R"(import asyncio

async def polite():
    await asyncio.sleep(0.3)

asyncio.run(polite())
)");
    VERIFY_RUN(r);
    auto b = blockedSteps();
    QVERIFY2(b.empty(), qPrintable(describe(b)));
}

// While a step blocks, past the slow-step threshold, the watchdog says so and where
// (LoopStall, about every 100 ms): a live view need not wait for the step to end.
void tst_BlockedSteps::stepIsReportedWhileItBlocks()
{
    PythonRun r = runPython(asyncBlock(0.5));
    VERIFY_RUN(r);
    std::vector<trace::TraceEvent> events;
    trace::TraceHub::instance().drain(events);
    const trace::TraceEvent *blocked = nullptr;
    for (const auto &e : events)
        if (e.kind == trace::EventKind::LoopBlocked)
            blocked = &e;
    QVERIFY(blocked);
    const std::uint64_t start = blocked->a, end = blocked->b;
    std::vector<const trace::TraceEvent *> stalls;
    for (const auto &e : events)
        if (e.kind == trace::EventKind::LoopStall)
            stalls.push_back(&e);
    // 0.5 s with a 0.1 s threshold: reported from 0.1 s on, about every 0.1 s.
    QVERIFY2(stalls.size() >= 2 && stalls.size() <= 6, qPrintable(QString::number(stalls.size())));
    for (const trace::TraceEvent *s : stalls) {
        QCOMPARE(s->a, start);                // about this very step
        QVERIFY(s->t >= start + 100'000'000); // past the threshold
        QVERIFY(s->t < end + 1'000'000);      // while it still ran (the report may lose a
                                              // race with the step's end by a hair)
        QCOMPARE(QString::fromStdString(trace::stringAt(s->c)), QString("app.py:5|async_block|time.sleep"));
    }
}

QTEST_GUILESS_MAIN(tst_BlockedSteps)
#include "tst_blockedsteps.moc"
