// PendingResult: an asyncio-Future-like awaitable that C++ completes on the loop thread
// (run_in_threadpool's result, Request.json()). `await` on it suspends the coroutine
// (it yields itself to the task driver) until setResult()/setException(); it offers
// add_done_callback/done/result/exception/cancelled like asyncio.Future.
#pragma once

#include "runcontext.h"

#include "lang/objects.h"

#include <vector>

namespace loopscope::runtime {
class EventLoop;
}

namespace loopscope::fastapi {

class PendingResult : public lang::NativeObject {
public:
    static lang::Value create(const RunContext &ctx);
    // A PendingResult, or nullptr.
    static PendingResult *cast(const lang::Value &v);
    static lang::Value type();

    bool isDone() const { return m_done; }
    // Loop thread. Done-callbacks run as loop callbacks (call_soon), as asyncio does.
    void setResult(lang::Value result);
    void setException(lang::Value exception);
    void addDoneCallback(lang::Value self, lang::Value callback);

    lang::Value result;
    lang::Value exception; // None when none

private:
    explicit PendingResult(lang::TypeObject *type);
    void scheduleCallbacks();

    RunContext m_ctx;
    bool m_done = false;
    std::vector<lang::Value> m_callbacks;
    lang::Value m_self; // set while callbacks wait (keeps the object alive)
};

} // namespace loopscope::fastapi
