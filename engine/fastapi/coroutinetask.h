// CoroutineTask: drives one coroutine on the loop thread the way asyncio's Task does:
// each resume is one loop step; a bare `yield` (asyncio.sleep(0)) resumes on the next
// iteration; a yielded future is waited for through its add_done_callback. Every step
// is attributed to the request (ts.currentRequest, StepInfo.request) and traced
// (RunBegin/RunEnd, AwaitBegin/AwaitEnd).
#pragma once

#include "runcontext.h"

#include <memory>
#include <string>

namespace loopscope::fastapi {

class CoroutineTask : public std::enable_shared_from_this<CoroutineTask> {
public:
    // `label` names the steps in traces and slow-step warnings ("Task-3 ping").
    // runNow: take the first step right away (the caller is already inside a loop step
    // of the same request, as when FastAPI awaits the endpoint in the request's task).
    static void start(const RunContext &ctx, lang::Value coroutine, std::int64_t request, std::string label,
                      Completion done, bool runNow);

    CoroutineTask(const RunContext &ctx, lang::Value coroutine, std::int64_t request, std::string label,
                  Completion done);

private:
    void step(lang::Value send, lang::Value exc);
    void schedule(lang::Value send, lang::Value exc);

    RunContext m_ctx;
    lang::Value m_coro;
    std::int64_t m_request;
    std::string m_label;
    std::uint64_t m_labelId;
    Completion m_done;
    bool m_waiting = false;
};

} // namespace loopscope::fastapi
