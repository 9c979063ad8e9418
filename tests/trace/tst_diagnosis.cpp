// Diagnosis texts drawn from synthetic sessions.
#include "synthetictrace.h"
#include "trace/diagnosis.h"

#include <QtTest>

using namespace loopscope::trace;
using namespace loopscope::trace::synthetic;

namespace {
const Finding *byRule(const std::vector<Finding> &f, const std::string &rule)
{
    for (const Finding &x : f)
        if (x.rule == rule)
            return &x;
    return nullptr;
}
bool has(const std::string &text, const char *part) { return text.find(part) != std::string::npos; }
} // namespace

class TestDiagnosis : public QObject {
    Q_OBJECT
private slots:
    void blockingSleepInAsyncDef()
    {
        const auto findings = diagnose(asyncBlock2().build());
        QVERIFY(!findings.empty());
        const Finding &f = findings.front(); // most severe first
        QCOMPARE(f.rule, std::string("loop-blocked"));
        QCOMPARE(f.severity, Finding::Severity::Critical);
        QCOMPARE(f.file, std::string("app.py"));
        QCOMPARE(f.line, 14);
        QVERIFY2(has(f.text, "time.sleep() at app.py:14 in async_block blocked the event loop 2 "
                             "times for 1.00 s each"),
                 f.text.c_str());
        QVERIFY2(has(f.text, "1 request waited behind it"), f.text.c_str());
        QVERIFY2(has(f.text, "await asyncio.sleep()"), f.text.c_str());
        QVERIFY(has(f.text, "`def`"));
        QVERIFY(!byRule(findings, "pool-exhausted"));
    }

    void fortyOneDefRequestsForFortyThreads()
    {
        const auto findings = diagnose(syncBlock41().build());
        const Finding *f = byRule(findings, "pool-exhausted");
        QVERIFY(f);
        QVERIFY2(has(f->text, "41 requests for the 40 threads of the anyio limiter: 1 waited for "
                              "a thread (longest 1.00 s)"),
                 f->text.c_str());
        QCOMPARE(f->severity, Finding::Severity::Warning);
        QVERIFY(!byRule(findings, "loop-blocked"));
        QVERIFY(!byRule(findings, "response-held"));
    }

    void finishedDefResponseHeldByLoop()
    {
        const auto findings = diagnose(defHeldByBlockedLoop().build());
        const Finding *held = byRule(findings, "response-held");
        QVERIFY(held);
        QVERIFY2(has(held->text, "A finished `def` response waited up to 0.95 s for the event loop"),
                 held->text.c_str());
        const Finding *blocked = byRule(findings, "loop-blocked");
        QVERIFY(blocked);
        QVERIFY2(has(blocked->text, "blocked the event loop for 1.00 s; 1 request waited behind it"),
                 blocked->text.c_str());
    }

    void keepAliveSerialises()
    {
        const auto findings = diagnose(oneConnection2().build());
        const Finding *f = byRule(findings, "keep-alive");
        QVERIFY(f);
        QVERIFY2(has(f->text, "served one after another"), f->text.c_str());
        QVERIFY(has(f->text, "1 request on 1 connection"));
        // Two connections (asyncBlock2) never trigger it.
        QVERIFY(!byRule(diagnose(asyncBlock2().build()), "keep-alive"));
    }

    void gilContention()
    {
        Stream s;
        for (int w = 0; w < 2; ++w)
            for (int k = 0; k < 20; ++k) {
                const double t = 0.01 * k + 0.005 * w;
                s.ev(t, EventKind::GilWaitBegin, worker(w), w, intern("app.py:30"));
                s.ev(t + 0.005, EventKind::GilAcquired, worker(w), w);
            }
        const auto findings = diagnose(s.build());
        const Finding *f = byRule(findings, "gil");
        QVERIFY(f);
        QCOMPARE(f->line, 30);
        QVERIFY2(has(f->text, "CPU-bound code at app.py:30"), f->text.c_str());
        QVERIFY(has(f->text, "2 threads"));
        QVERIFY(has(f->text, "ProcessPoolExecutor"));
    }

    void unattributedBlockIsNotCalledCpuBound()
    {
        Stream s;
        s.arrive(0, "/a", 0, 0.0, 0.001);
        s.ev(0.002, EventKind::RunBegin, kLoop, 0);
        s.blocked(0.002, 0.8, "?:0||", 0);
        s.ev(0.8, EventKind::RunEnd, kLoop, 0);
        const auto findings = diagnose(s.build());
        const Finding *f = byRule(findings, "loop-blocked");
        QVERIFY(f);
        QVERIFY2(has(f->text, "Code on the event loop blocked the event loop for 0.80 s"), f->text.c_str());
        QVERIFY(!has(f->text, "CPU-bound"));
        QCOMPARE(f->line, 0);
        QVERIFY(f->where.empty());
    }

    void overtakenRequests()
    {
        // Request 0 takes 1 s, request 1 (sent later) 0.1 s; 2 and 3 finish together.
        Stream s;
        const double done[4] = {1.0, 0.1, 0.5, 0.501};
        for (int i = 0; i < 4; ++i) {
            s.ev(0.001 * i, EventKind::ClientSent, kClient, i, std::uint64_t(i));
            s.ev(done[i], EventKind::ClientDone, kClient, i, 200, 2);
        }
        const auto findings = diagnose(s.build());
        const Finding *f = byRule(findings, "order");
        QVERIFY(f);
        QVERIFY2(has(f->text, "1 request was overtaken"), f->text.c_str());
        // 41 concurrent requests finishing within milliseconds: nothing to report.
        QVERIFY(!byRule(diagnose(syncBlock41().build()), "order"));
    }

    void errorsAndEmptySession()
    {
        QVERIFY(diagnose(Session{}).empty());
        SessionBuilder b;
        b.setOrigin(kOrigin);
        ClientRecord c;
        c.id = 0;
        c.sent = kOrigin + 1;
        c.done = kOrigin + 2'000'000;
        c.status = 503;
        b.addClientRecords(std::span(&c, 1));
        const auto findings = diagnose(b.session());
        const Finding *f = byRule(findings, "errors");
        QVERIFY(f);
        QVERIFY(has(f->text, "503"));
        QCOMPARE(f->severity, Finding::Severity::Critical);
    }
};

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"
