// TaskObject: asyncio.Task — drives a coroutine on the loop with resume(). A yielded
// Future parks the task until the future is done; a bare yield (None) reschedules it for
// the next iteration (asyncio.sleep(0)). Each step is one loop step, attributed to the
// task's request (inherited from the creating task, like a contextvar).
#pragma once

#include "future.h"

namespace loopscope::runtime {

class TaskObject : public FutureObject {
public:
    TaskObject(lang::TypeObject *type, EventLoop *loop, lang::Value coro, std::string name, std::int64_t request);

    static lang::Value create(lang::ThreadState &ts, EventLoop *loop, lang::Value coro, std::int64_t request,
                              std::string name);
    static TaskObject *from(const lang::Value &v);
    static lang::Value makeType(lang::ThreadState &ts, RuntimeState &rs);
    // The task running a step on this thread right now, or nullptr.
    static TaskObject *current();

    bool cancel(lang::ThreadState &ts, std::string message = {}) override;

    const std::string &name() const { return m_name; }
    void setName(std::string name) { m_name = std::move(name); }
    std::int64_t request() const { return m_request; }
    const lang::Value &coro() const { return m_coro; }
    // asyncio's repr: <Task pending name='Task-1' coro=<main() running at x.py:5>>.
    std::string describe(lang::ThreadState *ts, const StepSample *sample) const;

private:
    void schedule(const lang::Value *exc);
    void step(lang::ThreadState &ts, lang::Value exc);
    void wakeup(lang::ThreadState &ts);

    lang::Value m_coro;
    std::string m_name;
    std::string m_coroName;
    std::int64_t m_request;
    std::uint64_t m_label = 0;
    bool m_mustCancel = false;
    int m_cancelsRequested = 0; // cancelling(): cancel() calls not yet taken back by uncancel()
    lang::Value m_waitingOn; // the future this task waits for
};

} // namespace loopscope::runtime
