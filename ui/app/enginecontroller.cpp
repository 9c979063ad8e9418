#include "enginecontroller.h"

#include "sessionjson.h"

#include "trace/chrometraceexport.h"
#include "trace/csvexport.h"
#include "trace/jsonexport.h"
#include "trace/tracebuffer.h"

#ifdef LOOPSCOPE_HAVE_HOST
#include "host/benchrun.h"
#include "host/engine.h"
#include "host/livesession.h"
#endif

#include <QFile>
#include <QThreadPool>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include <cmath>

namespace loopscope::ui {

namespace {

// Lets go of a session on a pool thread (the pool is waited for when the app quits): the
// last owner frees it there, not on the GUI thread.
void retire(std::shared_ptr<const trace::Session> &&session)
{
    if (!session)
        return;
    QThreadPool::globalInstance()->start([doomed = std::move(session)]() mutable { doomed.reset(); });
}

} // namespace

#ifdef LOOPSCOPE_HAVE_HOST
namespace {

host::EngineSettings toHost(const EngineConfig &c)
{
    host::EngineSettings s;
    s.threads = c.threads;
    s.limiterLifo = c.limiterLifo;
    s.defaultExecutorThreads = c.defaultExecutorThreads;
    s.gil = c.gil;
    s.switchInterval = c.switchInterval;
    s.workers = c.workers;
    s.keepAliveTimeout = c.keepAliveTimeout;
    s.slowCallbackDuration = c.slowCallbackDuration;
    s.limitConcurrency = c.limitConcurrency;
    s.bindAddress = QStringLiteral("127.0.0.1");
    s.port = c.port;
    return s;
}

QList<SourceMark> toMarks(const QList<host::SourceError> &errors, SourceMark::Severity severity)
{
    QList<SourceMark> marks;
    for (const host::SourceError &e : errors) {
        SourceMark m;
        m.severity = severity;
        m.line = e.line;
        m.column = e.column;
        m.endLine = e.endLine;
        m.endColumn = e.endColumn;
        m.message = e.message;
        marks.append(m);
    }
    return marks;
}

} // namespace

struct EngineController::Impl {
    host::Engine engine;
    std::unique_ptr<host::BenchRun> bench;
    host::LiveSession live;
    bool liveActive = false;
    bool started = false;          // start() was asked for and no stop() since
    host::EngineSettings startedWith;
};
#else
struct EngineController::Impl {
    bool liveActive = false;
};
#endif

EngineController::EngineController(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Impl>())
{
#ifdef LOOPSCOPE_HAVE_HOST
    host::Engine *e = &d->engine;
    connect(e, &host::Engine::loaded, this, [this](const QList<host::EndpointInfo> &eps) {
        m_endpoints.clear();
        for (const host::EndpointInfo &i : eps)
            m_endpoints.append({i.method, i.path, i.function, i.isAsync, i.line});
        emit loaded(m_endpoints);
        if (d->engine.isRunning()) {
            m_port = d->engine.port();
            setState(State::Running);
        }
    });
    connect(e, &host::Engine::loadFailed, this, [this](const QList<host::SourceError> &errors) {
        emit loadFailed(toMarks(errors, SourceMark::Severity::Error));
        QStringList tracebacks;
        for (const host::SourceError &err : errors) {
            if (!err.traceback.isEmpty())
                tracebacks.append(err.traceback.trimmed());
        }
        if (!tracebacks.isEmpty())
            emit logLines(tracebacks, {});
        // A running engine keeps serving the last good app, like uvicorn --reload.
        if (d->engine.isRunning())
            setState(State::Running, tr("Running the last good version on 127.0.0.1:%1").arg(m_port));
        else
            setState(State::Failed);
    });
    connect(e, &host::Engine::diagnostics, this, [this](const QList<host::SourceError> &warnings) {
        emit diagnostics(toMarks(warnings, SourceMark::Severity::Warning));
    });
    connect(e, &host::Engine::started, this, [this](quint16 port) {
        m_port = port;
        setState(State::Running);
    });
    connect(e, &host::Engine::startFailed, this, [this](const QString &reason) {
        d->started = false;
        setState(State::Failed, tr("Engine did not start: %1").arg(reason));
        emit errorOccurred(tr("The engine did not start: %1").arg(reason));
    });
    connect(e, &host::Engine::stopped, this, [this] {
        m_port = 0;
        if (m_state != State::Loading)
            setState(State::Stopped);
    });
    connect(e, &host::Engine::logLines, this, &EngineController::logLines);
#else
    m_state = State::Unavailable;
#endif
}

EngineController::~EngineController()
{
#ifdef LOOPSCOPE_HAVE_HOST
    // The bench run joins its client threads before the engine goes away.
    d->bench.reset();
#endif
}

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
#ifdef LOOPSCOPE_HAVE_HOST
    const host::EngineSettings wanted = toHost(m_config);
    auto same = [](const host::EngineSettings &a, const host::EngineSettings &b) {
        return a.threads == b.threads && a.limiterLifo == b.limiterLifo &&
               a.defaultExecutorThreads == b.defaultExecutorThreads && a.gil == b.gil &&
               a.switchInterval == b.switchInterval && a.workers == b.workers &&
               a.keepAliveTimeout == b.keepAliveTimeout && a.slowCallbackDuration == b.slowCallbackDuration &&
               a.limitConcurrency == b.limitConcurrency && a.port == b.port;
    };
    if (m_burstRunning) {
        emit errorOccurred(tr("A burst is running: stop it before applying new code"));
        return;
    }
    const bool restart = d->started && !same(wanted, d->startedWith);
    if (restart)
        d->engine.stop();
    if (m_state != State::Running || restart)
        setState(State::Loading);
    d->engine.load(source, fileName);
    if (!d->started || restart) {
        d->engine.start(wanted);
        d->started = true;
        d->startedWith = wanted;
    }
#else
    Q_UNUSED(source);
    Q_UNUSED(fileName);
    setState(State::Unavailable, tr("This build of Loopscope has no engine: nothing can run"));
#endif
}

