// EngineCore: a running engine, driven synchronously — N WorkerProcesses (uvicorn
// --workers N) sharing one port on 127.0.0.1. Thread-safe; every call blocks until done,
// so the GUI never calls it directly (Engine runs it on its own thread) while the
// command-line verbs and the tests do.
#pragma once

#include "enginesettings.h"

#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace loopscope::host {

class WorkerProcess;

class EngineCore {
public:
    // A line the app printed, attributed to a worker and a request (-1 if none).
    using PrintSink = std::function<void(int worker, std::int64_t request, const std::string &line, bool isStderr)>;
    using LogSink = std::function<void(const QString &line)>;

    EngineCore();
    ~EngineCore(); // stop()
    EngineCore(const EngineCore &) = delete;
    EngineCore &operator=(const EngineCore &) = delete;

    // Set before start(); called on engine threads.
    void setPrintSink(PrintSink sink) { m_print = std::move(sink); }
    void setLogSink(LogSink sink) { m_log = std::move(sink); }

    // Compiles `source` (no import, no side effects): the compile error, if any.
    static QList<SourceError> compileErrors(const QString &source, const QString &fileName);

    // Starts the workers with `source` and imports the app in each. On failure nothing
    // runs, `errors` holds the source errors (compile error or import traceback) and
    // `error` a one-line reason.
    bool start(const QString &source, const QString &fileName, const EngineSettings &settings, QString *error,
               QList<SourceError> *errors);
    // uvicorn --reload: the new source replaces the running app on the same port. If the
    // new source does not compile or import, the previous app is started again and the
    // errors are returned (false).
    bool reload(const QString &source, const QString &fileName, QString *error, QList<SourceError> *errors);
    // Stops accepting, drops connections, joins every thread (fixed order per worker).
    void stop();

    bool isRunning() const;
    quint16 port() const;
    EngineSettings settings() const;
    QList<EndpointInfo> endpoints() const;
    QString source() const;
    QString fileName() const;
    // Requests (with their background work) in flight over all workers.
    int inflight() const;

private:
    bool startLocked(const QString &source, const QString &fileName, const EngineSettings &settings, QString *error,
                     QList<SourceError> *errors);
    void stopLocked();

    mutable std::recursive_mutex m_mutex;
    std::vector<std::unique_ptr<WorkerProcess>> m_workers;
    EngineSettings m_settings;
    QString m_source, m_fileName;
    quint16 m_port = 0;
    QList<EndpointInfo> m_endpoints;
    PrintSink m_print;
    LogSink m_log;
};

// "app.py" → "app": uvicorn imports `app:app`, so the module carries the file's name.
std::string moduleNameFor(const QString &fileName);

} // namespace loopscope::host
