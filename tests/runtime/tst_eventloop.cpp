// EventLoop: iteration semantics, call order, timers, thread-safe calls, blocked steps.
#include "runtime/eventloop.h"
#include "runtime/loopthread.h"

#include "trace/tracebuffer.h"

#include <QRegularExpression>
#include <QTest>

#include <algorithm>

#include <atomic>
#include <thread>
#include <vector>

using namespace loopscope;
using namespace loopscope::runtime;

class tst_EventLoop : public QObject {
    Q_OBJECT
private slots:
    void callSoonRunsInOrder();
    void callbacksScheduledDuringIterationWaitForTheNext();
    void yieldIsExactlyOneIteration();
    void timersRunInDeadlineOrder();
    void cancelledTimerDoesNotRun();
    void sleepPrecisionShape();
    void zeroDelayTimersDoNotSpin();
    void callSoonThreadsafeFromManyThreads();
    void blockedStepIsReported();
    void blockedStepIsAttributedBySampler();
    void samplerInstalledInsideAStepStillAttributes();
    void shortStepsAreNotReported();
    void loopThreadServesQtEvents();
    void lagSamplerEmitsEvents();
    void tracingOffRecordsNothing();
    void longStepIsReportedWhileItRuns();
};

void tst_EventLoop::callSoonRunsInOrder()
{
    EventLoop loop;
    std::vector<int> order;
    for (int i = 0; i < 5; ++i)
        loop.callSoon([&order, i] { order.push_back(i); });
    loop.runUntil([&] { return order.size() == 5; });
    QCOMPARE(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

void tst_EventLoop::callbacksScheduledDuringIterationWaitForTheNext()
{
    EventLoop loop;
    std::vector<std::pair<char, std::uint64_t>> seen;
    loop.callSoon([&] {
        seen.push_back({'a', loop.iteration()});
        loop.callSoon([&] { seen.push_back({'c', loop.iteration()}); });
    });
    loop.callSoon([&] { seen.push_back({'b', loop.iteration()}); });
    loop.runUntil([&] { return seen.size() == 3; });
    QCOMPARE(seen.size(), std::size_t(3));
    QCOMPARE(seen[0].first, 'a');
    QCOMPARE(seen[1].first, 'b');
    QCOMPARE(seen[2].first, 'c');
    QCOMPARE(seen[0].second, seen[1].second);       // same iteration
    QCOMPARE(seen[2].second, seen[0].second + 1);   // exactly the next one
}

// Two "tasks" that re-schedule themselves with call_soon (what sleep(0) does) interleave
// and each hop costs exactly one iteration.
void tst_EventLoop::yieldIsExactlyOneIteration()
{
    EventLoop loop;
    std::vector<std::pair<char, std::uint64_t>> seen;
    std::function<void(char, int)> step = [&](char who, int left) {
        seen.push_back({who, loop.iteration()});
        if (left > 0)
            loop.callSoon([&step, who, left] { step(who, left - 1); });
    };
    loop.callSoon([&] { step('A', 2); });
    loop.callSoon([&] { step('B', 2); });
    loop.runUntil([&] { return seen.size() == 6; });
    QCOMPARE(seen.size(), std::size_t(6));
    const char expected[] = {'A', 'B', 'A', 'B', 'A', 'B'};
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(seen[i].first, expected[i]);
        QCOMPARE(seen[i].second, seen[0].second + std::uint64_t(i / 2));
    }
}

void tst_EventLoop::timersRunInDeadlineOrder()
{
    EventLoop loop;
    std::vector<int> order;
    loop.callLater(0.03, [&] { order.push_back(3); });
    loop.callLater(0.01, [&] { order.push_back(1); });
    loop.callLater(0.02, [&] { order.push_back(2); });
    loop.callLater(0.01, [&] { order.push_back(11); }); // same deadline: FIFO
    loop.runUntil([&] { return order.size() == 4; });
    QCOMPARE(order, (std::vector<int>{1, 11, 2, 3}));
}

void tst_EventLoop::cancelledTimerDoesNotRun()
{
    EventLoop loop;
    bool ran = false, done = false;
    auto h = loop.callLater(0.01, [&] { ran = true; });
    loop.callLater(0.03, [&] { done = true; });
    h->cancel();
    loop.runUntil([&] { return done; });
    QVERIFY(!ran);
}

void tst_EventLoop::sleepPrecisionShape()
{
    EventLoop loop;
    std::vector<double> lateness;
    int fired = 0;
    for (int i = 1; i <= 10; ++i) {
        const double when = EventLoop::time() + 0.005 * i + 0.0003;
        loop.callAt(when, [&, when] {
            lateness.push_back(EventLoop::time() - when);
            ++fired;
        });
    }
    loop.runUntil([&] { return fired == 10; });
    std::sort(lateness.begin(), lateness.end());
    QVERIFY(lateness.front() >= 0.0);            // never early
    QVERIFY2(lateness[5] < 0.003, qPrintable(QString::number(lateness[5]))); // typically ≤ 1 ms
}

void tst_EventLoop::zeroDelayTimersDoNotSpin()
{
    // A loop waiting for a 200 ms timer must sleep, not run thousands of iterations.
    EventLoop loop;
    loop.setLagSampling(false);
    bool done = false;
    loop.callLater(0.2, [&] { done = true; });
    const std::uint64_t before = loop.iteration();
    loop.runUntil([&] { return done; });
    QVERIFY2(loop.iteration() - before < 20, qPrintable(QString::number(loop.iteration() - before)));

    // Zero-delay timers run in the next iteration.
    int n = 0;
    for (int i = 0; i < 3; ++i)
        loop.callLater(0, [&] { ++n; });
    loop.runUntil([&] { return n == 3; });
    QCOMPARE(n, 3);
}

void tst_EventLoop::callSoonThreadsafeFromManyThreads()
{
    LoopThread lt;
    lt.startLoop();
    std::atomic<int> count{0};
    std::atomic<bool> wrongThread{false};
    EventLoop *loop = lt.loop();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                loop->callSoonThreadsafe([&] {
                    if (!loop->isLoopThread())
                        wrongThread = true;
                    count.fetch_add(1);
                });
        });
    }
    for (auto &t : threads)
        t.join();
    QTRY_COMPARE_WITH_TIMEOUT(count.load(), 8000, 5000);
    QVERIFY(!wrongThread.load());
    lt.stopAndWait();
}

