// The GIL's shape (two CPU-bound threads take ≈2× one thread's time with the GIL, ≈1×
// free-threaded), time.sleep releasing it, cancelling a runaway loop from another
// thread, the recursion limit, concurrent calls of one shared function, and sampling.
#include "vmtesthelpers.h"
#include "../common/twocores.h"

#include "lang/gil.h"

#include <QElapsedTimer>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <ctime>

using namespace vmtest;

class TestThreads : public QObject {
    Q_OBJECT
private slots:
    void gilSerialisesCpuWork();
    void freeThreadedRunsInParallel();
    void sleepReleasesGil();
    void cancelRunawayLoop();
    void recursionLimit();
    void sharedFunctionManyThreads();
    void samplePosition();
};

static const char *kSpin = "def spin(n):\n    x = 0\n    for i in range(n):\n        x += i\n    return x\n";

// Calibrates n so one call takes roughly `seconds` on this machine.
static std::int64_t calibrate(Runner &r, double seconds)
{
    std::int64_t n = 200000;
    for (;;) {
        QElapsedTimer t;
        t.start();
        Value v = call(*r.ts, r.global("spin"), {Value::fromInt(n)});
        if (v.isError())
            return 0;
        double el = t.nsecsElapsed() / 1e9;
        if (el > 0.05)
            return static_cast<std::int64_t>(n * seconds / el);
        n *= 4;
    }
}

static double runTwoThreads(Runner &r, std::int64_t n, bool twoThreads)
{
    Value fn = r.global("spin");
    QElapsedTimer t;
    t.start();
    {
        GilRelease unlock(*r.ts);
        auto work = [&](const char *name) {
            auto ts = r.interp->attachThread(name);
            Value v = call(*ts, fn, {Value::fromInt(n)});
            (void)v;
        };
        std::thread a(work, "A");
        std::thread b;
        if (twoThreads)
            b = std::thread(work, "B");
        a.join();
        if (b.joinable())
            b.join();
    }
    return t.nsecsElapsed() / 1e9;
}

void TestThreads::gilSerialisesCpuWork()
{
    Runner r;
    QCOMPARE(r.run(kSpin), std::string());
    std::int64_t n = calibrate(r, 0.3);
    QVERIFY(n > 0);
    double best = 0;
    // other processes may share the cores: take the clearest of a few tries
    for (int attempt = 0; attempt < 5 && best < 1.7; ++attempt) {
        double one = runTwoThreads(r, n, false);
        double two = runTwoThreads(r, n, true);
        qInfo() << "GIL: one thread" << one << "s, two threads" << two << "s, switches" << r.interp->gil()->switches();
        best = std::max(best, two / one);
    }
    QVERIFY2(best > 1.5, "two CPU-bound threads under one GIL should take about twice as long");
    QVERIFY(r.interp->gil()->switches() > 4); // they took turns
}

void TestThreads::freeThreadedRunsInParallel()
{
    if (std::thread::hardware_concurrency() < 2)
        QSKIP("needs two cores");
    InterpreterOptions o;
    o.gil = false;
    Runner r(o);
    QCOMPARE(r.run(kSpin), std::string());
    std::int64_t n = calibrate(r, 0.3);
    double best = 1e9;
    // other processes may share the cores: take the best of a few tries
    for (int attempt = 0; attempt < 5; ++attempt) {
        double one = runTwoThreads(r, n, false);
        double two = runTwoThreads(r, n, true);
        best = std::min(best, two / one);
        if (best < 1.5)
            break;
    }
    qInfo() << "free-threaded: two/one ratio" << best;
    if (best >= 1.6 && !loopscope::testing::twoCoresFreeNow())
        QSKIP("the machine is too busy to give two threads two cores");
    QVERIFY2(best < 1.6, "without a GIL two threads should run in parallel on two cores");
}

void TestThreads::sleepReleasesGil()
{
    Runner r;
    QCOMPARE(r.run("import time\ndef nap():\n    time.sleep(0.5)\n"), std::string());
    Value fn = r.global("nap");
    QElapsedTimer t;
    t.start();
    {
        GilRelease unlock(*r.ts);
        auto work = [&](const char *name) {
            auto ts = r.interp->attachThread(name);
            call(*ts, fn, {});
        };
        std::thread a(work, "A"), b(work, "B"), c(work, "C");
        a.join();
        b.join();
        c.join();
    }
    double el = t.nsecsElapsed() / 1e9;
    QVERIFY2(el < 1.2, "three sleeps of 0.5 s should overlap (the GIL is released)");
}

