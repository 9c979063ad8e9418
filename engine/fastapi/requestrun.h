// RequestRun: one request through a FastAPI 0.92 app, as uvicorn's request task runs it.
// The whole request is ONE asyncio task (runtime::createTask) whose coroutine is a C++
// state machine awaiting, one after another, what FastAPI awaits: the dependencies
// (depth first; `def` ones through the thread limiter one at a time, `async def` ones
// in the task, generators entered and kept on an exit stack), the endpoint (`async def`
// awaited in the task, `def` through run_sync with the token held for the whole call),
// the response (JSON, a Response as is, StreamingResponse chunk by chunk), the moment
// the server has written it, BackgroundTasks, then the dependencies' exit code.
#pragma once

#include "fastapiapp.h"
#include "runcontext.h"

#include "http/httpheaders.h"

#include "lang/native.h"
#include "lang/value.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace loopscope::http {
class HttpExchange;
}
namespace loopscope::runtime {
class CapacityLimiter;
class EventLoop;
}

namespace loopscope::fastapi {

// A response's headers for the HTTP layer; the names and values nearly every response
// carries come from static storage.
http::HttpHeaders toHttpHeaders(const HeaderList &headers);

class RequestRun;

// The requests of one app still running. A run belongs here from its start to its
// finish(), so that its task (which only holds a weak reference) never keeps it, its
// exchange and the app alive in a cycle; clear() drops whatever is left at shutdown.
class RunRegistry {
public:
    void add(const std::shared_ptr<RequestRun> &run);
    void remove(const RequestRun *run);
    // onLoopThread: called on the loop thread with the GIL held (the runs' waits are
    // then released too).
    void clear(bool onLoopThread);
    std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<RequestRun>> m_runs;
};

class RequestRun : public std::enable_shared_from_this<RequestRun> {
public:
    struct Options {
        runtime::CapacityLimiter *limiter = nullptr; // null: the loop's default limiter
        std::function<void(const std::string &, std::int64_t)> errorLog;
        std::weak_ptr<RunRegistry> registry;
    };

    RequestRun(std::shared_ptr<const AppState> state, const Endpoint &endpoint, runtime::EventLoop *loop,
               Options options, std::shared_ptr<http::HttpExchange> exchange, PathParams pathParams, QueryItems query);
    ~RequestRun();

    // The request's coroutine (to run as a task). GIL held.
    lang::Value makeCoroutine(lang::ThreadState &ts);
    // Shutdown: lets go of everything (pending continuations hold references back to
    // this run); the task ends at its next step.
    void abandon(bool onLoopThread);
    std::int64_t requestId() const { return m_requestId; }

private:
    struct Solve;
    struct ExitEntry {
        lang::Value gen;
        bool isAsync = false;
    };
    using Cont = std::function<void(lang::ThreadState &, lang::Value result, lang::Value exc)>;

    lang::ResumeResult step(lang::ThreadState &ts, const lang::Value &sent, const lang::Value *exc);
    // Makes `awaitable` the thing the task awaits next; `cont` gets its outcome.
    void awaitValue(lang::ThreadState &ts, const lang::Value &awaitable, Cont cont);
    // Awaits fn(*args, **kwargs) on a worker thread (anyio.to_thread.run_sync).
    void awaitSync(lang::ThreadState &ts, lang::Value fn, std::vector<lang::Value> args, KeywordList kwargs,
                   runtime::CapacityLimiter *limiter, Cont cont);

    void begin(lang::ThreadState &ts);
    bool readBody(lang::ThreadState &ts);
    void advance(lang::ThreadState &ts, const std::shared_ptr<Solve> &s);
    void resolveOwnParams(lang::ThreadState &ts, const std::shared_ptr<Solve> &s);
    void callDependency(lang::ThreadState &ts, const Dependant &d, KeywordList values, Cont done);
    void runEndpoint(lang::ThreadState &ts, KeywordList values);
    bool validateModel(lang::ThreadState &ts, const lang::Value &model, lang::Value &v, const JsonArray &loc);
    void endpointDone(lang::ThreadState &ts, lang::Value result, lang::Value exc);
    void sendResponse(lang::ThreadState &ts, lang::Value response);
    void streamNext(lang::ThreadState &ts);
    void streamEnded(lang::ThreadState &ts, lang::Value exc);
    void awaitWritten(lang::ThreadState &ts);
    void runBackground(lang::ThreadState &ts, std::size_t index);
    void runExits(lang::ThreadState &ts, lang::Value exc, std::function<void(lang::ThreadState &)> then);
    void fail(lang::ThreadState &ts, lang::Value exc);
    void failValidation(lang::ThreadState &ts);
    void respondNow(const ResponseData &data);
    void reportError(lang::ThreadState &ts, const lang::Value &exc);
    void finish();
    runtime::CapacityLimiter *exitLimiter();

    std::shared_ptr<const AppState> m_state;
    const Endpoint &m_endpoint;
    runtime::EventLoop *m_loop;
    Options m_options;
    std::shared_ptr<http::HttpExchange> m_exchange;
    std::int64_t m_requestId;
    PathParams m_pathParams;
    QueryItems m_query;
    HeaderList m_headers;

    // The task's current await.
    lang::Value m_inner;
    Cont m_cont;
    bool m_begun = false;
    bool m_done = false;

    std::vector<ValidationIssue> m_issues;
    std::vector<std::pair<lang::Value, lang::Value>> m_cache; // dependency call -> value
    std::vector<ExitEntry> m_exits;
    std::unique_ptr<runtime::CapacityLimiter> m_exitLimiter;
    lang::Value m_request;    // RequestObject, created on demand
    lang::Value m_background; // BackgroundTasksObject, created on demand
    lang::Value m_responseParam;
    bool m_bodyPresent = false;
    lang::Value m_body;

    lang::Value m_response;   // the ResponseObject being sent
    lang::Value m_streamIter;
    bool m_streamAsync = false;
    bool m_responseStarted = false;
    lang::Value m_writtenFuture;
    bool m_failed = false;
};

} // namespace loopscope::fastapi
