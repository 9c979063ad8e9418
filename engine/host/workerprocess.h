// WorkerProcess: one simulated Python process of a running engine (uvicorn --workers N
// makes N of them): its own interpreter (own GIL, modules, globals), its own loop thread
// with its own 40-token limiter and default executor, the FastAPI app imported from the
// endpoint file, and an HttpServer on the loop thread. Workers of one engine share the
// port through SO_REUSEPORT.
//
// Every method is called from a control thread (never the loop thread) and blocks
// until the loop thread has done the work.
#pragma once

#include "enginesettings.h"

#include <QString>

#include <atomic>

#include <functional>
#include <memory>
#include <string>

namespace loopscope::lang {
class Interpreter;
class ThreadState;
} // namespace loopscope::lang
namespace loopscope::runtime {
class LoopThread;
}
namespace loopscope::http {
class HttpApplication;
class HttpServer;
} // namespace loopscope::http

namespace loopscope::host {

struct WorkerConfig {
    int index = 0;   // process index stamped on trace events
    int workers = 1; // how many share the port
    EngineSettings settings;
    quint16 port = 0; // the port to bind (the first worker's when index > 0)
    std::string source;
    std::string fileName;   // as shown in tracebacks ("app.py" or a full path)
    std::string moduleName; // uvicorn imports "app:app": the module is named after the file
    // A complete line the app printed (print(), sys.stdout/stderr.write), with the
    // request it is attributed to.
    std::function<void(int worker, std::int64_t request, const std::string &line, bool isStderr)> output;
    // uvicorn-style log lines ("INFO:     127.0.0.1:5 - \"GET / HTTP/1.1\" 200 OK").
    std::function<void(const QString &line)> log;
};

class WorkerProcess {
public:
    explicit WorkerProcess(WorkerConfig config);
    ~WorkerProcess(); // stop()
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;

    // Creates the interpreter and the loop thread, imports the module on the loop
    // thread, builds the app and listens. On failure returns false with `errors`
    // (compile error or the import's traceback) or `error` (e.g. the port is taken).
    bool start(QString *error, QList<SourceError> *errors);
    // Stops accepting, drops connections, tears the app down and joins every thread.
    void stop();

    quint16 port() const { return m_port; }
    QList<EndpointInfo> endpoints() const { return m_endpoints; }
    // Requests (and their background work) still in flight on this worker.
    int inflight() const;

private:
    void runOnLoop(const std::function<void()> &fn);
    void teardownOnLoop();

    WorkerConfig m_config;
    std::shared_ptr<lang::Interpreter> m_interp;
    std::unique_ptr<runtime::LoopThread> m_thread;
    std::unique_ptr<lang::ThreadState> m_loopTs;            // loop thread only
    std::unique_ptr<http::HttpApplication> m_app;           // loop thread only
    std::unique_ptr<http::HttpServer> m_server;             // loop thread only
    std::shared_ptr<std::atomic<int>> m_inflight;
    quint16 m_port = 0;
    QList<EndpointInfo> m_endpoints;
};

} // namespace loopscope::host
