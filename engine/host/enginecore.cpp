// The engine's workers, started and stopped in order.
#include "enginecore.h"

#include "sourceerrors.h"
#include "workerprocess.h"

#include "lang/interpreter.h"

#include <QFileInfo>

#include <sys/resource.h>

namespace loopscope::host {

std::string moduleNameFor(const QString &fileName)
{
    QString base = QFileInfo(fileName).completeBaseName();
    if (base.isEmpty())
        base = QStringLiteral("app");
    return base.toStdString();
}

EngineCore::EngineCore() = default;

EngineCore::~EngineCore()
{
    stop();
}

QList<SourceError> EngineCore::compileErrors(const QString &source, const QString &fileName)
{
    lang::InterpreterOptions options;
    options.output = [](lang::ThreadState &, std::string_view, bool) {};
    auto interp = lang::Interpreter::create(options);
    const lang::CompileResult r = interp->compile(source.toStdString(), fileName.toStdString());
    QList<SourceError> out;
    if (!r && r.error)
        out.append(sourceErrorFromCompile(*r.error));
    else if (!r)
        out.append(SourceError{QStringLiteral("SyntaxError: cannot compile"), 0, 0, 0, 0, {}});
    return out;
}

bool EngineCore::start(const QString &source, const QString &fileName, const EngineSettings &settings, QString *error,
                       QList<SourceError> *errors)
{
    std::lock_guard lock(m_mutex);
    stopLocked();
    return startLocked(source, fileName, settings, error, errors);
}

namespace {

// Every connection is a descriptor, and a burst from the app's own client puts both ends
// in this process: lift the soft limit (often 1,024) to the hard one, as servers do.
void raiseDescriptorLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

bool EngineCore::startLocked(const QString &source, const QString &fileName, const EngineSettings &settings,
                             QString *error, QList<SourceError> *errors)
{
    raiseDescriptorLimit();
    const int workers = std::max(1, settings.workers);
    quint16 port = settings.port;
    for (int i = 0; i < workers; ++i) {
        WorkerConfig c;
        c.index = i;
        c.workers = workers;
        c.settings = settings;
        c.port = port;
        c.source = source.toStdString();
        c.fileName = fileName.toStdString();
        c.moduleName = moduleNameFor(fileName);
        c.output = m_print;
        c.log = m_log;
        auto w = std::make_unique<WorkerProcess>(std::move(c));
        QList<SourceError> workerErrors;
        if (!w->start(error, &workerErrors)) {
            if (errors)
                *errors = workerErrors;
            stopLocked();
            return false;
        }
        port = w->port();
        if (i == 0)
            m_endpoints = w->endpoints();
        m_workers.push_back(std::move(w));
    }
    m_settings = settings;
    m_source = source;
    m_fileName = fileName;
    m_port = port;
    return true;
}

bool EngineCore::reload(const QString &source, const QString &fileName, QString *error, QList<SourceError> *errors)
{
    std::lock_guard lock(m_mutex);
    const QList<SourceError> compile = compileErrors(source, fileName);
    if (!compile.isEmpty()) {
        if (errors)
            *errors = compile;
        if (error)
            *error = compile.first().message;
        return false; // the running app stays
    }
    if (m_workers.empty()) {
        m_source = source;
        m_fileName = fileName;
        return true;
    }
    const QString oldSource = m_source, oldFile = m_fileName;
    EngineSettings settings = m_settings;
    settings.port = m_port; // same port, like uvicorn's reloader
    stopLocked();
    if (startLocked(source, fileName, settings, error, errors))
        return true;
    QString ignored;
    startLocked(oldSource, oldFile, settings, &ignored, nullptr);
    return false;
}

void EngineCore::stop()
{
    std::lock_guard lock(m_mutex);
    stopLocked();
}

void EngineCore::stopLocked()
{
    for (auto it = m_workers.rbegin(); it != m_workers.rend(); ++it)
        (*it)->stop();
    m_workers.clear();
    m_port = 0;
}

bool EngineCore::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return !m_workers.empty();
}

quint16 EngineCore::port() const
{
    std::lock_guard lock(m_mutex);
    return m_port;
}

EngineSettings EngineCore::settings() const
{
    std::lock_guard lock(m_mutex);
    return m_settings;
}

QList<EndpointInfo> EngineCore::endpoints() const
{
    std::lock_guard lock(m_mutex);
    return m_endpoints;
}

QString EngineCore::source() const
{
    std::lock_guard lock(m_mutex);
    return m_source;
}

QString EngineCore::fileName() const
{
    std::lock_guard lock(m_mutex);
    return m_fileName;
}

int EngineCore::inflight() const
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const auto &w : m_workers)
        n += w->inflight();
    return n;
}

} // namespace loopscope::host