void tst_EventLoop::blockedStepIsReported()
{
    EventLoop loop;
    std::vector<BlockedStep> blocked;
    loop.setBlockedStepHandler([&](const BlockedStep &b) { blocked.push_back(b); });
    bool done = false;
    EventLoop::StepInfo info;
    info.request = 7;
    info.describe = [](const StepSample *) { return std::string("<Task pending name='Task-3' coro=<ping() running at app.py:14>>"); };
    loop.callSoon([] { std::this_thread::sleep_for(std::chrono::milliseconds(150)); }, info);
    loop.callSoon([&] { done = true; });
    loop.runUntil([&] { return done; });
    QCOMPARE(blocked.size(), std::size_t(1));
    const double seconds = double(blocked[0].endNs - blocked[0].startNs) / 1e9;
    QVERIFY(seconds >= 0.15 && seconds < 0.5);
    QCOMPARE(blocked[0].request, std::int64_t(7));
    QVERIFY(!blocked[0].attributed); // no sampler installed
    QVERIFY2(QString::fromStdString(blocked[0].warning)
                 .contains(QRegularExpression(QStringLiteral(
                     "^Executing <Task pending name='Task-3' coro=<ping\\(\\) running at app.py:14>> took 0\\.1[5-9]\\d seconds$"))),
             blocked[0].warning.c_str());
}

