// A FastAPI endpoint file served by Loopscope's engine for the end-to-end tests: one
// interpreter, one loop thread with the runtime bound to it, FastApiApp on HttpServer,
// prints collected line by line with their request and thread.
#pragma once

#include "fastapi/blockinghttpclient.h"
#include "fastapi/fastapiapp.h"
#include "fastapi/fastapiobjects.h"

#include "http/httpserver.h"
#include "lang/interpreter.h"
#include "lang/threadstate.h"
#include "runtime/asyncruntime.h"
#include "runtime/loopthread.h"

#include <QElapsedTimer>
#include <QSemaphore>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace loopscope::fastapi::testing {

struct PrintLine {
    std::int64_t request = -1;
    std::string text;
    std::string thread;
    bool isStderr = false;
    double t = 0; // seconds since the server started
};

struct Reply {
    int status = 0;
    std::string body;
    HeaderList headers;
    double done = 0; // seconds since `since`
    std::string error;
    const std::string *header(std::string_view name) const
    {
        for (const auto &h : headers)
            if (h.first == name)
                return &h.second;
        return nullptr;
    }
};

class AppServer {
public:
    explicit AppServer(std::string source, int threads = 40) : m_source(std::move(source)), m_threads(threads) {}
    ~AppServer()
    {
        waitIdle();
        stop();
    }

