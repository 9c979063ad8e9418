// Chrome trace-event export. Complete events ("X") only, kept properly nested per track,
// which is what the trace processors require.
#include "chrometraceexport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace loopscope::trace {

namespace {

constexpr int kRequestsPid = 100000;
constexpr qint64 kBlockedTid = 1000000;

double us(double seconds)
{
    if (std::isnan(seconds) || std::isinf(seconds))
        return 0;
    return std::max(0.0, std::round(seconds * 1e7) / 10.0); // 0.1 µs resolution
}

QString str(const std::string &s) { return QString::fromStdString(s); }

int serverPid(std::uint16_t process) { return int(process) + 1; }

struct Slice {
    double start = 0, end = 0; // µs
    QString name, cat;
    QJsonObject args;
};

// Per track, slices must nest or be disjoint: clip any slice that straddles the end of an
// enclosing one (only possible with clock skew between threads).
void emitTrack(QJsonArray &events, int pid, qint64 tid, std::vector<Slice> slices)
{
    std::stable_sort(slices.begin(), slices.end(), [](const Slice &a, const Slice &b) {
        return a.start < b.start || (a.start == b.start && a.end > b.end);
    });
    std::vector<double> stack; // ends of open enclosing slices
    for (Slice &s : slices) {
        while (!stack.empty() && stack.back() <= s.start)
            stack.pop_back();
        if (!stack.empty() && s.end > stack.back())
            s.end = stack.back();
        if (s.end < s.start)
            s.end = s.start;
        stack.push_back(s.end);
        QJsonObject e{{"ph", "X"}, {"name", s.name}, {"ts", s.start}, {"dur", s.end - s.start},
                      {"pid", pid},  {"tid", tid}};
        if (!s.cat.isEmpty())
            e["cat"] = s.cat;
        if (!s.args.isEmpty())
            e["args"] = s.args;
        events.append(e);
    }
}

QJsonObject meta(const char *what, int pid, qint64 tid, const QString &name)
{
    return {{"ph", "M"}, {"name", QString::fromLatin1(what)}, {"ts", 0}, {"pid", pid},
            {"tid", tid}, {"args", QJsonObject{{"name", name}}}};
}

QJsonObject sortIndex(const char *what, int pid, qint64 tid, qint64 index)
{
    return {{"ph", "M"}, {"name", QString::fromLatin1(what)}, {"ts", 0}, {"pid", pid},
            {"tid", tid}, {"args", QJsonObject{{"sort_index", index}}}};
}

QString requestLabel(const RequestTimeline &r)
{
    QString label = QStringLiteral("#%1").arg(r.id);
    if (!r.path.empty())
        label += QLatin1Char(' ') + (r.method.empty() ? QString() : str(r.method) + QLatin1Char(' '))
                 + str(r.path);
    return label;
}

} // namespace