void TestThreads::cancelRunawayLoop()
{
    Runner r;
    QCOMPARE(r.run("def forever():\n    n = 0\n    while True:\n        n += 1\n"), std::string());
    Value fn = r.global("forever");
    std::atomic<ThreadState *> worker{nullptr};
    std::string summary;
    {
        GilRelease unlock(*r.ts);
        std::thread t([&] {
            auto ts = r.interp->attachThread("runaway");
            worker = ts.get();
            Value v = call(*ts, fn, {});
            if (v.isError())
                summary = exceptionSummary(*ts, ts->fetchException());
            worker = nullptr;
        });
        while (!worker.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ThreadState *w = worker.load();
        if (w)
            w->requestAsyncException(typeValue(types().KeyboardInterrupt));
        t.join();
    }
    QCOMPARE(summary, std::string("KeyboardInterrupt"));
}

void TestThreads::recursionLimit()
{
    Runner r;
    std::string tb = r.run("def f(n):\n    return f(n + 1)\nf(0)\n");
    QCOMPARE(lastLine(tb), std::string("RecursionError: maximum recursion depth exceeded"));
    QVERIFY(tb.find("[Previous line repeated") != std::string::npos);
    // deep but legal recursion works, and the C++ stack guard holds on a small thread stack too
#if defined(__SANITIZE_ADDRESS__)
    const int depth = 200; // sanitizer builds use several times more C++ stack per call
#else
    const int depth = 900;
#endif
    QCOMPARE(r.run("def g(n):\n    return 0 if n == 0 else 1 + g(n - 1)\nx = g(" + std::to_string(depth) + ")\n"), std::string());
    QCOMPARE(r.global("x").asInt(), depth);
    // mutual recursion through natives (sorted's key) is guarded as well
    tb = r.run("def k(x):\n    return sorted([1, 2], key=k)\nk(1)\n");
    QCOMPARE(lastLine(tb), std::string("RecursionError: maximum recursion depth exceeded"));
}

void TestThreads::sharedFunctionManyThreads()
{
    Runner r;
    QCOMPARE(r.run("def work(tag, n):\n    acc = []\n    for i in range(n):\n        acc.append(tag * 1000 + i)\n"
                   "    d = {i: i * i for i in range(n)}\n    return sum(acc) + len(d)\n"
                   "shared = []\ndef record(x):\n    shared.append(x)\n"),
             std::string());
    Value work = r.global("work"), record = r.global("record");
    constexpr int kThreads = 8, kN = 2000;
    std::vector<std::int64_t> results(kThreads);
    {
        GilRelease unlock(*r.ts);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                std::string name = "t";
                name += std::to_string(t);
                auto ts = r.interp->attachThread(name);
                for (int rep = 0; rep < 5; ++rep) {
                    Value v = call(*ts, work, {Value::fromInt(t), Value::fromInt(kN)});
                    results[t] = v.isError() ? -1 : v.asInt();
                    call(*ts, record, {Value::fromInt(t)});
                }
            });
        for (auto &th : threads)
            th.join();
    }
    for (int t = 0; t < kThreads; ++t) {
        std::int64_t expect = 0;
        for (int i = 0; i < kN; ++i)
            expect += t * 1000 + i;
        QCOMPARE(results[t], expect + kN);
    }
    QCOMPARE(r.global("shared").as<ListObject>()->items.size(), std::size_t(kThreads * 5));
}

void TestThreads::samplePosition()
{
    Runner r;
    QCOMPARE(r.run("import time\ndef handler():\n    time.sleep(0.5)\ndef outer():\n    handler()\n", "app.py"), std::string());
    Value fn = r.global("outer");
    std::atomic<ThreadState *> worker{nullptr};
    PositionSample s;
    {
        GilRelease unlock(*r.ts);
        std::thread t([&] {
            auto ts = r.interp->attachThread("loop");
            worker = ts.get();
            call(*ts, fn, {});
            worker = nullptr;
        });
        while (!worker.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        // sample until the thread is inside time.sleep (a busy machine may be slow to get there)
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 3000) {
            ThreadState *w = worker.load();
            if (!w)
                break;
            s = w->samplePosition();
            if (s.nativeCall == "time.sleep")
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        t.join();
    }
    QVERIFY(s.valid);
    QCOMPARE(s.filename, std::string("app.py"));
    QCOMPARE(s.function, std::string("handler"));
    QCOMPARE(s.line, 3);
    QCOMPARE(s.nativeCall, std::string("time.sleep"));
    QVERIFY(!s.outer.empty());
    QCOMPARE(s.outer[0].function, std::string("outer"));
    QCOMPARE(s.outer[0].line, 5);
}

QTEST_GUILESS_MAIN(TestThreads)
#include "tst_threads.moc"