    // Waits (up to `seconds`) until no request of the app is still running, background
    // work and dependency exits included.
    bool waitIdle(double seconds = 5) const
    {
        QElapsedTimer t;
        t.start();
        while (m_app.runningRequests() > 0) {
            if (t.elapsed() > seconds * 1000)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }

    bool start(std::string *error)
    {
        m_clock.start();
        lang::InterpreterOptions options;
        options.output = [this](lang::ThreadState &ts, std::string_view text, bool isStderr) {
            std::lock_guard lock(m_mutex);
            std::string &buf = m_pending[{&ts, isStderr}];
            buf.append(text);
            std::size_t pos;
            while ((pos = buf.find('\n')) != std::string::npos) {
                m_prints.push_back(PrintLine{ts.currentRequest, buf.substr(0, pos), ts.name(), isStderr,
                                             m_clock.nsecsElapsed() / 1e9});
                buf.erase(0, pos + 1);
            }
        };
        m_interp = lang::Interpreter::create(options);
        runtime::RuntimeSettings rs;
        rs.threadTokens = m_threads;
        runtime::registerRuntimeModules(*m_interp, rs);
        FastApiModule::registerModules(*m_interp);

        m_thread = std::make_unique<runtime::LoopThread>("loop");
        m_thread->startLoop();
        bool ok = false;
        runOnLoop([&] {
            m_loopTs = m_interp->attachThread("MainThread");
            lang::ThreadState &ts = *m_loopTs;
            if (!ts.holdsGil())
                ts.acquireGil();
            runtime::bindLoop(*m_thread->loop(), ts);
            const lang::CompileResult compiled = m_interp->compile(m_source, "app.py");
            if (!compiled) {
                *error = compiled.error ? compiled.error->formatted : "compile error";
            } else {
                const lang::Value module = m_interp->runModule(ts, compiled.code, "app");
                if (module.isError()) {
                    *error = lang::formatException(ts, ts.fetchException());
                } else if (m_app.load(ts, module, error)) {
                    m_app.setErrorLog([this](const std::string &text, std::int64_t request) {
                        std::lock_guard lock(m_mutex);
                        m_errors += text;
                        m_errorRequests.push_back(request);
                    });
                    m_server = std::make_unique<http::HttpServer>(&m_app);
                    ok = m_server->listen();
                    if (!ok)
                        *error = m_server->errorString().toStdString();
                    else
                        m_port = m_server->port();
                }
            }
            if (ts.holdsGil())
                ts.releaseGil();
        });
        return ok;
    }

    void stop()
    {
        if (!m_thread)
            return;
        runOnLoop([this] {
            if (m_server) {
                m_server->close();
                m_server->closeAllConnections();
                m_server.reset();
            }
            if (m_loopTs) {
                if (!m_loopTs->holdsGil())
                    m_loopTs->acquireGil();
                m_app.dropRunningRequests();
                runtime::unbindLoop(*m_thread->loop(), *m_loopTs);
                // Worker threads detach on their way out: the GIL must be free for them.
                if (m_loopTs->holdsGil())
                    m_loopTs->releaseGil();
                m_loopTs.reset();
            }
        });
        m_thread->stopAndWait();
        m_thread.reset();
        m_interp.reset();
    }

    // Runs `source` as the module again and swaps the app in (uvicorn --reload).
    bool reload(const std::string &source, std::string *error)
    {
        bool ok = false;
        runOnLoop([&] {
            lang::ThreadState &ts = *m_loopTs;
            if (!ts.holdsGil())
                ts.acquireGil();
            const lang::CompileResult compiled = m_interp->compile(source, "app.py");
            if (compiled) {
                const lang::Value module =
                    m_interp->runModule(ts, compiled.code, "app_reload_" + std::to_string(++m_reloads));
                if (module.isError())
                    *error = lang::formatException(ts, ts.fetchException());
                else
                    ok = m_app.load(ts, module, error);
            }
            if (ts.holdsGil())
                ts.releaseGil();
        });
        return ok;
    }

    quint16 port() const { return m_port; }
    const FastApiApp &app() const { return m_app; }
    double now() const { return m_clock.nsecsElapsed() / 1e9; }

    Reply request(const std::string &method, const std::string &target, const std::string &body = {},
                  HeaderList headers = {}, double since = -1) const
    {
        HttpClientTarget t;
        std::string error;
        HttpClientTarget::fromUrl("http://127.0.0.1:" + std::to_string(m_port) + target, t, error);
        const auto result = BlockingHttpClient::fetch(t, t.requestText(method, headers, body, "test"), 30);
        Reply r;
        r.error = result.error;
        r.status = result.response.status;
        r.body = result.response.body;
        r.headers = result.response.headers;
        r.done = now() - (since < 0 ? 0 : since);
        return r;
    }

    // `n` concurrent GETs (one connection each); replies in index order, `done` relative to the burst start.
    std::vector<Reply> burst(const std::vector<std::string> &targets) const
    {
        std::vector<Reply> replies(targets.size());
        std::vector<std::thread> threads;
        const double start = now();
        for (std::size_t i = 0; i < targets.size(); ++i)
            threads.emplace_back([&, i] { replies[i] = request("GET", targets[i], {}, {}, start); });
        for (auto &t : threads)
            t.join();
        return replies;
    }

    std::vector<PrintLine> prints() const
    {
        std::lock_guard lock(m_mutex);
        return m_prints;
    }
    std::vector<std::string> printTexts() const
    {
        std::vector<std::string> out;
        for (const auto &p : prints())
            out.push_back(p.text);
        return out;
    }
    std::string errors() const
    {
        std::lock_guard lock(m_mutex);
        return m_errors;
    }

private:
    void runOnLoop(const std::function<void()> &fn)
    {
        QSemaphore done;
        m_thread->loop()->callSoonThreadsafe([&] {
            fn();
            done.release();
        });
        done.acquire();
    }

    std::string m_source;
    int m_threads;
    QElapsedTimer m_clock;
    std::shared_ptr<lang::Interpreter> m_interp;
    std::unique_ptr<runtime::LoopThread> m_thread;
    std::unique_ptr<lang::ThreadState> m_loopTs;
    FastApiApp m_app;
    std::unique_ptr<http::HttpServer> m_server;
    quint16 m_port = 0;
    int m_reloads = 0;
    mutable std::mutex m_mutex;
    std::map<std::pair<const lang::ThreadState *, bool>, std::string> m_pending;
    std::vector<PrintLine> m_prints;
    std::string m_errors;
    std::vector<std::int64_t> m_errorRequests;
};

} // namespace loopscope::fastapi::testing