void tst_EventLoop::blockedStepIsAttributedBySampler()
{
    EventLoop loop;
    // The "position" of the loop thread, as a VM would publish it.
    std::atomic<int> line{0};
    loop.setPositionSampler([&](StepSample &s) {
        const int l = line.load();
        if (l == 0)
            return false;
        s.filename = "app.py";
        s.function = l == 14 ? "helper" : "ping";
        s.line = l;
        s.nativeCall = l == 14 ? "time.sleep" : "";
        return true;
    });
    std::vector<BlockedStep> blocked;
    loop.setBlockedStepHandler([&](const BlockedStep &b) { blocked.push_back(b); });
    bool done = false;
    loop.callSoon([&] {
        line = 20;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        line = 14;
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        line = 0;
    });
    loop.callSoon([&] { done = true; });
    loop.runUntil([&] { return done; });
    QCOMPARE(blocked.size(), std::size_t(1));
    QVERIFY(blocked[0].attributed);
    QCOMPARE(blocked[0].where.line, 14);
    QCOMPARE(blocked[0].where.function, std::string("helper"));
    QCOMPARE(blocked[0].where.nativeCall, std::string("time.sleep"));
    QCOMPARE(blocked[0].where.key(), std::string("app.py:14|helper|time.sleep"));
}

// The server installs the sampler from inside a loop step (when it binds the loop to the
// interpreter): later blocked steps must still be attributed.
void tst_EventLoop::samplerInstalledInsideAStepStillAttributes()
{
    EventLoop loop;
    std::atomic<int> line{0};
    auto sampler = [&](StepSample &s) {
        const int l = line.load();
        if (l == 0)
            return false;
        s.filename = "app.py";
        s.function = "ping";
        s.line = l;
        return true;
    };
    std::vector<BlockedStep> blocked;
    loop.setBlockedStepHandler([&](const BlockedStep &b) { blocked.push_back(b); });
    bool done = false;
    loop.callSoon([&] { loop.setPositionSampler(sampler); });
    loop.callSoon([&] { loop.callSoon([&] {
        line = 9;
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        line = 0;
        loop.callSoon([&] { done = true; });
    }); });
    loop.runUntil([&] { return done; });
    QCOMPARE(blocked.size(), std::size_t(1));
    QVERIFY(blocked[0].attributed);
    QCOMPARE(blocked[0].where.line, 9);
}

void tst_EventLoop::shortStepsAreNotReported()
{
    EventLoop loop;
    loop.setSlowCallbackDuration(0.05);
    QCOMPARE(loop.slowCallbackDuration(), 0.05);
    int blocked = 0;
    loop.setBlockedStepHandler([&](const BlockedStep &) { ++blocked; });
    int n = 0;
    for (int i = 0; i < 5; ++i)
        loop.callSoon([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            ++n;
        });
    loop.callSoon([&] { std::this_thread::sleep_for(std::chrono::milliseconds(70)); ++n; });
    loop.runUntil([&] { return n == 6; });
    QCOMPARE(blocked, 1);
}

