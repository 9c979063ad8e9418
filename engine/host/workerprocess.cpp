// One simulated process: interpreter, loop thread, app and server.
#include "workerprocess.h"

#include "appbinding.h"
#include "sourceerrors.h"

#include "http/httpapplication.h"
#include "http/httpexchange.h"
#include "http/httpserver.h"
#include "http/httpserversettings.h"
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#include "runtime/asyncruntime.h"
#include "runtime/loopthread.h"
#include "trace/tracebuffer.h"

#include <QSemaphore>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace loopscope::host {

namespace {

// print() writes the text and the newline separately: lines are put together per thread
// so that a line is reported once, whole, attributed to the request that printed it.
class LineAssembler {
public:
    using Sink = std::function<void(std::int64_t request, const std::string &line, bool isStderr)>;
    explicit LineAssembler(Sink sink) : m_sink(std::move(sink)) {}

    void write(const lang::ThreadState &ts, std::string_view text, bool isStderr)
    {
        std::vector<std::string> lines;
        {
            std::lock_guard lock(m_mutex);
            std::string &buf = m_pending[{&ts, isStderr}];
            buf.append(text);
            std::size_t pos;
            while ((pos = buf.find('\n')) != std::string::npos) {
                lines.push_back(buf.substr(0, pos));
                buf.erase(0, pos + 1);
            }
            if (buf.empty())
                m_pending.erase({&ts, isStderr});
        }
        for (const std::string &line : lines)
            emitLine(ts.currentRequest, line, isStderr ? trace::PrintStderr : trace::PrintStdout);
    }

    // Whatever is left without a newline (the app is going away).
    void flush()
    {
        std::map<std::pair<const lang::ThreadState *, bool>, std::string> rest;
        {
            std::lock_guard lock(m_mutex);
            rest.swap(m_pending);
        }
        for (auto &[key, text] : rest)
            emitLine(-1, text, key.second ? trace::PrintStderr : trace::PrintStdout);
    }

    // The server's error report for `request`: on stderr, as uvicorn's error log, and
    // traced apart from the app's prints.
    void serverLog(std::int64_t request, std::string_view text)
    {
        while (!text.empty()) {
            const std::size_t end = text.find('\n');
            emitLine(request, std::string(text.substr(0, end)), trace::PrintServerLog);
            text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        }
    }

private:
    void emitLine(std::int64_t request, const std::string &line, trace::PrintStream stream)
    {
        if (trace::enabled()) // interned strings live as long as the program: not when serving untraced
            trace::record(trace::EventKind::Print, request, trace::intern(line), stream);
        if (m_sink)
            m_sink(request, line, stream != trace::PrintStdout);
    }

    Sink m_sink;
    std::mutex m_mutex;
    std::map<std::pair<const lang::ThreadState *, bool>, std::string> m_pending;
};

// Names each request in the trace (its target and method) before the app sees it, so a
// session can tell which request went where.
class TracingApplication : public http::HttpApplication {
public:
    explicit TracingApplication(std::unique_ptr<http::HttpApplication> inner) : m_inner(std::move(inner)) {}

    void handle(std::shared_ptr<http::HttpExchange> exchange) override
    {
        if (trace::enabled()) {
            const http::HttpRequest &r = exchange->request();
            // Named together with the RequestRead the connection has just recorded.
            trace::recordWithPrevious(trace::EventKind::RequestPath, exchange->id(),
                                      trace::intern(std::string_view(r.target.constData(), size_t(r.target.size()))),
                                      trace::intern(std::string_view(r.method.constData(), size_t(r.method.size()))));
        }
        m_inner->handle(std::move(exchange));
    }

private:
    std::unique_ptr<http::HttpApplication> m_inner;
};

} // namespace

WorkerProcess::WorkerProcess(WorkerConfig config)
    : m_config(std::move(config))
{
}

WorkerProcess::~WorkerProcess()
{
    stop();
}

void WorkerProcess::runOnLoop(const std::function<void()> &fn)
{
    QSemaphore done;
    m_thread->loop()->callSoonThreadsafe([&] {
        fn();
        done.release();
    });
    done.acquire();
}

