// JSON export of a session.
#include "jsonexport.h"

#include "traceevent.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace loopscope::trace {

namespace {

// Seconds rounded to the microsecond; unknown times are null.
QJsonValue sec(double v)
{
    if (std::isnan(v) || std::isinf(v))
        return QJsonValue(QJsonValue::Null);
    return std::round(v * 1e6) / 1e6;
}

QJsonValue ms(double v)
{
    if (std::isnan(v) || std::isinf(v))
        return QJsonValue(QJsonValue::Null);
    return std::round(v * 1e3) / 1e3;
}

QString str(const std::string &s) { return QString::fromStdString(s); }

QJsonObject requestJson(const Session &s, const RequestTimeline &r)
{
    QJsonObject o;
    o["id"] = qint64(r.id);
    o["path"] = str(r.path);
    o["conn"] = qint64(r.clientConnection >= 0 ? r.clientConnection : r.connection);
    o["sent"] = sec(r.sent);
    o["start"] = sec(r.start());
    o["done"] = sec(r.done());
    o["status"] = r.status;
    o["body"] = str(r.body);
    // extra keys
    if (!r.method.empty())
        o["method"] = str(r.method);
    o["server_conn"] = qint64(r.connection);
    o["process"] = int(r.process);
    o["first_byte"] = sec(r.firstByte);
    o["accepted"] = sec(r.accepted);
    o["read"] = sec(r.read);
    o["response_written"] = sec(r.responseWritten);
    o["bytes"] = qint64(r.bytes);
    o["latency_ms"] = ms(r.latency() * 1000.0);
    o["sent_rank"] = r.sentRank;
    o["done_rank"] = r.doneRank;
    QJsonArray phases;
    for (const PhaseSpan &p : r.phases) {
        QJsonObject ph;
        ph["phase"] = QString::fromLatin1(phaseName(p.phase));
        ph["start"] = sec(p.start);
        ph["end"] = sec(p.end);
        ph["thread"] = str(s.threadName(p.thread));
        if (p.pool >= 0) {
            const PoolModel *pool = s.pool(p.pool);
            ph["pool"] = pool ? str(pool->name) : QString::number(p.pool);
        }
        if (!p.detail.empty())
            ph["detail"] = str(p.detail);
        phases.append(ph);
    }
    o["phases"] = phases;
    QJsonArray delayed;
    for (int b : r.delayedBy)
        delayed.append(b);
    o["delayed_by_blocked"] = delayed;
    return o;
}

QJsonArray poolRows(const PoolModel &p)
{
    QJsonArray rows;
    for (const PoolPoint &pt : p.series)
        rows.append(QJsonArray{sec(pt.t), pt.busy, pt.waiting});
    return rows;
}

} // namespace

QJsonObject sessionToJson(const Session &s)
{
    return sessionToJson(s, diagnose(s));
}

