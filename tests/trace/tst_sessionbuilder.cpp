// SessionBuilder against synthetic streams shaped like the seeds' scenarios.
#include "synthetictrace.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace loopscope::trace;
using namespace loopscope::trace::synthetic;

namespace {
bool near(double a, double b, double tol) { return std::abs(a - b) <= tol; }
} // namespace

class TestSessionBuilder : public QObject {
    Q_OBJECT
private slots:
    void asyncBlockSerialisesTwoRequests()
    {
        const Session s = asyncBlock2().build();
        QCOMPARE(s.requests.size(), std::size_t(2));
        const RequestTimeline &r0 = s.requests[0], &r1 = s.requests[1];
        QCOMPARE(r0.path, std::string("/async_block?i=0"));
        QCOMPARE(r0.method, std::string("GET"));
        QCOMPARE(r1.clientConnection, std::int64_t(1));
        QVERIFY(near(r0.done(), 1.0, 0.01));  // ≈1 s
        QVERIFY(near(r1.done(), 2.0, 0.01));  // ≈2 s: served after the first
        QCOMPARE(r0.status, 200);
        QVERIFY(near(r1.total(Phase::Running), 1.0, 0.01));
        QVERIFY(s.isLoopThread(kLoop));

        QCOMPARE(s.loop.blocked.size(), std::size_t(2));
        const BlockedSpan &b0 = s.loop.blocked[0];
        QCOMPARE(b0.where, std::string("app.py:14"));
        QCOMPARE(b0.file(), std::string("app.py"));
        QCOMPARE(b0.line(), 14);
        QCOMPARE(b0.function, std::string("async_block"));
        QCOMPARE(b0.call, std::string("time.sleep"));
        QVERIFY(near(b0.duration(), 1.0, 1e-6));
        QCOMPARE(b0.delayed, std::vector<std::int64_t>{1}); // request 1 waited behind it
        QVERIFY(s.loop.blocked[1].delayed.empty());
        QCOMPARE(r1.delayedBy, std::vector<int>{0});

        QCOMPARE(s.loop.warnings.size(), std::size_t(2));
        QVERIFY(s.loop.warnings[0].text.find("took 1.000 seconds") != std::string::npos);

        // Utilisation: the loop is busy through both blocks.
        QVERIFY(s.loop.utilisation.size() >= 20);
        for (std::size_t i = 1; i < 19; ++i)
            QVERIFY2(s.loop.utilisation[i].busy > 0.95, qPrintable(QString::number(i)));
        // Lag histogram: two ≈990 ms samples among ~20 small ones.
        QVERIFY(near(s.loop.histogram.max, 990, 0.01));
        QVERIFY(s.loop.histogram.p50 < 1.0);
        QVERIFY(s.loop.histogram.p99 > 500);

        // Prints in order with their threads and requests.
        QCOMPARE(s.prints.size(), std::size_t(4));
        QCOMPARE(s.prints[0].text, std::string("Hello 0"));
        QCOMPARE(s.prints[1].text, std::string("bye 0"));
        QCOMPARE(s.prints[2].text, std::string("Hello 1"));
        QCOMPARE(s.prints[2].request, std::int64_t(1));
        QCOMPARE(s.prints[0].thread, std::string("loop"));

        QCOMPARE(r0.sentRank, 0);
        QCOMPARE(r0.doneRank, 0);
        QCOMPARE(r1.doneRank, 1);
        QVERIFY(near(s.wall(), 2.0, 0.01));
        QCOMPARE(s.errors(), 0);
        QVERIFY(near(s.latency().max, 2000, 10));
    }

