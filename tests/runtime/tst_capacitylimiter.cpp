// CapacityLimiter: AnyIO's token semantics (no barging, FIFO/LIFO wake order, resizing).
#include "runtime/capacitylimiter.h"
#include "runtime/eventloop.h"

#include <QTest>

#include <vector>

using namespace loopscope::runtime;

class tst_CapacityLimiter : public QObject {
    Q_OBJECT
private slots:
    void immediateAcquireUpToTotal();
    void wakeOrder_data();
    void wakeOrder();
    void noBarging();
    void raisingTotalWakesWaiters();
    void loweringTotalLetsBorrowersFinish();
    void cancelledWaiterLeavesQueue();
};

void tst_CapacityLimiter::immediateAcquireUpToTotal()
{
    EventLoop loop;
    CapacityLimiter limiter(&loop);
    QCOMPARE(limiter.totalTokens(), 40);
    for (int i = 0; i < 40; ++i)
        QVERIFY(limiter.tryAcquire());
    QVERIFY(!limiter.tryAcquire());
    const auto st = limiter.statistics();
    QCOMPARE(st.borrowed, 40);
    QCOMPARE(st.total, 40);
    QCOMPARE(st.waiting, 0);
    QCOMPARE(limiter.availableTokens(), 0);
}

void tst_CapacityLimiter::wakeOrder_data()
{
    QTest::addColumn<bool>("fifo");
    QTest::addRow("fifo") << true;
    QTest::addRow("lifo") << false;
}

// 41 callers on 40 tokens... then more waiters: the released tokens go oldest-first
// (AnyIO >= 4) or newest-first (AnyIO 3.6.2).
void tst_CapacityLimiter::wakeOrder()
{
    QFETCH(bool, fifo);
    EventLoop loop;
    CapacityLimiter limiter(&loop, 40, fifo ? CapacityLimiter::WakeOrder::Fifo : CapacityLimiter::WakeOrder::Lifo);
    std::vector<int> woke;
    for (int i = 0; i < 45; ++i) {
        const auto id = limiter.acquire([&woke, i] { woke.push_back(i); }, i);
        QCOMPARE(id == 0, i < 40);
    }
    QCOMPARE(limiter.waiting(), 5);
    QCOMPARE(limiter.borrowed(), 40);
    for (int i = 0; i < 5; ++i)
        limiter.release();
    QCOMPARE(limiter.borrowed(), 40); // handed straight to the waiters
    QCOMPARE(limiter.waiting(), 0);
    loop.runUntil([&] { return woke.size() == 5; });
    if (fifo)
        QCOMPARE(woke, (std::vector<int>{40, 41, 42, 43, 44}));
    else
        QCOMPARE(woke, (std::vector<int>{44, 43, 42, 41, 40}));
}

void tst_CapacityLimiter::noBarging()
{
    EventLoop loop;
    CapacityLimiter limiter(&loop, 1);
    QVERIFY(limiter.tryAcquire(1));
    bool waiterGot = false;
    QVERIFY(limiter.acquire([&] { waiterGot = true; }, 2) != 0);
    limiter.release(1);
    // The token is the waiter's even before its callback ran: a newcomer must queue.
    QVERIFY(!limiter.tryAcquire(3));
    bool newcomerGot = false;
    QVERIFY(limiter.acquire([&] { newcomerGot = true; }, 3) != 0);
    loop.runUntil([&] { return waiterGot; });
    QVERIFY(!newcomerGot);
    limiter.release(2);
    loop.runUntil([&] { return newcomerGot; });
    QCOMPARE(limiter.borrowed(), 1);
}

void tst_CapacityLimiter::raisingTotalWakesWaiters()
{
    EventLoop loop;
    CapacityLimiter limiter(&loop, 2, CapacityLimiter::WakeOrder::Lifo);
    std::vector<int> woke;
    for (int i = 0; i < 6; ++i)
        limiter.acquire([&woke, i] { woke.push_back(i); });
    QCOMPARE(limiter.waiting(), 4);
    limiter.setTotalTokens(5);
    QCOMPARE(limiter.borrowed(), 5);
    QCOMPARE(limiter.waiting(), 1);
    loop.runUntil([&] { return woke.size() == 3; });
    QCOMPARE(woke, (std::vector<int>{2, 3, 4})); // oldest first, whatever the release order
}

void tst_CapacityLimiter::loweringTotalLetsBorrowersFinish()
{
    EventLoop loop;
    CapacityLimiter limiter(&loop, 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.tryAcquire());
    limiter.setTotalTokens(1);
    QCOMPARE(limiter.borrowed(), 3);
    QCOMPARE(limiter.availableTokens(), 0);
    bool got = false;
    limiter.acquire([&] { got = true; });
    limiter.release();
    limiter.release();
    QCOMPARE(limiter.waiting(), 1); // 1 borrowed = total: still no room
    limiter.release();
    loop.runUntil([&] { return got; });
    QCOMPARE(limiter.borrowed(), 1);
    limiter.setTotalTokens(0); // ignored (AnyIO refuses < 1)
    QCOMPARE(limiter.totalTokens(), 1);
}

void tst_CapacityLimiter::cancelledWaiterLeavesQueue()
{
    EventLoop loop;
    CapacityLimiter limiter(&loop, 1);
    QVERIFY(limiter.tryAcquire());
    bool a = false, b = false;
    const auto ida = limiter.acquire([&] { a = true; });
    limiter.acquire([&] { b = true; });
    QVERIFY(limiter.cancelWait(ida));
    QVERIFY(!limiter.cancelWait(ida));
    limiter.release();
    loop.runUntil([&] { return b; });
    QVERIFY(!a);
}

QTEST_GUILESS_MAIN(tst_CapacityLimiter)
#include "tst_capacitylimiter.moc"