bool WorkerProcess::start(QString *error, QList<SourceError> *errors)
{
    const EngineSettings &s = m_config.settings;
    const int index = m_config.index;

    auto assembler = std::make_shared<LineAssembler>(
        [out = m_config.output, index](std::int64_t request, const std::string &line, bool isStderr) {
            if (out)
                out(index, request, line, isStderr);
        });
    lang::InterpreterOptions options;
    options.gil = s.gil;
    options.switchIntervalSeconds = s.switchInterval;
    if (s.cpuCount > 0)
        options.cpuCount = s.cpuCount;
    options.argv = {m_config.fileName};
    options.output = [assembler](lang::ThreadState &ts, std::string_view text, bool isStderr) {
        assembler->write(ts, text, isStderr);
    };
    m_interp = lang::Interpreter::create(options);

    runtime::RuntimeSettings rs;
    rs.limiterOrder = s.limiterLifo ? runtime::CapacityLimiter::WakeOrder::Lifo : runtime::CapacityLimiter::WakeOrder::Fifo;
    rs.threadTokens = s.threads;
    rs.mainSource = m_config.source;
    rs.mainFilename = m_config.fileName;
    rs.configureChild = [](lang::Interpreter &child) { registerAppModules(child); };
    runtime::registerRuntimeModules(*m_interp, rs);
    registerAppModules(*m_interp);

    const std::string threadName = m_config.workers > 1 ? "loop-" + std::to_string(index) : std::string("loop");
    m_thread = std::make_unique<runtime::LoopThread>(threadName);
    runtime::EventLoop *loop = m_thread->loop();
    loop->setCpuCount(options.cpuCount);
    loop->setSlowCallbackDuration(s.slowCallbackDuration);
    // Lag samples only feed the trace: an untraced server (`serve`) does not wake its
    // loop a hundred times a second for them.
    loop->setLagSampling(trace::enabled());
    m_thread->startLoop();

    bool ok = false;
    runOnLoop([&] {
        trace::setCurrentProcess(std::uint16_t(index));
        m_loopTs = m_interp->attachThread("MainThread");
        lang::ThreadState &ts = *m_loopTs;
        if (!ts.holdsGil())
            ts.acquireGil();
        runtime::bindLoop(*loop, ts);

        const lang::CompileResult compiled = m_interp->compile(m_config.source, m_config.fileName);
        if (!compiled) {
            if (errors && compiled.error)
                errors->append(sourceErrorFromCompile(*compiled.error));
            if (error)
                *error = compiled.error ? QString::fromStdString(compiled.error->type + ": " + compiled.error->message)
                                        : QStringLiteral("compile error");
        } else {
            const lang::Value module = m_interp->runModule(ts, compiled.code, m_config.moduleName);
            if (module.isError()) {
                const lang::Value exc = ts.fetchException();
                const SourceError se = sourceErrorFromException(ts, exc, m_config.fileName);
                if (errors)
                    errors->append(se);
                if (error)
                    *error = se.message;
            } else {
                QString why;
                BoundApp bound = bindApplication(m_interp, *loop, ts, module, &why,
                                                 [assembler](const std::string &text, std::int64_t request) {
                                                     assembler->serverLog(request, text);
                                                 });
                if (!bound.application) {
                    if (error)
                        *error = why;
                    if (errors)
                        errors->append(SourceError{why, 0, 0, 0, 0, why});
                } else {
                    m_app = std::make_unique<TracingApplication>(std::move(bound.application));
                    m_endpoints = bound.endpoints;
                    http::HttpServerSettings hs;
                    hs.address = QHostAddress(s.bindAddress);
                    hs.port = m_config.port;
                    hs.keepAliveTimeoutMs = int(s.keepAliveTimeout * 1000);
                    hs.limitConcurrency = s.limitConcurrency;
                    hs.reusePort = m_config.workers > 1;
                    hs.accessLog = s.accessLog;
                    hs.requestIdStart = index;
                    hs.requestIdStep = std::max(1, m_config.workers);
                    m_server = std::make_unique<http::HttpServer>(m_app.get(), hs);
                    m_server->setLogCallback([log = m_config.log](http::HttpServer::LogLevel level, const QString &msg) {
                        if (log)
                            log(http::HttpServer::formatLogLine(level, msg));
                    });
                    if (m_server->listen()) {
                        m_port = m_server->port();
                        m_inflight = m_server->inflightCounter();
                        ok = true;
                    } else if (error) {
                        *error = m_server->errorString();
                    }
                }
            }
        }
        // The loop takes the GIL per step from here on.
        if (ts.holdsGil())
            ts.releaseGil();
        if (!ok)
            teardownOnLoop();
    });
    if (!ok) {
        m_thread->stopAndWait();
        m_thread.reset();
        m_interp.reset();
        assembler->flush();
    }
    return ok;
}

void WorkerProcess::teardownOnLoop()
{
    if (m_server) {
        m_server->close();
        m_server->closeAllConnections();
        m_server.reset();
    }
    if (m_loopTs) {
        lang::ThreadState &ts = *m_loopTs;
        if (!ts.holdsGil())
            ts.acquireGil();
        m_app.reset();
        runtime::unbindLoop(*m_thread->loop(), ts);
        if (ts.holdsGil())
            ts.releaseGil();
        m_loopTs.reset();
    } else {
        m_app.reset();
    }
}

int WorkerProcess::inflight() const
{
    return m_inflight ? m_inflight->load(std::memory_order_relaxed) : 0;
}

void WorkerProcess::stop()
{
    if (!m_thread)
        return;
    // As uvicorn shuts down: stop accepting, then give the requests in flight (and their
    // background work) a bounded moment to finish before the app and its tasks go.
    runOnLoop([this] {
        if (m_server)
            m_server->close();
    });
    for (int waited = 0; waited < 3000 && inflight() > 0; waited += 10)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    runOnLoop([this] { teardownOnLoop(); });
    // Shutdown order: nothing accepted any more, app gone; now the pools and the loop.
    m_thread->stopAndWait();
    m_thread.reset();
    m_interp.reset();
    m_inflight.reset();
}

} // namespace loopscope::host