    void fortyOneDefRequestsOneWaitsForAToken()
    {
        const Session s = syncBlock41().build();
        QCOMPARE(s.requests.size(), std::size_t(41));
        const PoolModel *limiter = s.mainLimiter();
        QVERIFY(limiter);
        QCOMPARE(limiter->name, std::string("anyio limiter"));
        QCOMPARE(limiter->limit, 40);
        QCOMPARE(limiter->peakBusy, 40);
        QCOMPARE(limiter->peakWaiting, 1);
        QCOMPARE(limiter->waits.size(), std::size_t(41));
        int longWaits = 0;
        for (const TokenWait &w : limiter->waits)
            if (w.duration() > 0.01) {
                ++longWaits;
                QCOMPARE(w.request, std::int64_t(40));
                QVERIFY(near(w.duration(), 1.0, 0.01));
            }
        QCOMPARE(longWaits, 1);
        const RequestTimeline &last = s.requests.back();
        QVERIFY(near(last.total(Phase::WaitingToken), 1.0, 0.01));
        QVERIFY(near(last.done(), 2.0, 0.02));
        for (int i = 0; i < 40; ++i)
            QVERIFY(near(s.requests[std::size_t(i)].done(), 1.0, 0.02));
        // A def request's run happens on a worker thread, then waits briefly for the loop.
        const PhaseSpan *run = nullptr;
        for (const PhaseSpan &p : s.requests[3].phases)
            if (p.phase == Phase::Running)
                run = &p;
        QVERIFY(run);
        QCOMPARE(s.threadName(run->thread), std::string("worker-4"));
        QVERIFY(s.requests[3].total(Phase::WaitingLoop) > 0);
        QVERIFY(s.requests[3].total(Phase::WaitingLoop) < 0.01);
        // Pool series: busy returns to 0 at the end.
        QCOMPARE(limiter->series.back().busy, 0);
        QCOMPARE(limiter->series.back().waiting, 0);
        QVERIFY(s.loop.blocked.empty());
    }

    void finishedDefResponseWaitsForBlockedLoop()
    {
        const Session s = defHeldByBlockedLoop().build();
        const RequestTimeline *r0 = s.request(0);
        QVERIFY(r0);
        QVERIFY(near(r0->total(Phase::WaitingLoop), 0.95, 0.01));
        QCOMPARE(s.loop.blocked.size(), std::size_t(1));
        QCOMPARE(s.loop.blocked[0].delayed, std::vector<std::int64_t>{0});
        QCOMPARE(s.loop.blocked[0].request, std::int64_t(1));
    }

    // Batches drained from several threads arrive out of time order; fed in random
    // chunks (as the GUI does every 16 ms), the result is the same as all at once.
    void incrementalOutOfOrderBatchesGiveTheSameSession()
    {
        Stream stream = syncBlock41();
        const Session whole = stream.build();
        std::vector<TraceEvent> events = stream.events;
        // Group by thread like a drain does, in chunks of time.
        std::stable_sort(events.begin(), events.end(), [](const TraceEvent &a, const TraceEvent &b) {
            return a.t < b.t;
        });
        SessionBuilder b;
        b.setOrigin(kOrigin);
        b.setThreads(Stream::threads());
        std::mt19937 rng(42);
        std::size_t pos = 0;
        std::size_t snapshots = 0;
        while (pos < events.size()) {
            const std::size_t n = std::min<std::size_t>(events.size() - pos, 1 + rng() % 40);
            std::vector<TraceEvent> batch(events.begin() + std::ptrdiff_t(pos),
                                          events.begin() + std::ptrdiff_t(pos + n));
            std::stable_sort(batch.begin(), batch.end(), [](const TraceEvent &x, const TraceEvent &y) {
                return x.thread < y.thread;
            });
            b.add(batch);
            const Session &snap = b.session(); // reading while feeding is fine
            QVERIFY(snap.requests.size() <= 41);
            ++snapshots;
            pos += n;
        }
        b.finish();
        const Session &s = b.session();
        QVERIFY(snapshots > 10);
        QCOMPARE(b.eventsApplied(), events.size());
        QCOMPARE(s.requests.size(), whole.requests.size());
        for (std::size_t i = 0; i < s.requests.size(); ++i) {
            QCOMPARE(s.requests[i].phases.size(), whole.requests[i].phases.size());
            QCOMPARE(s.requests[i].done(), whole.requests[i].done());
        }
        QCOMPARE(s.mainLimiter()->series.size(), whole.mainLimiter()->series.size());
        QCOMPARE(s.prints.size(), whole.prints.size());
    }