QJsonObject sessionToJson(const Session &s, const std::vector<Finding> &findings)
{
    QJsonObject root;

    QJsonArray requests;
    for (const RequestTimeline &r : s.requests)
        requests.append(requestJson(s, r));
    root["requests"] = requests;

    // What the app printed; the server's own error reports go to "log", as uvicorn's
    // error log is not the app's output.
    QJsonArray prints;
    QJsonArray log;
    for (const PrintLine &p : s.prints) {
        QJsonObject o;
        o["t"] = sec(p.t);
        o["text"] = str(p.text);
        o["request"] = qint64(p.request);
        o["thread"] = str(p.thread);
        if (p.stream == PrintServerLog) {
            o["level"] = QStringLiteral("error");
            log.append(o);
            continue;
        }
        if (p.stream == PrintStderr)
            o["stream"] = QStringLiteral("stderr");
        prints.append(o);
    }
    root["prints"] = prints;
    root["log"] = log;

    QJsonObject loop;
    QJsonArray lag;
    for (const LagSample &l : s.loop.lag)
        lag.append(QJsonArray{sec(l.t), ms(l.ms)});
    loop["lag_ms"] = lag;
    QJsonArray blocked;
    for (const BlockedSpan &b : s.loop.blocked) {
        QJsonObject o;
        o["start"] = sec(b.start);
        o["end"] = sec(b.end);
        o["where"] = str(b.where);
        o["function"] = str(b.function);
        o["call"] = str(b.call);
        o["request"] = qint64(b.request);
        o["process"] = int(b.process);
        QJsonArray delayed;
        for (std::int64_t id : b.delayed)
            delayed.append(qint64(id));
        o["delayed"] = delayed;
        blocked.append(o);
    }
    loop["blocked"] = blocked;
    const LagHistogram &h = s.loop.histogram;
    loop["histogram"] = QJsonObject{{"count", qint64(h.count)}, {"min", ms(h.min)},
                                    {"mean", ms(h.mean)},       {"max", ms(h.max)},
                                    {"p50", ms(h.p50)},         {"p90", ms(h.p90)},
                                    {"p99", ms(h.p99)},         {"stddev", ms(h.stddev)}};
    QJsonArray util;
    for (const UtilisationBin &u : s.loop.utilisation)
        util.append(QJsonArray{sec(u.t), std::round(u.busy * 1e4) / 1e4});
    loop["utilisation"] = util;
    loop["utilisation_bin"] = s.loop.binSeconds;
    QJsonArray warnings;
    for (const LoopWarningLine &w : s.loop.warnings)
        warnings.append(QJsonObject{{"t", sec(w.t)}, {"text", str(w.text)}});
    loop["warnings"] = warnings;
    loop["steps"] = qint64(s.loop.steps);
    root["loop"] = loop;

    const PoolModel *main = s.mainLimiter();
    root["pool"] = main ? poolRows(*main) : QJsonArray();
    QJsonArray pools;
    for (const PoolModel &p : s.pools) {
        QJsonObject o;
        o["name"] = str(p.name);
        o["id"] = qint64(p.id);
        o["process"] = int(p.process);
        o["limit"] = p.limit;
        o["peak_busy"] = p.peakBusy;
        o["peak_waiting"] = p.peakWaiting;
        o["series"] = poolRows(p);
        QJsonArray waits;
        for (const TokenWait &w : p.waits)
            waits.append(QJsonObject{{"request", qint64(w.request)},
                                     {"start", sec(w.start)},
                                     {"end", sec(w.end)}});
        o["waits"] = waits;
        pools.append(o);
    }
    root["pools"] = pools;

    QJsonObject summary;
    const double wall = s.wall();
    const LatencySummary lat = s.latency();
    summary["requests"] = qint64(s.requests.size());
    summary["errors"] = s.errors();
    summary["wall"] = sec(wall);
    summary["rps"] = wall > 0 ? std::round(double(s.requests.size()) / wall * 100.0) / 100.0 : 0.0;
    summary["latency_ms"] = QJsonObject{{"p50", ms(lat.p50)}, {"p90", ms(lat.p90)},
                                        {"p99", ms(lat.p99)}, {"max", ms(lat.max)},
                                        {"mean", ms(lat.mean)}};
    root["summary"] = summary;

    QJsonArray diagnosis, detailed;
    for (const Finding &f : findings) {
        diagnosis.append(str(f.text));
        detailed.append(QJsonObject{{"severity", QString::fromLatin1(severityName(f.severity))},
                                    {"text", str(f.text)},
                                    {"where", str(f.where)},
                                    {"file", str(f.file)},
                                    {"line", f.line},
                                    {"rule", str(f.rule)}});
    }
    root["diagnosis"] = diagnosis;
    root["findings"] = detailed;

    QJsonObject threads;
    for (const auto &[id, name] : s.threads)
        threads[QString::number(id)] = str(name);
    root["threads"] = threads;
    return root;
}

bool writeJson(const Session &session, const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QByteArray bytes = QJsonDocument(sessionToJson(session)).toJson(QJsonDocument::Indented);
    if (f.write(bytes) != bytes.size()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace loopscope::trace
