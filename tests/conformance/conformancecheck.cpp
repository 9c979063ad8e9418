// The expected behaviour of every conformance scenario, in the project's own words.
#include "conformancecheck.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <map>

namespace conformance {

bool near(double actual, double expected, double slack)
{
    return actual >= 0 && std::abs(actual - expected) <= slack + 0.05 * expected;
}

QList<Scenario> loadScenarios(const QString &file, QString *error)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(file);
        return {};
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isArray()) {
        *error = QStringLiteral("%1: %2").arg(file, pe.errorString());
        return {};
    }
    QList<Scenario> out;
    for (const QJsonValue &v : doc.array()) {
        const QJsonObject o = v.toObject();
        Scenario s;
        s.json = o;
        s.name = o.value(QLatin1String("name")).toString();
        s.path = o.value(QLatin1String("path")).toString();
        s.requests = o.value(QLatin1String("requests")).toInt(1);
        s.connections = o.value(QLatin1String("connections")).toInt(s.requests);
        s.workers = o.value(QLatin1String("workers")).toInt(1);
        s.settle = o.value(QLatin1String("settle")).toDouble(0.15);
        const QJsonObject extra = o.value(QLatin1String("extra")).toObject();
        if (!extra.isEmpty()) {
            s.extraAt = extra.value(QLatin1String("at")).toDouble();
            s.extraPath = extra.value(QLatin1String("path")).toString();
        }
        out.append(s);
    }
    return out;
}

Outcome outcomeFromJson(const QString &side, const QJsonObject &entry)
{
    Outcome o;
    o.side = side;
    for (const QJsonValue &v : entry.value(QLatin1String("requests")).toArray()) {
        const QJsonObject r = v.toObject();
        Response resp;
        resp.id = r.value(QLatin1String("id")).toInteger(-1);
        resp.path = r.value(QLatin1String("path")).toString();
        resp.done = r.value(QLatin1String("done")).isDouble() ? r.value(QLatin1String("done")).toDouble() : -1;
        resp.status = r.value(QLatin1String("status")).toInt();
        resp.body = r.value(QLatin1String("body")).toString();
        o.requests.append(resp);
    }
    for (const QJsonValue &v : entry.value(QLatin1String("prints")).toArray())
        o.prints.append(v.toString());
    for (const QJsonValue &v : entry.value(QLatin1String("print_t")).toArray())
        o.printTimes.append(v.toDouble());
    return o;
}

namespace {

QString fmt(double t)
{
    return t < 0 ? QStringLiteral("never") : QString::number(t, 'f', 3) + QStringLiteral(" s");
}

class Checker {
public:
    Checker(const Outcome &o) : m_o(o) {}

    QStringList failures;

    const Response *req(qint64 id)
    {
        for (const Response &r : m_o.requests)
            if (r.id == id)
                return &r;
        return nullptr;
    }

    void allOk(int expectedCount, int status = 200)
    {
        if (m_o.requests.size() != expectedCount)
            fail(QStringLiteral("%1 responses, expected %2").arg(m_o.requests.size()).arg(expectedCount));
        for (const Response &r : m_o.requests)
            if (r.status != status)
                fail(QStringLiteral("request %1 (%2) got status %3: %4").arg(r.id).arg(r.path).arg(r.status).arg(r.body.left(200)));
    }

    void doneAt(qint64 id, double t, const QString &why)
    {
        const Response *r = req(id);
        if (!r)
            fail(QStringLiteral("request %1 missing (%2)").arg(id).arg(why));
        else if (!near(r->done, t))
            fail(QStringLiteral("request %1 done at %2, expected about %3: %4").arg(id).arg(fmt(r->done), fmt(t), why));
    }