    // A loop blocked in time.sleep records nothing until the step ends: what it recorded
    // before (its request read, its print) must still be applied once the clock has moved
    // past the holdback, without waiting for a newer event.
    void heldBackEventsApplyAsTheClockMoves()
    {
        Stream stream;
        stream.ev(0.001, EventKind::RequestAccepted, kLoop, 0, 1);
        stream.print(0.005, kLoop, 0, "Hello 0");
        SessionBuilder b;
        b.setOrigin(kOrigin);
        b.setThreads(Stream::threads());
        b.add(stream.events);
        QCOMPARE(b.session().prints.size(), std::size_t(0)); // within the holdback
        b.advanceTo(stream.ns(0.02));
        QCOMPARE(b.session().prints.size(), std::size_t(0)); // still within it (30 ms)
        b.advanceTo(stream.ns(0.5));
        QCOMPARE(b.pendingCount(), std::size_t(0));
        QCOMPARE(b.session().prints.size(), std::size_t(1));
        QCOMPARE(b.session().prints[0].text, std::string("Hello 0"));
        QCOMPARE(b.session().requests.size(), std::size_t(1));
        QVERIFY(std::abs(b.session().end - 0.47) < 1e-6); // complete up to now - 30 ms
        QVERIFY(!b.advanceTo(stream.ns(0.1))); // the clock never goes back
        QCOMPARE(b.session().prints.size(), std::size_t(1));
        QVERIFY(std::abs(b.session().end - 0.47) < 1e-6);
    }

    // Live: a step past the slow-step threshold shows as blocking the loop up to the
    // session's end, named once the watchdog reports where it runs, and gives way to the
    // blocked span when it ends.
    void blockingStepsShowWhileTheyRun()
    {
        const std::uint32_t watchdog = 90;
        Stream stream;
        stream.ev(0.010, EventKind::LoopStepBegin, kLoop, 0, intern("Task-1 ping"));
        SessionBuilder b;
        b.setOrigin(kOrigin);
        b.setThreads(Stream::threads());
        b.add(stream.events);
        b.advanceTo(stream.ns(0.10)); // 60 ms into the step: not blocking yet
        QCOMPARE(b.session().loop.blocking.size(), std::size_t(0));
        b.advanceTo(stream.ns(0.20)); // 160 ms
        QCOMPARE(b.session().loop.blocking.size(), std::size_t(1));
        {
            const BlockedSpan &now = b.session().loop.blocking[0];
            QVERIFY(near(now.start, 0.010, 1e-9));
            QVERIFY(near(now.end, 0.17, 1e-9)); // up to now - holdback
            QCOMPARE(now.request, std::int64_t(0));
            QVERIFY(now.where.empty() && now.call.empty());
        }

        Stream more;
        more.ev(0.115, EventKind::LoopStall, watchdog, 0, stream.ns(0.010), 0,
                intern("app.py:14|ping|time.sleep"));
        more.ev(0.115, EventKind::LoopStall, watchdog, 0, stream.ns(0.005), 0, // another step's
                intern("app.py:99|other|time.sleep"));
        b.add(more.events);
        b.advanceTo(stream.ns(0.60));
        QCOMPARE(b.session().loop.blocking.size(), std::size_t(1));
        {
            const BlockedSpan &now = b.session().loop.blocking[0];
            QCOMPARE(now.where, std::string("app.py:14"));
            QCOMPARE(now.call, std::string("time.sleep"));
            QCOMPARE(now.function, std::string("ping"));
            QVERIFY(near(now.end, 0.57, 1e-9));
        }
        QCOMPARE(b.session().loop.blocked.size(), std::size_t(0));

        Stream end;
        end.ev(1.010, EventKind::LoopStepEnd, kLoop, 0, intern("Task-1 ping"));
        end.blocked(0.010, 1.010, "app.py:14|ping|time.sleep", 0);
        b.add(end.events);
        b.advanceTo(stream.ns(1.2));
        QCOMPARE(b.session().loop.blocking.size(), std::size_t(0));
        QCOMPARE(b.session().loop.blocked.size(), std::size_t(1));

        // A higher threshold (the engine's slow_callback_duration) waits longer.
        SessionBuilder slow;
        slow.setOrigin(kOrigin);
        slow.setThreads(Stream::threads());
        slow.setSlowStep(500'000'000);
        slow.add(stream.events);
        slow.advanceTo(stream.ns(0.40));
        QCOMPARE(slow.session().loop.blocking.size(), std::size_t(0));
        slow.advanceTo(stream.ns(0.60));
        QCOMPARE(slow.session().loop.blocking.size(), std::size_t(1));
    }

