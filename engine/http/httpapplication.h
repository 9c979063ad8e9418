// How an application (the FastAPI layer, or a test's C++ handler) plugs into HttpServer.
#pragma once

#include <memory>

namespace loopscope::http {

class HttpExchange;

class HttpApplication {
public:
    virtual ~HttpApplication() = default;
    // Called on the server's loop thread once a request has been read completely, and
    // only when every earlier request on the same connection has been answered in full.
    // The application answers now or later (on the loop thread) through the exchange.
    // The exchange counts as an in-flight task (for limitConcurrency) until the last
    // reference to it is dropped: keep it while background work for it still runs.
    virtual void handle(std::shared_ptr<HttpExchange> exchange) = 0;
};

} // namespace loopscope::http