    // Every response at about one of `times`, with exactly `counts[k]` at times[k]. `slack`
    // widens "about" where the server's own start-up takes a while (accepting 80 connections
    // and starting 40 threads took real uvicorn 0.1 s on a busy machine); the groups stay
    // far enough apart to tell one wave from the next.
    void doneGroups(const QList<double> &times, const QList<int> &counts, const QString &why,
                    double slack = 0.05)
    {
        QList<int> got(times.size(), 0);
        for (const Response &r : m_o.requests) {
            int match = -1;
            for (int k = 0; k < times.size(); ++k)
                if (near(r.done, times[k], slack))
                    match = k;
            if (match < 0) {
                fail(QStringLiteral("request %1 done at %2, expected one of the groups (%3)").arg(r.id).arg(fmt(r.done), why));
                return;
            }
            ++got[match];
        }
        for (int k = 0; k < times.size(); ++k)
            if (got[k] != counts[k])
                fail(QStringLiteral("%1 responses at about %2, expected %3 (%4)").arg(got[k]).arg(fmt(times[k])).arg(counts[k]).arg(why));
    }

    void body(qint64 id, const QString &expected)
    {
        const Response *r = req(id);
        if (r && r->body != expected)
            fail(QStringLiteral("request %1 body %2, expected %3").arg(id).arg(r->body, expected));
    }

    void printsExactly(const QStringList &expected, const QString &why)
    {
        if (m_o.prints != expected)
            fail(QStringLiteral("prints [%1], expected [%2]: %3").arg(m_o.prints.join(QLatin1String(", ")), expected.join(QLatin1String(", ")), why));
    }

    // Prints from threads may interleave mid-line in CPython ("Hello 0Hello 1"): compare
    // the tokens matching `pattern` in order of appearance.
    QStringList tokens(const QString &pattern) const
    {
        QStringList out;
        const QRegularExpression re(pattern);
        for (const QString &line : m_o.prints) {
            auto it = re.globalMatch(line);
            while (it.hasNext())
                out.append(it.next().captured(0));
        }
        return out;
    }

    void printsAsMultiset(const QString &pattern, QStringList expected, const QString &why)
    {
        QStringList got = tokens(pattern);
        std::sort(got.begin(), got.end());
        std::sort(expected.begin(), expected.end());
        if (got != expected)
            fail(QStringLiteral("printed %1 lines matching %2, expected %3: %4").arg(got.size()).arg(pattern).arg(expected.size()).arg(why));
    }

    // Every token matching `first` comes before any token matching `then` (up to `allowed` exceptions).
    void allBefore(const QString &first, const QString &then, const QString &why)
    {
        const QStringList t = tokens(first + QLatin1Char('|') + then);
        const QRegularExpression reThen(QLatin1Char('^') + then + QLatin1Char('$'));
        bool seenThen = false;
        for (const QString &s : t) {
            if (reThen.match(s).hasMatch())
                seenThen = true;
            else if (seenThen) {
                fail(QStringLiteral("'%1' printed after a line matching %2: %3").arg(s, then, why));
                return;
            }
        }
    }

    // The tokens `prefix N` for N < n come in about increasing N: at most `maxInversions`
    // pairs out of order (a shuffled order has about n(n-1)/4).
    void mostlyInOrder(const QString &prefix, int n, int maxInversions, const QString &why)
    {
        QList<int> order;
        const QRegularExpression re(QRegularExpression::escape(prefix) + QStringLiteral("(\\d+)"));
        for (const QString &t : tokens(QRegularExpression::escape(prefix) + QStringLiteral("\\d+"))) {
            const int k = re.match(t).captured(1).toInt();
            if (k < n)
                order.append(k);
        }
        int inversions = 0;
        for (qsizetype a = 0; a < order.size(); ++a)
            for (qsizetype b = a + 1; b < order.size(); ++b)
                inversions += order[a] > order[b] ? 1 : 0;
        if (inversions > maxInversions)
            fail(QStringLiteral("'%1N' lines %2 pairs out of order (at most %3 expected): %4")
                     .arg(prefix).arg(inversions).arg(maxInversions).arg(why));
    }

    // When the first print line containing `token` came; -1 when unknown.
    double tokenTime(const QString &token) const
    {
        if (m_o.printTimes.size() != m_o.prints.size())
            return -1;
        for (qsizetype i = 0; i < m_o.prints.size(); ++i)
            if (m_o.prints[i].contains(token))
                return m_o.printTimes[i];
        return -1;
    }

