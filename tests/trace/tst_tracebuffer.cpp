// Per-thread trace buffers: nothing lost or duplicated with many writers and a concurrent
// reader; names, strings and process stamps.
#include "trace/tracebuffer.h"

#include <QtTest>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

using namespace loopscope::trace;

class TestTraceBuffer : public QObject {
    Q_OBJECT
private slots:
    void init() { TraceHub::instance().discard(); }

    void manyThreadsNoLossNoDuplicates_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("perThread");
        QTest::addRow("2 x 50000") << 2 << 50000;
        QTest::addRow("16 x 10000 (crosses chunks)") << 16 << 10000;
        QTest::addRow("64 x 1000") << 64 << 1000;
    }
    void manyThreadsNoLossNoDuplicates()
    {
        QFETCH(int, threads);
        QFETCH(int, perThread);
        std::atomic<bool> writing{true};
        std::vector<TraceEvent> seen;
        // Drain while the writers write.
        std::thread reader([&] {
            while (writing.load())
                TraceHub::instance().drain(seen);
        });
        std::vector<std::thread> writers;
        for (int w = 0; w < threads; ++w) {
            writers.emplace_back([w, perThread] {
                std::string name = std::to_string(w);
                name.insert(0, "writer-");
                setThreadName(name);
                for (int i = 0; i < perThread; ++i)
                    record(EventKind::Print, 1000 + w, std::uint64_t(i), std::uint64_t(w));
            });
        }
        for (auto &t : writers)
            t.join();
        writing = false;
        reader.join();
        TraceHub::instance().drain(seen);

        std::map<std::int64_t, std::vector<std::uint64_t>> byWriter;
        for (const TraceEvent &e : seen) {
            if (e.kind != EventKind::Print || e.request < 1000)
                continue;
            QCOMPARE(e.b, std::uint64_t(e.request - 1000));
            byWriter[e.request].push_back(e.a);
        }
        QCOMPARE(int(byWriter.size()), threads);
        for (const auto &[writer, seqs] : byWriter) {
            QCOMPARE(int(seqs.size()), perThread);
            for (int i = 0; i < perThread; ++i)
                QCOMPARE(seqs[std::size_t(i)], std::uint64_t(i)); // in order, once each
        }
    }

    void threadNamesAndIds()
    {
        std::uint32_t id = 0;
        std::thread t([&] {
            id = setThreadName("worker-7");
            QCOMPARE(currentThread(), id);
            setCurrentProcess(3);
            record(EventKind::RunBegin, 5);
        });
        t.join();
        std::vector<TraceEvent> out;
        TraceHub::instance().drain(out);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out[0].thread, id);
        QCOMPARE(out[0].process, std::uint16_t(3));
        QCOMPARE(out[0].kind, EventKind::RunBegin);
        bool found = false;
        for (const ThreadInfo &info : TraceHub::instance().threads())
            if (info.id == id)
                found = info.name == "worker-7";
        QVERIFY(found);
    }

    void internIsStableAcrossThreads()
    {
        std::vector<std::thread> ts;
        std::vector<std::uint64_t> ids(8);
        for (int i = 0; i < 8; ++i)
            ts.emplace_back([&ids, i] {
                for (int k = 0; k < 1000; ++k)
                    intern(std::to_string(k));
                ids[std::size_t(i)] = intern("app.py:14|async_block|time.sleep");
            });
        for (auto &t : ts)
            t.join();
        for (std::uint64_t id : ids)
            QCOMPARE(id, ids[0]);
        QCOMPARE(stringAt(ids[0]), std::string("app.py:14|async_block|time.sleep"));
        QCOMPARE(stringAt(~0ULL), std::string());
    }

    // Each thread remembers the ids it asked for: asking again, after more strings than
    // it remembers, and from another thread, gives the same id for the same text.
    void internAgainGivesTheSameId()
    {
        std::vector<std::uint64_t> first;
        for (int k = 0; k < 10000; ++k)
            first.push_back(intern("GET /x?i=" + std::to_string(k)));
        for (int k = 0; k < 10000; ++k)
            QCOMPARE(intern("GET /x?i=" + std::to_string(k)), first[std::size_t(k)]);
        std::vector<std::uint64_t> other(10000);
        std::thread t([&other] {
            for (int k = 9999; k >= 0; --k)
                other[std::size_t(k)] = intern("GET /x?i=" + std::to_string(k));
        });
        t.join();
        QCOMPARE(other, first);
        QCOMPARE(stringAt(first[42]), std::string("GET /x?i=42"));
        QVERIFY(intern("GET /x?i=10000") != first.back());
    }

    void recordWithPreviousTakesThePreviousEventsTime()
    {
        std::uint64_t read = 0, last = 0;
        std::thread t([&read, &last] {
            read = now() - 1000;
            recordWithPrevious(EventKind::RequestPath, 3); // nothing before it: now
            emitAt(read, EventKind::RequestRead, 4);
            recordWithPrevious(EventKind::RequestPath, 4, 1, 2);
            last = lastTime();
        });
        t.join();
        QCOMPARE(last, read);
        std::vector<TraceEvent> out;
        TraceHub::instance().drain(out);
        QCOMPARE(out.size(), std::size_t(3));
        QVERIFY(out[0].t >= out[1].t + 1000);
        QCOMPARE(out[2].t, out[1].t);
        QCOMPARE(out[2].kind, EventKind::RequestPath);
        QCOMPARE(out[2].request, std::int64_t(4));
        QCOMPARE(out[2].b, std::uint64_t(2));
    }

    void disabledEmitsNothing()
    {
        setEnabled(false);
        record(EventKind::Print, 1);
        setEnabled(true);
        std::vector<TraceEvent> out;
        QCOMPARE(TraceHub::instance().drain(out), std::size_t(0));
        record(EventKind::Print, 1);
        QCOMPARE(TraceHub::instance().drain(out), std::size_t(1));
    }

    void exitedThreadsAreFreedOnceDrained()
    {
        std::thread t([] {
            for (int i = 0; i < 20000; ++i)
                record(EventKind::LoopLag, -1, std::uint64_t(i));
        });
        t.join();
        QVERIFY(TraceHub::instance().bytesBuffered() > 20000 * sizeof(TraceEvent));
        std::vector<TraceEvent> out;
        QCOMPARE(TraceHub::instance().drain(out), std::size_t(20000));
        const std::size_t after = TraceHub::instance().bytesBuffered();
        // Only live threads' current chunks remain (this thread's and the test runner's).
        QVERIFY2(after < 8 * 4096 * sizeof(TraceEvent), QByteArray::number(qulonglong(after)));
    }
};

QTEST_GUILESS_MAIN(TestTraceBuffer)
#include "tst_tracebuffer.moc"