    void clientRecordsMergeIntoRequests()
    {
        SessionBuilder b;
        b.setOrigin(kOrigin);
        ClientRecord c;
        c.id = 7;
        c.path = "/x?i=7";
        c.connection = 2;
        c.sent = kOrigin + 1'000'000;
        c.firstByte = kOrigin + 500'000'000;
        c.done = kOrigin + 501'000'000;
        c.status = 503;
        c.bytes = 20;
        c.body = "{\"detail\":\"busy\"}";
        b.addClientRecords(std::span(&c, 1));
        const Session &s = b.session();
        const RequestTimeline *r = s.request(7);
        QVERIFY(r);
        QVERIFY(near(r->sent, 0.001, 1e-9));
        QVERIFY(near(r->done(), 0.501, 1e-9));
        QCOMPARE(r->status, 503);
        QCOMPARE(r->body, c.body);
        QCOMPARE(s.errors(), 1);
    }

    // Requests turning up out of id order (client ids below the server's, several workers)
    // end in id order, each with its own data, and are looked up right while being built.
    void requestsOutOfIdOrder()
    {
        SessionBuilder b;
        b.setOrigin(kOrigin);
        std::vector<ClientRecord> records;
        const int n = 20000;
        for (int k = 0; k < n; ++k) {
            ClientRecord c;
            c.id = (k * 7919) % n; // every id once, scattered
            c.sent = kOrigin + std::uint64_t(c.id) * 1000;
            c.done = c.sent + 2'000'000;
            c.status = 200;
            records.push_back(c);
        }
        b.addClientRecords(records);
        // A second record for an id seen long ago finds the same request.
        ClientRecord again = records[5];
        again.status = 404;
        b.addClientRecords(std::span(&again, 1));
        const Session &s = b.session();
        QCOMPARE(s.requests.size(), std::size_t(n));
        for (int i = 0; i < n; ++i) {
            QCOMPARE(s.requests[std::size_t(i)].id, std::int64_t(i));
            QVERIFY(near(s.requests[std::size_t(i)].sent, double(i) * 1e-6, 1e-9));
            QCOMPARE(s.requests[std::size_t(i)].sentRank, i);
        }
        QCOMPARE(s.request(again.id)->status, 404);
    }

    void lagHistogramPercentilesWithinTwoPercent()
    {
        Stream s;
        // 1..1000 ms, each once: p50 ≈ 500, p90 ≈ 900, p99 ≈ 990.
        for (int i = 1; i <= 1000; ++i)
            s.ev(i * 0.01, EventKind::LoopLag, kLoop, -1, std::uint64_t(i) * 1'000'000);
        const LagHistogram h = s.build().loop.histogram;
        QCOMPARE(h.count, std::size_t(1000));
        QCOMPARE(h.min, 1.0);
        QCOMPARE(h.max, 1000.0);
        QVERIFY(near(h.mean, 500.5, 1e-9));
        QVERIFY2(near(h.p50, 500, 10), qPrintable(QString::number(h.p50)));
        QVERIFY2(near(h.p90, 900, 18), qPrintable(QString::number(h.p90)));
        QVERIFY2(near(h.p99, 990, 20), qPrintable(QString::number(h.p99)));
        QVERIFY(near(h.stddev, 288.67, 0.1));
    }

