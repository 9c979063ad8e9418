// CSV export of a session's requests.
#include "csvexport.h"

#include <QFile>

#include <cmath>

namespace loopscope::trace {

namespace {

QByteArray num(double v, int decimals = 6)
{
    if (std::isnan(v) || std::isinf(v))
        return {};
    return QByteArray::number(v, 'f', decimals);
}

// RFC 4180 quoting when needed.
QByteArray field(const std::string &s)
{
    QByteArray b = QByteArray::fromStdString(s);
    if (b.contains(',') || b.contains('"') || b.contains('\n') || b.contains('\r')) {
        b.replace("\"", "\"\"");
        b = '"' + b + '"';
    }
    return b;
}


double lastEnd(const RequestTimeline &r, Phase phase)
{
    double end = std::nan("");
    for (const PhaseSpan &p : r.phases)
        if (p.phase == phase && !p.open())
            end = p.end;
    return end;
}

} // namespace

QStringList csvColumns()
{
    return {QStringLiteral("id"),          QStringLiteral("method"),
            QStringLiteral("path"),        QStringLiteral("conn"),
            QStringLiteral("server_conn"), QStringLiteral("process"),
            QStringLiteral("status"),      QStringLiteral("bytes"),
            QStringLiteral("sent"),        QStringLiteral("accepted"),
            QStringLiteral("read"),        QStringLiteral("start"),
            QStringLiteral("run_end"),     QStringLiteral("response_written"),
            QStringLiteral("first_byte"),  QStringLiteral("done"),
            QStringLiteral("latency_ms"),  QStringLiteral("reading_s"),
            QStringLiteral("queued_s"),    QStringLiteral("token_wait_s"),
            QStringLiteral("running_s"),   QStringLiteral("suspended_s"),
            QStringLiteral("waiting_loop_s"), QStringLiteral("background_s"),
            QStringLiteral("run_intervals"), QStringLiteral("threads"),
            QStringLiteral("pool"),        QStringLiteral("sent_rank"),
            QStringLiteral("done_rank"),   QStringLiteral("delayed_by_blocked"),
            QStringLiteral("body")};
}

QByteArray sessionToCsv(const Session &s)
{
    QByteArray out = csvColumns().join(QLatin1Char(',')).toUtf8() + '\n';
    for (const RequestTimeline &r : s.requests) {
        std::string threads, pool;
        int runs = 0;
        for (const PhaseSpan &p : r.phases) {
            if (p.phase == Phase::Running) {
                ++runs;
                const std::string name = s.threadName(p.thread);
                if (threads.find(name) == std::string::npos)
                    threads += (threads.empty() ? "" : " ") + name;
            }
            if (p.phase == Phase::WaitingToken && pool.empty()) {
                const PoolModel *pm = s.pool(p.pool);
                pool = pm ? pm->name : std::to_string(p.pool);
            }
        }
        QList<QByteArray> row;
        row << QByteArray::number(qint64(r.id)) << field(r.method) << field(r.path)
            << QByteArray::number(qint64(r.clientConnection))
            << QByteArray::number(qint64(r.connection)) << QByteArray::number(r.process)
            << QByteArray::number(r.status) << QByteArray::number(qint64(r.bytes))
            << num(r.sent) << num(r.accepted) << num(r.read) << num(r.start())
            << num(lastEnd(r, Phase::Running)) << num(r.responseWritten) << num(r.firstByte)
            << num(r.done()) << num(r.latency() * 1000.0, 3)
            << num(r.total(Phase::Reading)) << num(r.total(Phase::Queued))
            << num(r.total(Phase::WaitingToken)) << num(r.total(Phase::Running))
            << num(r.total(Phase::Suspended)) << num(r.total(Phase::WaitingLoop))
            << num(r.total(Phase::Background)) << QByteArray::number(runs) << field(threads)
            << field(pool) << QByteArray::number(r.sentRank) << QByteArray::number(r.doneRank)
            << QByteArray::number(qsizetype(r.delayedBy.size())) << field(r.body);
        out += row.join(',') + '\n';
    }
    return out;
}

bool writeCsv(const Session &session, const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QByteArray bytes = sessionToCsv(session);
    if (f.write(bytes) != bytes.size()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace loopscope::trace