void tst_EventLoop::loopThreadServesQtEvents()
{
    // A QTimer living on the loop thread fires between iterations, and not while a step blocks.
    LoopThread lt;
    lt.startLoop();
    std::atomic<int> ticks{0};
    QTimer *timer = nullptr;
    lt.loop()->callSoonThreadsafe([&] {
        timer = new QTimer;
        QObject::connect(timer, &QTimer::timeout, [&] { ticks.fetch_add(1); });
        timer->start(5);
    });
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 5, 3000);
    std::atomic<bool> blocked{false};
    std::atomic<int> during{0};
    lt.loop()->callSoonThreadsafe([&] {
        const int before = ticks.load();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        during = ticks.load() - before;
        blocked = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(blocked.load(), 3000);
    QCOMPARE(during.load(), 0);
    std::atomic<bool> deleted{false};
    lt.loop()->callSoonThreadsafe([&] {
        delete timer;
        deleted = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(deleted.load(), 3000);
    lt.stopAndWait();
}

void tst_EventLoop::lagSamplerEmitsEvents()
{
    trace::TraceHub::instance().discard();
    EventLoop loop;
    bool done = false;
    loop.callLater(0.06, [&] { done = true; });
    loop.runUntil([&] { return done; });
    std::vector<trace::TraceEvent> events;
    trace::TraceHub::instance().drain(events);
    int lags = 0;
    for (const auto &e : events)
        if (e.kind == trace::EventKind::LoopLag)
            ++lags;
    QVERIFY2(lags >= 3, qPrintable(QString::number(lags)));
}

// `serve` runs with tracing off and nobody drains: steps, blocked steps and lag samples
// must leave the buffers empty, or a long-running server grows without bound.
void tst_EventLoop::tracingOffRecordsNothing()
{
    trace::TraceHub::instance().discard();
    trace::setEnabled(false);
    EventLoop loop;
    std::vector<BlockedStep> blocked;
    loop.setBlockedStepHandler([&](const BlockedStep &b) { blocked.push_back(b); });
    int steps = 0;
    bool done = false;
    for (int i = 0; i < 100; ++i)
        loop.callSoon([&] { ++steps; });
    loop.callSoon([] { std::this_thread::sleep_for(std::chrono::milliseconds(120)); });
    loop.callLater(0.05, [&] { done = true; });
    loop.runUntil([&] { return done; });
    trace::setEnabled(true);
    std::vector<trace::TraceEvent> events;
    trace::TraceHub::instance().drain(events);
    QCOMPARE(steps, 100);
    QCOMPARE(blocked.size(), std::size_t(1)); // the warning still reaches its handler
    QCOMPARE(events.size(), std::size_t(0));
}

// A step past the slow threshold is reported while it runs, with the step's start (what
// ties the report to its loop) and the request whose step it is.
void tst_EventLoop::longStepIsReportedWhileItRuns()
{
    trace::TraceHub::instance().discard();
    std::atomic<std::uint64_t> stepStart{0}, stepEnd{0};
    LoopThread lt;
    lt.loop()->setSlowCallbackDuration(0.05);
    lt.loop()->setPositionSampler([](StepSample &s) {
        s.filename = "app.py";
        s.function = "helper";
        s.line = 14;
        s.nativeCall = "time.sleep";
        return true;
    });
    lt.startLoop();
    StepInfo info;
    info.request = 7;
    lt.loop()->callSoonThreadsafe([&] {
        stepStart = trace::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stepEnd = trace::now();
    }, info);
    QTRY_VERIFY_WITH_TIMEOUT(stepEnd.load() != 0, 5000);
    lt.stopAndWait();
    std::vector<trace::TraceEvent> events;
    trace::TraceHub::instance().drain(events);
    std::uint64_t begin = 0;
    for (const trace::TraceEvent &e : events)
        if (e.kind == trace::EventKind::LoopStepBegin && e.request == 7)
            begin = e.t;
    QVERIFY(begin != 0 && begin <= stepStart);
    int stalls = 0;
    for (const trace::TraceEvent &e : events) {
        if (e.kind != trace::EventKind::LoopStall)
            continue;
        ++stalls;
        QCOMPARE(e.request, std::int64_t(7));
        QCOMPARE(e.a, begin);                    // the step's own start, as its LoopStepBegin has it
        QVERIFY(e.t >= e.a + 50'000'000);        // past the threshold
        QVERIFY(e.t < stepEnd + 1'000'000);      // while it ran
        QCOMPARE(trace::stringAt(e.c), std::string("app.py:14|helper|time.sleep"));
    }
    // 300 ms with a 50 ms threshold, about every 100 ms: 2 to 4 reports.
    QVERIFY2(stalls >= 2 && stalls <= 4, qPrintable(QString::number(stalls)));
}

QTEST_GUILESS_MAIN(tst_EventLoop)
#include "tst_eventloop.moc"