    void printedAt(const QString &text, double t, const QString &why)
    {
        if (m_o.printTimes.size() != m_o.prints.size())
            return; // this side does not time its prints
        const qsizetype i = m_o.prints.indexOf(text);
        if (i < 0)
            fail(QStringLiteral("'%1' never printed: %2").arg(text, why));
        else if (!near(m_o.printTimes[i], t))
            fail(QStringLiteral("'%1' printed at %2, expected about %3: %4").arg(text, fmt(m_o.printTimes[i]), fmt(t), why));
    }

    void fail(const QString &what) { failures.append(m_o.side + QStringLiteral(": ") + what); }

private:
    const Outcome &m_o;
};

QStringList numbered(const QString &prefix, int n)
{
    QStringList out;
    for (int i = 0; i < n; ++i)
        out.append(prefix + QString::number(i));
    return out;
}

} // namespace

QStringList check(const Scenario &s, const Outcome &o, const Calibration &cal)
{
    Checker c(o);
    const QString pong = QStringLiteral("\"pong\"");
    const int n = s.requests + (s.extraPath.isEmpty() ? 0 : 1);
    const QString &name = s.name;
    const int status = name == QLatin1String("wait_for_timeout_2") || name == QLatin1String("timeout_2") ? 504
        : name == QLatin1String("taskgroup_fail_2")                                                      ? 502
                                                                                                          : 200;
    c.allOk(n, status);

    if (name == QLatin1String("async_block_2") || name == QLatin1String("async_helper_block_2")) {
        const QString why = QStringLiteral("time.sleep inside async def (even in an awaited helper) blocks the loop, so the second request only starts when the first is done");
        c.doneAt(0, 1.0, why);
        c.doneAt(1, 2.0, why);
        c.body(0, pong);
        c.printsExactly({QStringLiteral("Hello 0"), QStringLiteral("bye 0"), QStringLiteral("Hello 1"), QStringLiteral("bye 1")}, why);
    } else if (name == QLatin1String("async_await_2")) {
        const QString why = QStringLiteral("await asyncio.sleep suspends, so both requests sleep at the same time");
        c.doneAt(0, 1.0, why);
        c.doneAt(1, 1.0, why);
        c.printsExactly({QStringLiteral("Hello 0"), QStringLiteral("Hello 1"), QStringLiteral("bye 0"), QStringLiteral("bye 1")}, why);
    } else if (name == QLatin1String("sync_block_2")) {
        const QString why = QStringLiteral("def endpoints run on worker threads, so two blocking sleeps overlap");
        c.doneAt(0, 1.0, why);
        c.doneAt(1, 1.0, why);
        c.printsAsMultiset(QStringLiteral("(Hello|bye) \\d+"), {QStringLiteral("Hello 0"), QStringLiteral("Hello 1"), QStringLiteral("bye 0"), QStringLiteral("bye 1")}, why);
        c.allBefore(QStringLiteral("Hello \\d+"), QStringLiteral("bye \\d+"), why);
    } else if (name == QLatin1String("sync_block_41") || name == QLatin1String("async_threadpool_41")) {
        const QString why = QStringLiteral("40 thread tokens: forty sleeps run at once, the 41st waits for a token and finishes a second later");
        c.doneGroups({1.0, 2.0}, {40, 1}, why);
        c.doneAt(40, 2.0, QStringLiteral("the last request to arrive is the one left waiting"));
        c.printsAsMultiset(QStringLiteral("(Hello|bye) \\d+"), numbered(QStringLiteral("Hello "), 41) + numbered(QStringLiteral("bye "), 41), why);
        if (name == QLatin1String("sync_block_41"))
            c.mostlyInOrder(QStringLiteral("Hello "), 40, 78,
                            QStringLiteral("new worker threads start one at a time (Thread.start() waits for the thread, "
                                           "its GIL dropped), so the first handlers start in about their requests' order"));
        if (name == QLatin1String("async_threadpool_41"))
            c.allBefore(QStringLiteral("Hello \\d+"), QStringLiteral("bye \\d+"), QStringLiteral("every async handler prints Hello on the loop before any threadpool sleep ends"));
    } else if (name == QLatin1String("one_connection_sync_2")) {
        const QString why = QStringLiteral("one keep-alive connection: the second request is read only after the first response");
        c.doneAt(0, 1.0, why);
        c.doneAt(1, 2.0, why);
        c.printsExactly({QStringLiteral("Hello 0"), QStringLiteral("bye 0"), QStringLiteral("Hello 1"), QStringLiteral("bye 1")}, why);
    } else if (name == QLatin1String("async_gather_2")) {
        const QString why = QStringLiteral("asyncio.gather runs three 0.5 s sleeps at once and returns results in argument order");
        c.doneAt(0, 0.5, why);
        c.doneAt(1, 0.5, why);
        c.body(0, QStringLiteral("{\"results\":[1,2,3]}"));
        c.body(1, QStringLiteral("{\"results\":[1,2,3]}"));
        c.printsExactly({QStringLiteral("gathered 0 [1, 2, 3]"), QStringLiteral("gathered 1 [1, 2, 3]")}, why);
    } else if (name == QLatin1String("executor_7") || name == QLatin1String("to_thread_7")) {
        const QString why = QStringLiteral("asyncio's default executor has min(32, cpu + 4) threads (6 on 2 cores): six jobs at once, the seventh a second later");
        c.doneGroups({1.0, 2.0}, {6, 1}, why);
        c.doneAt(6, 2.0, QStringLiteral("the executor queue is first in, first out"));
        c.printsAsMultiset(QStringLiteral("(submit|done) \\d+"), numbered(QStringLiteral("submit "), 7) + numbered(QStringLiteral("done "), 7), why);
        QStringList submits;
        for (const QString &t : c.tokens(QStringLiteral("submit \\d+")))
            submits.append(t);
        if (submits != numbered(QStringLiteral("submit "), 7))
            c.fail(QStringLiteral("submits printed as [%1], expected in request order").arg(submits.join(QLatin1String(", "))));
        c.allBefore(QStringLiteral("submit \\d+"), QStringLiteral("done \\d+"), why);
    } else if (name == QLatin1String("cpu_def_1")) {
        if (!(o.requests.value(0).done > 0.02))
            c.fail(QStringLiteral("the CPU-bound handler took %1; too short to compare").arg(fmt(o.requests.value(0).done)));
    } else if (name == QLatin1String("cpu_def_2")) {
        if (cal.cpuOne > 0) {
            double last = 0, first = 1e9;
            for (const Response &r : o.requests) {
                last = std::max(last, r.done);
                first = std::min(first, r.done);
            }
            const double ratio = last / cal.cpuOne;
            if (ratio < 1.4 || ratio > 3.5)
                c.fail(QStringLiteral("two CPU-bound def requests took %1 against %2 for one (x%3); one GIL means about twice as long")
                           .arg(fmt(last), fmt(cal.cpuOne)).arg(ratio, 0, 'f', 2));
            // The second handler may start late: its new worker thread starts while the first
            // holds the GIL (Thread.start() waits for it, in CPython as here). Then the first
            // finishes earlier, but both still ran side by side, taking turns, from the later start.
            const double laterStart = std::max(c.tokenTime(QStringLiteral("cpu start 0")), c.tokenTime(QStringLiteral("cpu start 1")));
            const bool sideBySide = laterStart >= 0 && first - laterStart >= 0.25 * cal.cpuOne;
            if (first < 0.75 * last && !sideBySide)
                c.fail(QStringLiteral("the first finished at %1, the second at %2: under the GIL they take turns every 5 ms and finish together")
                           .arg(fmt(first), fmt(last)));
        }
    } else if (name == QLatin1String("background_1")) {
        c.doneGroups({0.0}, {1}, QStringLiteral("the response is sent before the background task runs"));
        c.printsExactly({QStringLiteral("handler 0"), QStringLiteral("background 0 done")}, QStringLiteral("the background task runs after the handler"));
        c.printedAt(QStringLiteral("background 0 done"), 0.5, QStringLiteral("the background task sleeps 0.5 s after the response"));
    } else if (name == QLatin1String("stream_2")) {
        const QString why = QStringLiteral("each next() of the sync generator runs in the threadpool: three 0.2 s chunks, both streams side by side");
        c.doneGroups({0.6}, {2}, why);
        c.body(0, QStringLiteral("chunk 0.0\nchunk 0.1\nchunk 0.2\n"));
        c.body(1, QStringLiteral("chunk 1.0\nchunk 1.1\nchunk 1.2\n"));
    } else if (name == QLatin1String("blocked_loop_delays_def")) {
        const QString why = QStringLiteral("the def handler is finished at 0.3 s but its response is written by the loop, blocked from 0.1 s to 1.1 s");
        c.doneAt(0, 1.1, why);
        c.doneAt(1, 1.1, why);
        c.printsExactly({QStringLiteral("loop blocked 1"), QStringLiteral("sync done 0"), QStringLiteral("loop free 1")}, why);
        c.printedAt(QStringLiteral("sync done 0"), 0.3, QStringLiteral("the worker thread is not blocked by the loop"));
    } else if (name == QLatin1String("sync_block_80")) {
        c.doneGroups({1.0, 2.0}, {40, 40}, QStringLiteral("80 def requests for 40 thread tokens run in two waves"), 0.2);
    } else if (name == QLatin1String("keep_alive_3")) {
        const QString why = QStringLiteral("one keep-alive connection serialises even async def requests");
        c.doneAt(0, 0.5, why);
        c.doneAt(1, 1.0, why);
        c.doneAt(2, 1.5, why);
        c.printsExactly({QStringLiteral("start 0"), QStringLiteral("end 0"), QStringLiteral("start 1"), QStringLiteral("end 1"), QStringLiteral("start 2"), QStringLiteral("end 2")}, why);
    } else if (name == QLatin1String("workers_2_cpu")) {
        if (cal.cpuOne > 0 && o.requests.size() == 2) {
            const Response &a = o.requests[0], &b = o.requests[1];
            const double last = std::max(a.done, b.done);
            const bool known = a.process >= 0 && b.process >= 0;
            const bool apart = known && a.process != b.process;
            const double ratio = last / cal.cpuOne;
            if (apart && ratio > 1.6)
                c.fail(QStringLiteral("on two workers (own GIL each) two CPU-bound requests took %1 against %2 for one; expected about the same")
                           .arg(fmt(last), fmt(cal.cpuOne)));
            if (known && !apart && (ratio < 1.4 || ratio > 3.5))
                c.fail(QStringLiteral("on the same worker two CPU-bound requests took %1 against %2 for one; expected about twice")
                           .arg(fmt(last), fmt(cal.cpuOne)));
            // Real uvicorn: the kernel picks the accepting process; either shape is right.
            if (!known && ratio > 3.5)
                c.fail(QStringLiteral("two CPU-bound requests on two workers took %1 against %2 for one").arg(fmt(last), fmt(cal.cpuOne)));
        }
    } else if (name == QLatin1String("async_lock_3")) {
        const QString why = QStringLiteral("an asyncio.Lock lets one handler in at a time; the others wait without blocking the loop");
        c.doneGroups({0.3, 0.6, 0.9}, {1, 1, 1}, why);
        const QStringList t = c.tokens(QStringLiteral("(in|out) \\d+"));
        bool alternate = t.size() == 6;
        for (qsizetype k = 0; alternate && k + 1 < t.size(); k += 2)
            alternate = t[k].startsWith(QLatin1String("in ")) && t[k + 1] == QStringLiteral("out ") + t[k].mid(3);
        if (!alternate)
            c.fail(QStringLiteral("printed [%1]: expected each 'in N' followed by its 'out N' (%2)").arg(t.join(QLatin1String(", ")), why));
    } else if (name == QLatin1String("semaphore_5")) {
        const QString why = QStringLiteral("asyncio.Semaphore(2) lets two handlers through at a time");
        c.doneGroups({0.4, 0.8, 1.2}, {2, 2, 1}, why);
        c.printsAsMultiset(QStringLiteral("through \\d+"), numbered(QStringLiteral("through "), 5), why);
    } else if (name == QLatin1String("wait_for_timeout_2")) {
        const QString why = QStringLiteral("asyncio.wait_for cancels the sleep after 0.2 s and the handler answers 504");
        c.doneGroups({0.2}, {2}, why);
        c.body(0, QStringLiteral("{\"detail\":\"too slow\"}"));
        c.body(1, QStringLiteral("{\"detail\":\"too slow\"}"));
        c.printsAsMultiset(QStringLiteral("timeout \\d+"), numbered(QStringLiteral("timeout "), 2), why);
    } else if (name == QLatin1String("event_2")) {
        const QString why = QStringLiteral("both handlers wait on the asyncio.Event until the third request sets it at 0.2 s; waiters wake in the order they waited");
        c.doneGroups({0.2}, {3}, why);
        const QStringList t = c.tokens(QStringLiteral("(waiting|woke) \\d+|set"));
        const bool shape = t.size() == 5 && t[0].startsWith(QLatin1String("waiting ")) && t[1].startsWith(QLatin1String("waiting "))
            && t[2] == QLatin1String("set") && t[3] == QStringLiteral("woke ") + t[0].mid(8) && t[4] == QStringLiteral("woke ") + t[1].mid(8);
        if (!shape)
            c.fail(QStringLiteral("printed [%1]: expected waiting A, waiting B, set, woke A, woke B (%2)").arg(t.join(QLatin1String(", ")), why));
    } else if (name == QLatin1String("taskgroup_2")) {
        const QString why = QStringLiteral("a TaskGroup runs its three sleeps (0.3, 0.2, 0.1 s) at once and waits for all of them");
        c.doneGroups({0.3}, {2}, why);
        c.body(0, QStringLiteral("{\"i\":0,\"parts\":[0,1,2]}"));
        c.body(1, QStringLiteral("{\"i\":1,\"parts\":[0,1,2]}"));
        for (const QString &i : {QStringLiteral("0"), QStringLiteral("1")}) {
            const QStringList parts = c.tokens(QStringLiteral("part %1\\.\\d").arg(i));
            const QString p = QStringLiteral("part %1.").arg(i);
            if (parts != QStringList{p + QLatin1Char('2'), p + QLatin1Char('1'), p + QLatin1Char('0')})
                c.fail(QStringLiteral("request %1 printed [%2]: expected the shortest sleep first (%3)").arg(i, parts.join(QLatin1String(", ")), why));
            c.printedAt(p + QLatin1Char('2'), 0.1, why);
            c.printedAt(p + QLatin1Char('0'), 0.3, why);
        }
    } else if (name == QLatin1String("taskgroup_fail_2")) {
        const QString why = QStringLiteral("the failing task cancels its sibling at 0.1 s and the group's ExceptionGroup becomes a 502");
        c.doneGroups({0.1}, {2}, why);
        const QString detail = QStringLiteral("{\"detail\":\"unhandled errors in a TaskGroup (1 sub-exception)\"}");
        c.body(0, detail);
        c.body(1, detail);
        c.printsAsMultiset(QStringLiteral("sibling cancelled \\d+"), numbered(QStringLiteral("sibling cancelled "), 2), why);
        for (const QString &i : {QStringLiteral("0"), QStringLiteral("1")}) {
            const QString line = QStringLiteral("group %1: unhandled errors in a TaskGroup (1 sub-exception) (ValueError('bad part'),)").arg(i);
            if (!c.tokens(QRegularExpression::escape(line)).size())
                c.fail(QStringLiteral("'%1' never printed: %2").arg(line, why));
        }
        c.allBefore(QStringLiteral("sibling cancelled \\d+"), QStringLiteral("group \\d+"), QStringLiteral("the group waits for its cancelled tasks before it raises"));
    } else if (name == QLatin1String("timeout_2")) {
        const QString why = QStringLiteral("asyncio.timeout(0.2) cancels the sleep and raises TimeoutError; the handler answers 504");
        c.doneGroups({0.2}, {2}, why);
        c.body(0, QStringLiteral("{\"detail\":\"too slow\"}"));
        c.body(1, QStringLiteral("{\"detail\":\"too slow\"}"));
        c.printsAsMultiset(QStringLiteral("timed out \\d+"), numbered(QStringLiteral("timed out "), 2), why);
    } else {
        c.fail(QStringLiteral("no expectation written for scenario %1").arg(name));
    }
    return c.failures;
}

} // namespace conformance