    void mainLimiterIsTheDefaultOne()
    {
        Stream s;
        s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 5, 1, intern("exit_limiter"));
        s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 6, 0, intern("worker-threads"));
        s.ev(0.0, EventKind::PoolDeclared, kLoop, -1, 7, 40, intern("threadpool"));
        const Session session = s.build();
        QVERIFY(session.mainLimiter());
        QCOMPARE(session.mainLimiter()->name, std::string("threadpool"));
        QCOMPARE(Session{}.mainLimiter(), nullptr);
    }

    void loopThreadNames()
    {
        QVERIFY(isLoopThreadName("loop"));
        QVERIFY(isLoopThreadName("loop-2"));
        QVERIFY(isLoopThreadName("loop 3"));
        QVERIFY(!isLoopThreadName("loop-watchdog"));
        QVERIFY(!isLoopThreadName("worker-1"));
        QVERIFY(!isLoopThreadName(""));
    }

    // Pools are declared at start-up, before a burst's events are collected: the hub
    // remembers declarations so the session still knows their names and limits.
    void poolsMissedDeclarationsAreNamedFromTheHub()
    {
        record(EventKind::PoolDeclared, -1, 777, 40, intern("anyio limiter (hub)"));
        std::vector<TraceEvent> drained;
        TraceHub::instance().drain(drained); // the burst's collection starts after this
        Stream s;
        s.ev(0.001, EventKind::TokenAcquired, worker(0), 0, 777);
        s.ev(0.001, EventKind::PoolState, worker(0), -1, 777, 1, 0);
        s.ev(0.002, EventKind::TokenAcquired, worker(1), 1, 777);
        const Session session = s.build();
        QCOMPARE(session.pools.size(), std::size_t(1));
        QCOMPARE(session.pools[0].name, std::string("anyio limiter (hub)"));
        QCOMPARE(session.pools[0].limit, 40);
        QCOMPARE(session.pools[0].requestsServed, std::size_t(2));
    }

    // A request resumed from an await right when a blocking span ended waited for the loop.
    void resumedRightAfterABlockCountsAsDelayed()
    {
        Stream s;
        s.arrive(0, "/async_await?i=0", 0, 0.0, 0.001);
        s.ev(0.002, EventKind::RunBegin, kLoop, 0);
        s.ev(0.003, EventKind::AwaitBegin, kLoop, 0, intern("sleep"));
        s.ev(0.003, EventKind::RunEnd, kLoop, 0);
        s.arrive(1, "/async_block?i=1", 1, 0.0, 0.004);
        s.ev(0.005, EventKind::RunBegin, kLoop, 1);
        s.blocked(0.005, 1.5, "?:0||", 1);
        s.ev(1.5, EventKind::LoopWarning, kLoop, 1,
             intern("Executing <Task pending name='Task-2' coro=<async_block() running at "
                    "app.py:14>> took 1.495 seconds"));
        s.ev(1.5001, EventKind::RunEnd, kLoop, 1);
        s.ev(1.5002, EventKind::AwaitEnd, kLoop, 0);       // its 1 s sleep was long over
        s.arrive(2, "/async_await?i=2", 2, 1.0, 1.5003);   // sent during the block
        const Session session = s.build();
        const BlockedSpan &b = session.loop.blocked.at(0);
        QVERIFY(b.where.empty());                         // no position attributed
        QCOMPARE(b.function, std::string("async_block")); // named from the asyncio warning
        QCOMPARE(b.delayed, (std::vector<std::int64_t>{0, 2}));
    }

    void badInputDoesNotCrash()
    {
        SessionBuilder b;
        std::mt19937_64 rng(7);
        std::vector<TraceEvent> junk(5000);
        for (TraceEvent &e : junk) {
            e.t = rng() % 10'000'000'000ULL;
            e.kind = static_cast<EventKind>(rng() % (std::size_t(EventKind::Count) + 1));
            e.request = std::int64_t(rng() % 50) - 5;
            e.a = rng() % 3 == 0 ? rng() : rng() % 20;
            e.b = rng() % 3 == 0 ? rng() : rng() % 20;
            e.c = rng() % 20;
            e.thread = std::uint32_t(rng() % 8);
            e.process = std::uint16_t(rng() % 2);
        }
        b.add(junk);
        b.finish();
        const Session &s = b.session();
        QVERIFY(s.requests.size() <= 50);
    }
};

QTEST_GUILESS_MAIN(TestSessionBuilder)
#include "tst_sessionbuilder.moc"
