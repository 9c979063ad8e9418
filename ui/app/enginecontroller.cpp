#include "enginecontroller.h"

#include "sessionjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include <cmath>

namespace loopscope::ui {

namespace {

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

bool writeAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

} // namespace

struct EngineController::Impl {
};

EngineController::EngineController(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Impl>())
{
    if (!engineAvailable())
        m_state = State::Unavailable;
}

EngineController::~EngineController() = default;

bool EngineController::engineAvailable()
{
#ifdef LOOPSCOPE_HAVE_HOST
    return true;
#else
    return false;
#endif
}

QString EngineController::stateText() const
{
    switch (m_state) {
    case State::Unavailable: return tr("Engine not built");
    case State::Stopped: return tr("Engine stopped");
    case State::Loading: return tr("Loading…");
    case State::Running: return tr("Running on 127.0.0.1:%1").arg(m_port);
    case State::Failed: return tr("App failed to load");
    }
    return {};
}

void EngineController::setState(State s, const QString &text)
{
    m_state = s;
    emit stateChanged(s, text.isEmpty() ? stateText() : text);
}

void EngineController::setConfig(const EngineConfig &config)
{
    m_config = config.sanitized();
}

void EngineController::apply(const QString &source, const QString &fileName)
{
    Q_UNUSED(source);
    Q_UNUSED(fileName);
    if (!engineAvailable()) {
        setState(State::Unavailable, tr("This build of Loopscope has no engine: nothing can run"));
        return;
    }
}

void EngineController::stopEngine()
{
    if (!engineAvailable())
        return;
}

bool EngineController::runBurst(const BurstSpec &spec, QString *why)
{
    const QString problem = spec.validate();
    if (!problem.isEmpty()) {
        if (why)
            *why = problem;
        return false;
    }
    if (m_state != State::Running) {
        if (why)
            *why = tr("the engine is not running: apply the code first (Ctrl+S)");
        return false;
    }
    return false;
}

void EngineController::stopBurst()
{
}

bool EngineController::poll()
{
    return false;
}

const trace::Session *EngineController::session() const
{
    return m_haveShown ? &m_shown : nullptr;
}

void EngineController::showSession(const trace::Session &session)
{
    m_shown = session;
    m_haveShown = true;
}

void EngineController::clearSession()
{
    m_shown = {};
    m_haveShown = false;
}

QJsonObject EngineController::resultsJson() const
{
    const trace::Session *s = session();
    if (!s)
        return {};
    QJsonArray requests;
    for (const trace::RequestTimeline &r : s->requests) {
        requests.append(QJsonObject{
            {QStringLiteral("id"), qint64(r.id)},
            {QStringLiteral("path"), QString::fromStdString(r.path)},
            {QStringLiteral("conn"), qint64(r.clientConnection >= 0 ? r.clientConnection : r.connection)},
            {QStringLiteral("sent"), num(r.sent)},
            {QStringLiteral("start"), num(r.start())},
            {QStringLiteral("done"), num(r.done())},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("body"), QString::fromStdString(r.body)},
        });
    }
    QJsonArray prints;
    for (const trace::PrintLine &p : s->prints)
        prints.append(QJsonObject{{QStringLiteral("t"), p.t}, {QStringLiteral("text"), QString::fromStdString(p.text)},
                                  {QStringLiteral("request"), qint64(p.request)},
                                  {QStringLiteral("thread"), QString::fromStdString(p.thread)}});
    QJsonArray lag;
    for (const trace::LagSample &l : s->loop.lag)
        lag.append(QJsonArray{l.t, l.ms});
    QJsonArray blocked;
    for (const trace::BlockedSpan &b : s->loop.blocked)
        blocked.append(QJsonObject{{QStringLiteral("start"), b.start}, {QStringLiteral("end"), b.end},
                                   {QStringLiteral("where"), QString::fromStdString(b.where)},
                                   {QStringLiteral("function"), QString::fromStdString(b.function)},
                                   {QStringLiteral("call"), QString::fromStdString(b.call)}});
    QJsonArray pool;
    if (const trace::PoolModel *p = s->mainLimiter()) {
        for (const trace::PoolPoint &pt : p->series)
            pool.append(QJsonArray{pt.t, pt.busy, pt.waiting});
    }
    const trace::LatencySummary lat = s->latency();
    const double wall = s->wall();
    const int n = int(s->requests.size());
    return QJsonObject{
        {QStringLiteral("requests"), requests},
        {QStringLiteral("prints"), prints},
        {QStringLiteral("loop"), QJsonObject{{QStringLiteral("lag_ms"), lag}, {QStringLiteral("blocked"), blocked}}},
        {QStringLiteral("pool"), pool},
        {QStringLiteral("summary"),
         QJsonObject{{QStringLiteral("requests"), n},
                     {QStringLiteral("errors"), s->errors()},
                     {QStringLiteral("wall"), wall},
                     {QStringLiteral("rps"), wall > 0 ? n / wall : 0.0},
                     {QStringLiteral("latency_ms"),
                      QJsonObject{{QStringLiteral("p50"), lat.p50}, {QStringLiteral("p90"), lat.p90},
                                  {QStringLiteral("p99"), lat.p99}, {QStringLiteral("max"), lat.max}}}}},
    };
}

bool EngineController::exportJson(const QString &path, QString *error) const
{
    if (!session()) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    return writeAtomically(path, QJsonDocument(resultsJson()).toJson(QJsonDocument::Indented), error);
}

bool EngineController::exportCsv(const QString &path, QString *error) const
{
    const trace::Session *s = session();
    if (!s) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    QByteArray out;
    QTextStream ts(&out);
    ts << "id,path,conn,sent,start,done,latency_ms,status\n";
    auto f = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 6) : QString(); };
    for (const trace::RequestTimeline &r : s->requests) {
        QString p = QString::fromStdString(r.path);
        if (p.contains(QLatin1Char(',')) || p.contains(QLatin1Char('"')))
            p = QLatin1Char('"') + p.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        const double lat = r.latency();
        ts << r.id << ',' << p << ',' << (r.clientConnection >= 0 ? r.clientConnection : r.connection) << ','
           << f(r.sent) << ',' << f(r.start()) << ',' << f(r.done()) << ','
           << (std::isfinite(lat) ? QString::number(lat * 1000.0, 'f', 3) : QString()) << ',' << r.status << '\n';
    }
    ts.flush();
    return writeAtomically(path, out, error);
}

bool EngineController::exportPerfetto(const QString &path, QString *error) const
{
    Q_UNUSED(path);
    if (!session()) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    if (error)
        *error = tr("the Perfetto exporter is not part of this build");
    return false;
}

} // namespace loopscope::ui
