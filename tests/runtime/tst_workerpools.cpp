// WorkerThreadPool (AnyIO's worker threads) and ThreadPoolExecutor (concurrent.futures).
#include "runtime/eventloop.h"
#include "runtime/threadpoolexecutor.h"
#include "runtime/workerthreadpool.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace loopscope::runtime;
using namespace std::chrono_literals;

class tst_WorkerPools : public QObject {
    Q_OBJECT
private slots:
    void workersAreCreatedLazily();
    void idleWorkersReusedMostRecentFirst();
    void idleWorkersArePruned();
    void completionIsDeliveredOnTheLoopThread();
    void defaultExecutorSize();
    void threadPoolExecutorMaxWorkers();
    void threadPoolExecutorReusesIdleThreads();
    void executorShutdownRunsQueuedJobs();
};

void tst_WorkerPools::workersAreCreatedLazily()
{
    EventLoop loop;
    WorkerThreadPool pool(&loop);
    QCOMPARE(pool.threadCount(), 0);
    int done = 0;
    for (int i = 0; i < 3; ++i)
        pool.submit([] { std::this_thread::sleep_for(20ms); }, [&] { ++done; });
    QCOMPARE(pool.threadCount(), 3);
    loop.runUntil([&] { return done == 3; });
    QCOMPARE(pool.idleCount(), 3);
    // Sequential jobs reuse one worker.
    for (int i = 0; i < 3; ++i) {
        pool.submit([] {}, [&] { ++done; });
        loop.runUntil([&] { return done == 4 + i; });
    }
    QCOMPARE(pool.threadCount(), 3);
}

void tst_WorkerPools::idleWorkersReusedMostRecentFirst()
{
    EventLoop loop;
    WorkerThreadPool pool(&loop);
    std::vector<int> finishOrder;
    int done = 0;
    // Workers 1, 2, 3 finish in the order 2, 3, 1.
    const int sleeps[] = {90, 10, 50};
    for (int ms : sleeps)
        pool.submit([ms] { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); },
                    [&] { ++done; });
    loop.runUntil([&] { return done == 3; });
    std::atomic<int> used{0};
    pool.submit([&] { used = WorkerThreadPool::currentWorkerIndex(); }, [&] { ++done; });
    loop.runUntil([&] { return done == 4; });
    QCOMPARE(used.load(), 1); // the last one to become idle
}

void tst_WorkerPools::idleWorkersArePruned()
{
    EventLoop loop;
    WorkerThreadPool pool(&loop);
    pool.setMaxIdleSeconds(0.1);
    int done = 0;
    for (int i = 0; i < 3; ++i)
        pool.submit([] { std::this_thread::sleep_for(10ms); }, [&] { ++done; });
    loop.runUntil([&] { return done == 3; });
    QCOMPARE(pool.threadCount(), 3);
    bool waited = false;
    loop.callLater(0.15, [&] { waited = true; });
    loop.runUntil([&] { return waited; });
    // Taking an idle worker prunes the others that idled too long.
    pool.submit([] {}, [&] { ++done; });
    QCOMPARE(pool.threadCount(), 1);
    loop.runUntil([&] { return done == 4; });
    QCOMPARE(pool.idleCount(), 1);
}

void tst_WorkerPools::completionIsDeliveredOnTheLoopThread()
{
    EventLoop loop;
    WorkerThreadPool pool(&loop);
    std::thread::id jobThread, doneThread;
    bool done = false;
    pool.submit([&] { jobThread = std::this_thread::get_id(); },
                [&] {
                    doneThread = std::this_thread::get_id();
                    done = true;
                });
    loop.runUntil([&] { return done; });
    QVERIFY(jobThread != std::this_thread::get_id());
    QVERIFY(doneThread == std::this_thread::get_id());
}

void tst_WorkerPools::defaultExecutorSize()
{
    QCOMPARE(ThreadPoolExecutor::defaultMaxWorkers(2), 6);
    QCOMPARE(ThreadPoolExecutor::defaultMaxWorkers(8), 12);
    QCOMPARE(ThreadPoolExecutor::defaultMaxWorkers(64), 32);
    EventLoop loop;
    loop.setCpuCount(2);
    QCOMPARE(loop.defaultExecutor().maxWorkers(), 6);
}

void tst_WorkerPools::threadPoolExecutorMaxWorkers()
{
    ThreadPoolExecutor ex(3);
    std::atomic<int> running{0}, peak{0}, finished{0};
    for (int i = 0; i < 7; ++i) {
        QVERIFY(ex.submit([&] {
            const int now = running.fetch_add(1) + 1;
            int p = peak.load();
            while (now > p && !peak.compare_exchange_weak(p, now)) {
            }
            std::this_thread::sleep_for(30ms);
            running.fetch_sub(1);
            finished.fetch_add(1);
        }));
    }
    QCOMPARE(ex.threadCount(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(finished.load(), 7, 5000);
    QCOMPARE(peak.load(), 3);
    QCOMPARE(ex.threadCount(), 3);
}

void tst_WorkerPools::threadPoolExecutorReusesIdleThreads()
{
    ThreadPoolExecutor ex(5);
    std::atomic<int> finished{0};
    for (int i = 0; i < 4; ++i) {
        ex.submit([&] { finished.fetch_add(1); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.load(), i + 1, 2000);
        QTRY_COMPARE_WITH_TIMEOUT(ex.busyCount(), 0, 2000);
    }
    QCOMPARE(ex.threadCount(), 1); // an idle thread takes each new job
}

void tst_WorkerPools::executorShutdownRunsQueuedJobs()
{
    std::atomic<int> finished{0};
    ThreadPoolExecutor ex(1);
    for (int i = 0; i < 4; ++i)
        ex.submit([&] {
            std::this_thread::sleep_for(5ms);
            finished.fetch_add(1);
        });
    ex.shutdown(true);
    QCOMPARE(finished.load(), 4);
    QVERIFY(!ex.submit([] {}));
    QVERIFY(ex.isShutdown());
}

QTEST_GUILESS_MAIN(tst_WorkerPools)
#include "tst_workerpools.moc"
