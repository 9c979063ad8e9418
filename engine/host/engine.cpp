// The GUI's engine: EngineCore on a control thread, results as queued signals.
#include "engine.h"

#include "enginecore.h"
#include "staticdiagnostics.h"

#include "trace/tracebuffer.h"

#include <QMetaObject>
#include <QPointer>

namespace loopscope::host {

Engine::Engine(QObject *parent)
    : QObject(parent)
    , m_core(std::make_unique<EngineCore>())
{
    qRegisterMetaType<QList<EndpointInfo>>("QList<loopscope::host::EndpointInfo>");
    qRegisterMetaType<QList<SourceError>>("QList<loopscope::host::SourceError>");
    QPointer<Engine> self(this);
    // Called on the servers' threads: an access line per request must not become a queued
    // call per request on the GUI thread (40,000 of them block it for seconds).
    m_core->setLogSink([self](const QString &line) {
        if (self)
            self->queueLogLine(line);
    });
    // Prints reach the app through the trace (LiveSession), timed and tied to their
    // request, a frame at a time; forwarding each one here too would show it twice and
    // cost the GUI thread a queued call per print.
    m_core->setPrintSink([](int, std::int64_t, const std::string &, bool) {});
    m_control = std::thread([this] { controlLoop(); });
}

Engine::~Engine()
{
    {
        std::lock_guard lock(m_jobsMutex);
        m_quit = true;
        m_jobs.clear();
    }
    m_jobsCv.notify_all();
    if (m_control.joinable())
        m_control.join();
    m_core->stop();
}

void Engine::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_jobsMutex);
        m_jobs.push_back(std::move(job));
    }
    m_jobsCv.notify_all();
}

void Engine::controlLoop()
{
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_jobsMutex);
            m_jobsCv.wait(lock, [this] { return m_quit || !m_jobs.empty(); });
            if (m_quit)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

void Engine::load(const QString &source, const QString &fileName)
{
    post([this, source, fileName] { doLoad(source, fileName); });
}

void Engine::start(const EngineSettings &settings)
{
    post([this, settings] { doStart(settings); });
}

void Engine::stop()
{
    post([this] {
        const bool was = m_core->isRunning();
        m_core->stop();
        updateSnapshot();
        if (was)
            QMetaObject::invokeMethod(this, [this] { Q_EMIT stopped(); }, Qt::QueuedConnection);
    });
}

void Engine::doLoad(const QString &source, const QString &fileName)
{
    const QList<SourceError> warnings = staticDiagnostics(source, fileName);
    QMetaObject::invokeMethod(this, [this, warnings] { Q_EMIT diagnostics(warnings); }, Qt::QueuedConnection);

    QList<SourceError> errors;
    QString error;
    if (m_core->isRunning()) {
        if (m_core->reload(source, fileName, &error, &errors)) {
            m_source = source;
            m_fileName = fileName;
            updateSnapshot();
            const QList<EndpointInfo> eps = m_core->endpoints();
            const quint16 port = m_core->port();
            QMetaObject::invokeMethod(this, [this, eps, port] {
                Q_EMIT loaded(eps);
                Q_EMIT started(port);
            }, Qt::QueuedConnection);
            return;
        }
    } else {
        errors = EngineCore::compileErrors(source, fileName);
        if (errors.isEmpty()) {
            // A trial import on an ephemeral port: the endpoints, or the import's traceback.
            EngineCore trial;
            EngineSettings s = m_settings;
            s.port = 0;
            s.workers = 1;
            s.accessLog = false;
            if (trial.start(source, fileName, s, &error, &errors)) {
                m_source = source;
                m_fileName = fileName;
                m_trialEndpoints = trial.endpoints();
                trial.stop();
                {
                    std::lock_guard lock(m_snapMutex);
                    m_endpoints = m_trialEndpoints;
                }
                const QList<EndpointInfo> eps = m_trialEndpoints;
                QMetaObject::invokeMethod(this, [this, eps] { Q_EMIT loaded(eps); }, Qt::QueuedConnection);
                return;
            }
            if (errors.isEmpty())
                errors.append(SourceError{error, 0, 0, 0, 0, error});
        }
    }
    QMetaObject::invokeMethod(this, [this, errors] { Q_EMIT loadFailed(errors); }, Qt::QueuedConnection);
}

void Engine::doStart(const EngineSettings &settings)
{
    {
        std::lock_guard lock(m_snapMutex);
        m_settings = settings;
    }
    if (m_source.isNull()) {
        QMetaObject::invokeMethod(this, [this] { Q_EMIT startFailed(QStringLiteral("nothing loaded")); }, Qt::QueuedConnection);
        return;
    }
    QString error;
    QList<SourceError> errors;
    const bool ok = m_core->start(m_source, m_fileName, settings, &error, &errors);
    updateSnapshot();
    if (ok) {
        const quint16 port = m_core->port();
        const QList<EndpointInfo> eps = m_core->endpoints();
        QMetaObject::invokeMethod(this, [this, eps, port] {
            Q_EMIT loaded(eps);
            Q_EMIT started(port);
        }, Qt::QueuedConnection);
    } else {
        QMetaObject::invokeMethod(this, [this, error, errors] {
            if (!errors.isEmpty())
                Q_EMIT loadFailed(errors);
            Q_EMIT startFailed(error);
        }, Qt::QueuedConnection);
    }
}

void Engine::queueLogLine(const QString &line)
{
    {
        std::lock_guard lock(m_logMutex);
        m_pendingLog.append(line);
        m_pendingLogTimes.append(trace::now());
        if (m_pendingLog.size() > 1)
            return; // a flush is already on its way
    }
    QPointer<Engine> self(this);
    QMetaObject::invokeMethod(this, [self] {
        if (!self)
            return;
        QStringList lines;
        QList<quint64> times;
        {
            std::lock_guard lock(self->m_logMutex);
            lines.swap(self->m_pendingLog);
            times.swap(self->m_pendingLogTimes);
        }
        Q_EMIT self->logLines(lines, times);
    }, Qt::QueuedConnection);
}

void Engine::updateSnapshot()
{
    // Asked of the core first: the GUI reads the snapshot and must never wait for the core.
    const bool running = m_core->isRunning();
    const quint16 port = m_core->port();
    const QList<EndpointInfo> endpoints = running ? m_core->endpoints() : QList<EndpointInfo>();
    std::lock_guard lock(m_snapMutex);
    m_running = running;
    m_port = port;
    if (running)
        m_endpoints = endpoints;
}

quint16 Engine::port() const
{
    std::lock_guard lock(m_snapMutex);
    return m_port;
}

QList<EndpointInfo> Engine::endpoints() const
{
    std::lock_guard lock(m_snapMutex);
    return m_endpoints;
}

bool Engine::isRunning() const
{
    std::lock_guard lock(m_snapMutex);
    return m_running;
}

EngineSettings Engine::settings() const
{
    std::lock_guard lock(m_snapMutex);
    return m_settings;
}

} // namespace loopscope::host