QJsonObject sessionToChromeTrace(const Session &s)
{
    QJsonArray events;
    const double sessionEnd = s.end;

    std::set<std::uint16_t> processes;
    for (const RequestTimeline &r : s.requests)
        processes.insert(r.process);
    for (const BlockedSpan &b : s.loop.blocked)
        processes.insert(b.process);
    for (const PoolModel &p : s.pools)
        processes.insert(p.process);
    if (processes.empty())
        processes.insert(0);

    for (std::uint16_t p : processes) {
        events.append(meta("process_name", serverPid(p), 0,
                           QStringLiteral("server worker %1").arg(p)));
        events.append(sortIndex("process_sort_index", serverPid(p), 0, p));
        events.append(meta("thread_name", serverPid(p), kBlockedTid,
                           QStringLiteral("loop blocked")));
        events.append(sortIndex("thread_sort_index", serverPid(p), kBlockedTid, -1));
    }
    events.append(meta("process_name", kRequestsPid, 0, QStringLiteral("requests")));
    events.append(sortIndex("process_sort_index", kRequestsPid, 0, 1000));

    // Thread tracks: handler runs per thread, in the process of the request.
    std::map<std::pair<int, qint64>, std::vector<Slice>> threadSlices;
    std::map<std::pair<int, qint64>, std::string> threadNames;
    for (const RequestTimeline &r : s.requests) {
        for (const PhaseSpan &p : r.phases) {
            if (p.phase != Phase::Running)
                continue;
            const auto key = std::make_pair(serverPid(r.process), qint64(p.thread) + 1);
            threadNames[key] = s.threadName(p.thread);
            threadSlices[key].push_back({us(p.start), us(p.open() ? sessionEnd : p.end),
                                         requestLabel(r), QStringLiteral("run"),
                                         QJsonObject{{"request", qint64(r.id)}}});
        }
    }
    for (const PrintLine &p : s.prints) {
        int pid = serverPid(0);
        if (const RequestTimeline *r = s.request(p.request))
            pid = serverPid(r->process);
        qint64 tid = 0;
        for (const auto &[id, name] : s.threads)
            if (name == p.thread)
                tid = qint64(id) + 1;
        threadNames[{pid, tid}] = p.thread;
        events.append(QJsonObject{{"ph", "i"},
                                  {"s", "t"},
                                  {"name", str(p.text)},
                                  {"cat", "print"},
                                  {"ts", us(p.t)},
                                  {"pid", pid},
                                  {"tid", tid},
                                  {"args", QJsonObject{{"request", qint64(p.request)}}}});
    }
    for (auto &[key, slices] : threadSlices)
        emitTrack(events, key.first, key.second, std::move(slices));
    for (const auto &[key, name] : threadNames) {
        events.append(meta("thread_name", key.first, key.second, str(name)));
        const bool loop = isLoopThreadName(name);
        events.append(sortIndex("thread_sort_index", key.first, key.second,
                                loop ? 0 : key.second + 10));
    }

    // Blocked spans, with flows to the requests they delayed.
    std::map<int, std::vector<Slice>> blockedSlices;
    qint64 flowId = 1;
    for (std::size_t bi = 0; bi < s.loop.blocked.size(); ++bi) {
        const BlockedSpan &b = s.loop.blocked[bi];
        QString name = str(b.call.empty() ? std::string("blocked") : b.call);
        if (!b.where.empty())
            name += QStringLiteral(" @ ") + str(b.where);
        blockedSlices[serverPid(b.process)].push_back(
            {us(b.start), us(b.end), name, QStringLiteral("blocked"),
             QJsonObject{{"where", str(b.where)},
                         {"function", str(b.function)},
                         {"call", str(b.call)},
                         {"request", qint64(b.request)},
                         {"delayed", qint64(b.delayed.size())}}});
        for (std::int64_t id : b.delayed) {
            const RequestTimeline *r = s.request(id);
            if (!r)
                continue;
            const double from = r->sent == r->sent ? r->sent : r->accepted;
            const double to = r->finished() ? r->done() : sessionEnd;
            const double startTs = (us(b.start) + us(b.end)) / 2;
            const double endTs = std::clamp(us(b.end), us(from), us(to));
            events.append(QJsonObject{{"ph", "s"}, {"id", flowId}, {"name", "delayed"},
                                      {"cat", "blocked"}, {"ts", startTs},
                                      {"pid", serverPid(b.process)}, {"tid", kBlockedTid}});
            events.append(QJsonObject{{"ph", "f"}, {"bp", "e"}, {"id", flowId}, {"name", "delayed"},
                                      {"cat", "blocked"}, {"ts", endTs},
                                      {"pid", kRequestsPid}, {"tid", qint64(r->id) + 1}});
            ++flowId;
        }
    }
    for (auto &[pid, slices] : blockedSlices)
        emitTrack(events, pid, kBlockedTid, std::move(slices));
    for (const LoopWarningLine &w : s.loop.warnings)
        events.append(QJsonObject{{"ph", "i"}, {"s", "t"}, {"name", str(w.text)},
                                  {"cat", "asyncio"}, {"ts", us(w.t)}, {"pid", serverPid(0)},
                                  {"tid", kBlockedTid}});

    // Request tracks: the whole request, its phases nested inside.
    for (const RequestTimeline &r : s.requests) {
        const qint64 tid = qint64(r.id) + 1;
        events.append(meta("thread_name", kRequestsPid, tid, requestLabel(r)));
        events.append(sortIndex("thread_sort_index", kRequestsPid, tid, r.id));
        double from = r.sent == r.sent ? r.sent : r.accepted;
        double to = r.finished() ? r.done() : sessionEnd;
        for (const PhaseSpan &p : r.phases) {
            if (!(from <= p.start))
                from = p.start;
            to = std::max(to, p.open() ? sessionEnd : p.end);
        }
        if (std::isnan(from))
            continue;
        std::vector<Slice> slices;
        slices.push_back({us(from), us(to), requestLabel(r), QStringLiteral("request"),
                          QJsonObject{{"status", r.status},
                                      {"path", str(r.path)},
                                      {"sent_rank", r.sentRank},
                                      {"done_rank", r.doneRank}}});
        for (const PhaseSpan &p : r.phases) {
            QJsonObject args{{"thread", str(s.threadName(p.thread))}};
            if (!p.detail.empty())
                args["detail"] = str(p.detail);
            if (const PoolModel *pool = s.pool(p.pool))
                args["pool"] = str(pool->name);
            QString name = QString::fromLatin1(phaseName(p.phase));
            if (p.phase == Phase::Running)
                name += QStringLiteral(" on ") + str(s.threadName(p.thread));
            else if (p.phase == Phase::Suspended && !p.detail.empty())
                name = QStringLiteral("await ") + str(p.detail);
            slices.push_back({us(p.start), us(p.open() ? sessionEnd : p.end), name,
                              QStringLiteral("phase"), args});
        }
        emitTrack(events, kRequestsPid, tid, std::move(slices));
    }

    // Counters.
    const int pid0 = serverPid(0);
    for (const LagSample &l : s.loop.lag)
        events.append(QJsonObject{{"ph", "C"}, {"name", "loop lag (ms)"}, {"ts", us(l.t)},
                                  {"pid", pid0}, {"tid", 0},
                                  {"args", QJsonObject{{"lag", std::round(l.ms * 1000) / 1000}}}});
    for (const UtilisationBin &u : s.loop.utilisation)
        events.append(QJsonObject{{"ph", "C"}, {"name", "loop utilisation (%)"}, {"ts", us(u.t)},
                                  {"pid", pid0}, {"tid", 0},
                                  {"args", QJsonObject{{"busy", std::round(u.busy * 1000) / 10}}}});
    for (const PoolModel &p : s.pools) {
        const QString name = QStringLiteral("pool: ") + str(p.name);
        for (const PoolPoint &pt : p.series)
            events.append(QJsonObject{{"ph", "C"}, {"name", name}, {"ts", us(pt.t)},
                                      {"pid", serverPid(p.process)}, {"tid", 0},
                                      {"args", QJsonObject{{"busy", pt.busy},
                                                           {"waiting", pt.waiting}}}});
    }

    return QJsonObject{{"traceEvents", events},
                       {"displayTimeUnit", "ms"},
                       {"otherData", QJsonObject{{"generator", "Loopscope"}}}};
}

bool writeChromeTrace(const Session &session, const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QByteArray bytes = QJsonDocument(sessionToChromeTrace(session)).toJson(QJsonDocument::Compact);
    if (f.write(bytes) != bytes.size()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace loopscope::trace
