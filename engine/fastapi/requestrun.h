// RequestRun: one request through a FastAPI 0.92 app, as Starlette's request_response
// and FastAPI's get_request_handler run it: body, dependencies (depth first, sync ones
// one after another through the limiter, async ones on the loop, generators entered
// and kept on an exit stack), parameters and 422, the endpoint (`async def` as a task
// step on the loop, `def` through the limiter), the response (JSON, a Response as is,
// streaming), BackgroundTasks after the response is written, then the dependencies'
// exit code. Lives on the loop thread; keeps the exchange until the very end.
#pragma once

#include "fastapiapp.h"
#include "runcontext.h"

#include "lang/value.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loopscope::http {
class HttpExchange;
}

namespace loopscope::fastapi {

class RequestRun : public std::enable_shared_from_this<RequestRun> {
public:
    struct Options {
        runtime::CapacityLimiter *limiter = nullptr;
        std::function<void(const std::string &, std::int64_t)> errorLog;
    };

    RequestRun(std::shared_ptr<const AppState> state, const Endpoint &endpoint, RunContext ctx, Options options,
               std::shared_ptr<http::HttpExchange> exchange, PathParams pathParams, QueryItems query);

    // Runs the request. Loop thread, inside a loop step.
    void start();

private:
    struct Solve;
    struct ExitEntry {
        lang::Value gen;
        bool isAsync = false;
        std::string name;
    };

    lang::ThreadState &loopTs();
    std::int64_t requestId() const;
    std::string taskLabel(const std::string &function) const;

    void advance(const std::shared_ptr<Solve> &s);
    void resolveOwnParams(const std::shared_ptr<Solve> &s);
    void callDependency(const Dependant &d, KeywordList values, Completion done);
    void runEndpoint(KeywordList values);
    void endpointDone(lang::Value result, lang::Value exc);
    void sendResponse(lang::Value response);
    void streamNext();
    void streamEnded(lang::Value exc);
    void onWritten();
    void runBackground(std::size_t index);
    void runExits(lang::Value exc, std::function<void()> then);
    void fail(lang::Value exc);
    void failValidation();
    void respondNow(const ResponseData &data);
    void reportError(const lang::Value &exc);
    void finish();

    bool readBody();

    std::shared_ptr<const AppState> m_state;
    const Endpoint &m_endpoint;
    RunContext m_ctx;
    Options m_options;
    std::shared_ptr<http::HttpExchange> m_exchange;
    PathParams m_pathParams;
    QueryItems m_query;
    HeaderList m_headers;

    std::vector<ValidationIssue> m_issues;
    std::vector<std::pair<lang::Value, lang::Value>> m_cache; // dependency call -> value
    std::vector<ExitEntry> m_exits;
    lang::Value m_request;      // RequestObject, created on demand
    lang::Value m_background;   // BackgroundTasksObject, created on demand
    lang::Value m_responseParam;
    bool m_bodyPresent = false;
    lang::Value m_body;

    lang::Value m_response;     // the ResponseObject being sent
    lang::Value m_streamIter;
    bool m_streamAsync = false;
    bool m_responseStarted = false;
    bool m_written = false;     // the exchange reported completion
    bool m_afterStarted = false;
    bool m_failed = false;
};

} // namespace loopscope::fastapi
