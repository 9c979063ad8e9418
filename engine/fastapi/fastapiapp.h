// FastApiApp: the user's FastAPI application served by Loopscope's HttpServer, with
// FastAPI 0.92's semantics: Starlette routing (404/405/slash redirects), parameters and
// 422 bodies, dependencies, `async def` on the loop and `def` through the thread
// limiter, JSON responses, StreamingResponse, BackgroundTasks, HTTPException and 500s.
//
// Create it once and register it with the server; load() (GIL held) reads the FastAPI
// object from an executed module and can be called again to hot-swap the app
// (requests already running finish with the app they started with).
#pragma once

#include "dependant.h"
#include "fastapiobjects.h"
#include "routetable.h"

#include "http/httpapplication.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace loopscope::lang {
class Interpreter;
class ThreadState;
}
namespace loopscope::runtime {
class CapacityLimiter;
}

namespace loopscope::fastapi {

struct EndpointInfo {
    std::string method; // "GET" (one entry per method of a route)
    std::string path;   // "/items/{item_id}"
    std::string function;
    bool isAsync = false;
    int line = 0;
};

// One route of a loaded app: its declaration and what its signature asks for.
struct Endpoint {
    RouteDecl decl;
    Dependant dependant;
    ResponseObject::Kind responseKind = ResponseObject::Kind::Json;
    int bodyParams = 0;
};

// Everything a request needs from the app it was routed by.
struct AppState {
    std::shared_ptr<lang::Interpreter> interp;
    lang::Value app;
    RouteTable routes;
    std::vector<Endpoint> endpoints; // indexed by Route::endpoint
};

class RunRegistry;

class FastApiApp : public http::HttpApplication {
public:
    FastApiApp();
    ~FastApiApp() override;

    // The FastAPI object of a module: the global `app` if it is one, else the first
    // FastAPI instance among the globals; None if there is none.
    static lang::Value findApp(lang::ThreadState &ts, const lang::Value &module);

    // Builds the routes of `module`'s FastAPI app and makes them current. Call with the
    // GIL held on `ts`. False with `error` set (no app, a bad path template, ...).
    bool load(lang::ThreadState &ts, const lang::Value &module, std::string *error = nullptr);
    bool isLoaded() const;
    std::vector<EndpointInfo> endpoints() const;

    // The limiter `def` endpoints, sync dependencies, sync streaming and background
    // tasks use; default (null): the loop's defaultLimiter() (AnyIO's 40 tokens).
    void setLimiter(runtime::CapacityLimiter *limiter) { m_limiter = limiter; }
    // Where uncaught-exception reports go ("ERROR:    Exception in ASGI application\n"
    // + traceback). Default: the interpreter's stderr (attributed to the request).
    void setErrorLog(std::function<void(const std::string &text, std::int64_t request)> log)
    {
        m_errorLog = std::move(log);
    }

    void handle(std::shared_ptr<http::HttpExchange> exchange) override;
    // Requests started and not finished yet (background work included).
    std::size_t runningRequests() const;
    // Forgets the requests still running (their tasks then end at their next step).
    // Call on the loop thread with the GIL held while shutting down; the destructor
    // does it too.
    void dropRunningRequests();

    // For RequestRun.
    runtime::CapacityLimiter *limiter() const { return m_limiter; }
    const std::function<void(const std::string &, std::int64_t)> &errorLog() const { return m_errorLog; }

private:
    std::shared_ptr<const AppState> current() const;

    mutable std::mutex m_mutex;
    std::shared_ptr<const AppState> m_state;
    std::shared_ptr<RunRegistry> m_runs;
    runtime::CapacityLimiter *m_limiter = nullptr;
    std::function<void(const std::string &, std::int64_t)> m_errorLog;
};

} // namespace loopscope::fastapi
