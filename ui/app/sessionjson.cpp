#include "sessionjson.h"

#include "trace/session.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

namespace {

using namespace loopscope::trace;

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

double numOr(const QJsonValue &v, double fallback)
{
    return v.isDouble() ? v.toDouble() : fallback;
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

std::string ss(const QJsonValue &v)
{
    return v.toString().toStdString();
}

} // namespace

QJsonObject SessionJson::toJson(const Session &s)
{
    QJsonArray requests;
    for (const RequestTimeline &r : s.requests) {
        QJsonArray phases;
        for (const PhaseSpan &p : r.phases) {
            phases.append(QJsonArray{int(p.phase), num(p.start), num(p.end), qint64(p.thread), qint64(p.pool),
                                     qs(p.detail)});
        }
        QJsonArray delayed;
        for (int d : r.delayedBy)
            delayed.append(d);
        requests.append(QJsonObject{
            {QStringLiteral("id"), qint64(r.id)},
            {QStringLiteral("method"), qs(r.method)},
            {QStringLiteral("path"), qs(r.path)},
            {QStringLiteral("conn"), qint64(r.connection)},
            {QStringLiteral("clientConn"), qint64(r.clientConnection)},
            {QStringLiteral("process"), int(r.process)},
            {QStringLiteral("sent"), num(r.sent)},
            {QStringLiteral("firstByte"), num(r.firstByte)},
            {QStringLiteral("clientDone"), num(r.clientDone)},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("bytes"), qint64(r.bytes)},
            {QStringLiteral("body"), qs(r.body)},
            {QStringLiteral("accepted"), num(r.accepted)},
            {QStringLiteral("read"), num(r.read)},
            {QStringLiteral("responseWritten"), num(r.responseWritten)},
            {QStringLiteral("phases"), phases},
            {QStringLiteral("sentRank"), r.sentRank},
            {QStringLiteral("doneRank"), r.doneRank},
            {QStringLiteral("delayedBy"), delayed},
        });
    }
    QJsonArray lag;
    for (const LagSample &l : s.loop.lag)
        lag.append(QJsonArray{l.t, l.ms});
    QJsonArray util;
    for (const UtilisationBin &u : s.loop.utilisation)
        util.append(QJsonArray{u.t, u.busy});
    QJsonArray blocked;
    for (const BlockedSpan &b : s.loop.blocked) {
        QJsonArray delayed;
        for (auto d : b.delayed)
            delayed.append(qint64(d));
        blocked.append(QJsonObject{{QStringLiteral("start"), b.start}, {QStringLiteral("end"), b.end},
                                   {QStringLiteral("where"), qs(b.where)}, {QStringLiteral("function"), qs(b.function)},
                                   {QStringLiteral("call"), qs(b.call)}, {QStringLiteral("request"), qint64(b.request)},
                                   {QStringLiteral("process"), int(b.process)}, {QStringLiteral("delayed"), delayed}});
    }
    QJsonArray warnings;
    for (const LoopWarningLine &w : s.loop.warnings)
        warnings.append(QJsonArray{w.t, qs(w.text)});
    const LagHistogram &h = s.loop.histogram;
    QJsonObject loop{
        {QStringLiteral("lag_ms"), lag},
        {QStringLiteral("binSeconds"), s.loop.binSeconds},
        {QStringLiteral("utilisation"), util},
        {QStringLiteral("blocked"), blocked},
        {QStringLiteral("warnings"), warnings},
        {QStringLiteral("steps"), qint64(s.loop.steps)},
        {QStringLiteral("histogram"),
         QJsonArray{qint64(h.count), h.min, h.mean, h.max, h.p50, h.p90, h.p99, h.stddev}},
    };
    QJsonArray pools;
    for (const PoolModel &p : s.pools) {
        QJsonArray series;
        for (const PoolPoint &pt : p.series)
            series.append(QJsonArray{pt.t, pt.busy, pt.waiting});
        QJsonArray waits;
        for (const TokenWait &w : p.waits)
            waits.append(QJsonArray{qint64(w.request), w.start, num(w.end)});
        pools.append(QJsonObject{{QStringLiteral("id"), qint64(p.id)}, {QStringLiteral("name"), qs(p.name)},
                                 {QStringLiteral("limit"), p.limit}, {QStringLiteral("process"), int(p.process)},
                                 {QStringLiteral("series"), series}, {QStringLiteral("waits"), waits},
                                 {QStringLiteral("peakBusy"), p.peakBusy}, {QStringLiteral("peakWaiting"), p.peakWaiting}});
    }
    QJsonArray prints;
    for (const PrintLine &p : s.prints)
        prints.append(QJsonObject{{QStringLiteral("t"), p.t}, {QStringLiteral("text"), qs(p.text)},
                                  {QStringLiteral("request"), qint64(p.request)}, {QStringLiteral("thread"), qs(p.thread)},
                                  {QStringLiteral("stream"), p.stream}});
    QJsonArray gil;
    for (const GilWait &g : s.gilWaits)
        gil.append(QJsonArray{qint64(g.request), qint64(g.thread), g.start, num(g.end), qs(g.where)});
    QJsonObject threads;
    for (const auto &[id, name] : s.threads)
        threads.insert(QString::number(id), qs(name));
    QJsonArray loopThreads;
    for (auto t : s.loopThreads)
        loopThreads.append(qint64(t));
    return QJsonObject{
        {QStringLiteral("end"), s.end},
        {QStringLiteral("requests"), requests},
        {QStringLiteral("loop"), loop},
        {QStringLiteral("pools"), pools},
        {QStringLiteral("prints"), prints},
        {QStringLiteral("gilWaits"), gil},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("loopThreads"), loopThreads},
    };
}