void EngineController::stopEngine()
{
#ifdef LOOPSCOPE_HAVE_HOST
    stopBurst();
    d->engine.stop();
    d->started = false;
#endif
}

bool EngineController::runBurst(const BurstSpec &spec, QString *why)
{
    const QString problem = spec.validate();
    if (!problem.isEmpty()) {
        if (why)
            *why = problem;
        return false;
    }
    if (m_burstRunning) {
        if (why)
            *why = tr("a burst is already running");
        return false;
    }
#ifdef LOOPSCOPE_HAVE_HOST
    if (m_state != State::Running || !d->engine.isRunning()) {
        if (why)
            *why = tr("the engine is not running: apply the code first (Ctrl+S)");
        return false;
    }
    http::BurstPlan plan;
    plan.host = "127.0.0.1";
    plan.port = d->engine.port();
    plan.pathTemplate = spec.path.toStdString();
    plan.requests = spec.requests;
    plan.connections = spec.connections;
    plan.keepAlive = spec.keepAlive;
    plan.browserLike = spec.browser;
    if (spec.mode == BurstSpec::Mode::Duration)
        plan.duration = spec.duration;
    if (spec.mode == BurstSpec::Mode::Rate)
        plan.rate = spec.rate;
    for (const ExtraRequest &e : spec.extras)
        plan.extras.push_back({e.at, e.path.toStdString()});
    plan.threads = spec.effectiveConnections() > 64 ? 2 : 1;

    d->bench = std::make_unique<host::BenchRun>(&d->engine);
    connect(d->bench.get(), &host::BenchRun::progress, this, &EngineController::burstProgress);
    connect(d->bench.get(), &host::BenchRun::finished, this, [this](std::shared_ptr<const host::BenchResult> r) {
        // The finished run, with the client's records merged, replaces the live model (its
        // session shared with the result, not copied). The run shown before is freed off
        // the GUI thread: tens of thousands of requests' phases and paths take milliseconds.
        retire(std::move(m_shown));
        const bool stopped = r->stopped;
        m_shown = std::shared_ptr<const trace::Session>(r, &r->session);
        m_shownOriginNs = r->originNs;
        d->liveActive = false;
        m_burstRunning = false;
        emit burstFinished(stopped);
    });
    d->live.setSlowStep(m_config.slowCallbackDuration);
    d->live.reset(trace::now());
    d->liveActive = true;
    m_burstRunning = true;
    d->bench->start(plan);
    emit burstStarted();
    return true;
#else
    if (why)
        *why = tr("this build of Loopscope has no engine");
    return false;
#endif
}

void EngineController::stopBurst()
{
#ifdef LOOPSCOPE_HAVE_HOST
    if (d->bench && d->bench->isRunning())
        d->bench->stop();
#endif
}

bool EngineController::poll()
{
#ifdef LOOPSCOPE_HAVE_HOST
    if (d->liveActive)
        return d->live.poll();
    // Between bursts the engine still traces (the lag sampler never stops): drop it so
    // nothing piles up while the app sits idle.
    if (m_state == State::Running)
        d->live.reset();
#endif
    return false;
}

const trace::Session *EngineController::session() const
{
#ifdef LOOPSCOPE_HAVE_HOST
    if (d->liveActive)
        return &d->live.session();
#endif
    return m_shown.get();
}

std::uint64_t EngineController::sessionOriginNs() const
{
#ifdef LOOPSCOPE_HAVE_HOST
    if (d->liveActive)
        return d->live.origin();
#endif
    return m_shown ? m_shownOriginNs : 0;
}

std::shared_ptr<const trace::Session> EngineController::finishedSession() const
{
#ifdef LOOPSCOPE_HAVE_HOST
    if (d->liveActive)
        return nullptr;
#endif
    return m_shown;
}

void EngineController::showSession(const trace::Session &session)
{
    retire(std::move(m_shown));
    m_shown = std::make_shared<const trace::Session>(session);
    m_shownOriginNs = 0;
}

void EngineController::clearSession()
{
    retire(std::move(m_shown));
    m_shown.reset();
    m_shownOriginNs = 0;
}

QJsonObject EngineController::resultsJson() const
{
    const trace::Session *s = session();
    return s ? trace::sessionToJson(*s) : QJsonObject{};
}

bool EngineController::exportJson(const QString &path, QString *error) const
{
    const trace::Session *s = session();
    if (!s) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    return trace::writeJson(*s, path, error);
}

bool EngineController::exportCsv(const QString &path, QString *error) const
{
    const trace::Session *s = session();
    if (!s) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    return trace::writeCsv(*s, path, error);
}

bool EngineController::exportPerfetto(const QString &path, QString *error) const
{
    const trace::Session *s = session();
    if (!s) {
        if (error)
            *error = tr("there is no run to export yet");
        return false;
    }
    return trace::writeChromeTrace(*s, path, error);
}

} // namespace loopscope::ui
