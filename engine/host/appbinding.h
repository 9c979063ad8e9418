// The one place the host meets the FastAPI layer: registering its modules with a new
// interpreter and turning an imported module's `app` into an HttpApplication.
#pragma once

#include "enginesettings.h"

#include "lang/value.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace loopscope::lang {
class Interpreter;
class ThreadState;
} // namespace loopscope::lang
namespace loopscope::runtime {
class EventLoop;
}
namespace loopscope::http {
class HttpApplication;
}

namespace loopscope::host {

// Registers fastapi, fastapi.responses, starlette... with `interp`.
void registerAppModules(lang::Interpreter &interp);

struct BoundApp {
    std::unique_ptr<http::HttpApplication> application;
    QList<EndpointInfo> endpoints;
};

// Where the server's own error reports go ("ERROR:    Exception in ASGI application" and
// the traceback, uvicorn's error log), apart from what the app prints.
using ServerErrorLog = std::function<void(const std::string &text, std::int64_t request)>;

// Builds the HTTP application from `module` (its global `app`, a FastAPI instance) on
// the loop thread, GIL held. nullptr application with `error` set when there is none.
BoundApp bindApplication(const std::shared_ptr<lang::Interpreter> &interp, runtime::EventLoop &loop,
                         lang::ThreadState &ts, const lang::Value &module, QString *error,
                         ServerErrorLog errorLog = {});

} // namespace loopscope::host