bool SessionJson::fromJson(const QJsonObject &o, Session *out)
{
    if (!o.contains(QStringLiteral("requests")) || !o.contains(QStringLiteral("loop")))
        return false;
    Session s;
    s.end = o.value(QStringLiteral("end")).toDouble();
    for (const QJsonValue &v : o.value(QStringLiteral("requests")).toArray()) {
        const QJsonObject r = v.toObject();
        RequestTimeline t;
        t.id = r.value(QStringLiteral("id")).toInteger(-1);
        t.method = ss(r.value(QStringLiteral("method")));
        t.path = ss(r.value(QStringLiteral("path")));
        t.connection = r.value(QStringLiteral("conn")).toInteger(-1);
        t.clientConnection = r.value(QStringLiteral("clientConn")).toInteger(-1);
        t.process = std::uint16_t(r.value(QStringLiteral("process")).toInt());
        t.sent = numOr(r.value(QStringLiteral("sent")), kUnknown);
        t.firstByte = numOr(r.value(QStringLiteral("firstByte")), kUnknown);
        t.clientDone = numOr(r.value(QStringLiteral("clientDone")), kUnknown);
        t.status = r.value(QStringLiteral("status")).toInt();
        t.bytes = r.value(QStringLiteral("bytes")).toInteger(-1);
        t.body = ss(r.value(QStringLiteral("body")));
        t.accepted = numOr(r.value(QStringLiteral("accepted")), kUnknown);
        t.read = numOr(r.value(QStringLiteral("read")), kUnknown);
        t.responseWritten = numOr(r.value(QStringLiteral("responseWritten")), kUnknown);
        for (const QJsonValue &pv : r.value(QStringLiteral("phases")).toArray()) {
            const QJsonArray a = pv.toArray();
            if (a.size() < 6)
                continue;
            PhaseSpan p;
            const int ph = a.at(0).toInt();
            if (ph < 0 || ph >= int(Phase::Count))
                continue;
            p.phase = Phase(ph);
            p.start = a.at(1).toDouble();
            p.end = numOr(a.at(2), kOpen);
            p.thread = std::uint32_t(a.at(3).toInteger());
            p.pool = a.at(4).toInteger(-1);
            p.detail = ss(a.at(5));
            t.phases.push_back(std::move(p));
        }
        t.sentRank = r.value(QStringLiteral("sentRank")).toInt(-1);
        t.doneRank = r.value(QStringLiteral("doneRank")).toInt(-1);
        for (const QJsonValue &d : r.value(QStringLiteral("delayedBy")).toArray())
            t.delayedBy.push_back(d.toInt());
        s.requests.push_back(std::move(t));
    }
    std::sort(s.requests.begin(), s.requests.end(),
              [](const RequestTimeline &a, const RequestTimeline &b) { return a.id < b.id; });

    const QJsonObject loop = o.value(QStringLiteral("loop")).toObject();
    for (const QJsonValue &v : loop.value(QStringLiteral("lag_ms")).toArray()) {
        const QJsonArray a = v.toArray();
        s.loop.lag.push_back({a.at(0).toDouble(), a.at(1).toDouble()});
    }
    s.loop.binSeconds = loop.value(QStringLiteral("binSeconds")).toDouble(0.1);
    for (const QJsonValue &v : loop.value(QStringLiteral("utilisation")).toArray()) {
        const QJsonArray a = v.toArray();
        s.loop.utilisation.push_back({a.at(0).toDouble(), a.at(1).toDouble()});
    }
    for (const QJsonValue &v : loop.value(QStringLiteral("blocked")).toArray()) {
        const QJsonObject b = v.toObject();
        BlockedSpan span;
        span.start = b.value(QStringLiteral("start")).toDouble();
        span.end = b.value(QStringLiteral("end")).toDouble();
        span.where = ss(b.value(QStringLiteral("where")));
        span.function = ss(b.value(QStringLiteral("function")));
        span.call = ss(b.value(QStringLiteral("call")));
        span.request = b.value(QStringLiteral("request")).toInteger(-1);
        span.process = std::uint16_t(b.value(QStringLiteral("process")).toInt());
        for (const QJsonValue &d : b.value(QStringLiteral("delayed")).toArray())
            span.delayed.push_back(d.toInteger());
        s.loop.blocked.push_back(std::move(span));
    }
    for (const QJsonValue &v : loop.value(QStringLiteral("warnings")).toArray()) {
        const QJsonArray a = v.toArray();
        s.loop.warnings.push_back({a.at(0).toDouble(), ss(a.at(1))});
    }
    s.loop.steps = std::size_t(loop.value(QStringLiteral("steps")).toInteger());
    const QJsonArray h = loop.value(QStringLiteral("histogram")).toArray();
    if (h.size() == 8) {
        s.loop.histogram = {std::size_t(h.at(0).toInteger()), h.at(1).toDouble(), h.at(2).toDouble(), h.at(3).toDouble(),
                            h.at(4).toDouble(), h.at(5).toDouble(), h.at(6).toDouble(), h.at(7).toDouble()};
    }
    for (const QJsonValue &v : o.value(QStringLiteral("pools")).toArray()) {
        const QJsonObject p = v.toObject();
        PoolModel m;
        m.id = p.value(QStringLiteral("id")).toInteger(-1);
        m.name = ss(p.value(QStringLiteral("name")));
        m.limit = p.value(QStringLiteral("limit")).toInt();
        m.process = std::uint16_t(p.value(QStringLiteral("process")).toInt());
        for (const QJsonValue &sv : p.value(QStringLiteral("series")).toArray()) {
            const QJsonArray a = sv.toArray();
            m.series.push_back({a.at(0).toDouble(), a.at(1).toInt(), a.at(2).toInt()});
        }
        for (const QJsonValue &wv : p.value(QStringLiteral("waits")).toArray()) {
            const QJsonArray a = wv.toArray();
            m.waits.push_back({a.at(0).toInteger(-1), a.at(1).toDouble(), numOr(a.at(2), kOpen)});
        }
        m.peakBusy = p.value(QStringLiteral("peakBusy")).toInt();
        m.peakWaiting = p.value(QStringLiteral("peakWaiting")).toInt();
        s.pools.push_back(std::move(m));
    }
    for (const QJsonValue &v : o.value(QStringLiteral("prints")).toArray()) {
        const QJsonObject p = v.toObject();
        s.prints.push_back({p.value(QStringLiteral("t")).toDouble(), ss(p.value(QStringLiteral("thread"))),
                            p.value(QStringLiteral("request")).toInteger(-1), ss(p.value(QStringLiteral("text"))),
                            p.value(QStringLiteral("stream")).toInt()});
    }
    for (const QJsonValue &v : o.value(QStringLiteral("gilWaits")).toArray()) {
        const QJsonArray a = v.toArray();
        s.gilWaits.push_back({a.at(0).toInteger(-1), std::uint32_t(a.at(1).toInteger()), a.at(2).toDouble(),
                              numOr(a.at(3), kOpen), ss(a.at(4))});
    }
    const QJsonObject threads = o.value(QStringLiteral("threads")).toObject();
    for (auto it = threads.begin(); it != threads.end(); ++it)
        s.threads[std::uint32_t(it.key().toUInt())] = it.value().toString().toStdString();
    for (const QJsonValue &v : o.value(QStringLiteral("loopThreads")).toArray())
        s.loopThreads.push_back(std::uint32_t(v.toInteger()));
    *out = std::move(s);
    return true;
}

} // namespace loopscope::ui
