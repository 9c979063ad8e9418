// FutureObject: asyncio.Future. Loop-thread only. Done callbacks run as loop callbacks
// (call_soon), in the order they were added, like asyncio's. `await fut` yields the
// future itself to the task driving it until it is done, then returns its result.
#pragma once

#include "asyncruntime.h"

#include "lang/objects.h"

#include <functional>
#include <string>
#include <vector>

namespace loopscope::runtime {

struct RuntimeState;

class FutureObject : public lang::NativeObject {
public:
    enum class State { Pending, Finished, Cancelled };

    FutureObject(lang::TypeObject *type, EventLoop *loop);

    static lang::Value create(lang::ThreadState &ts, EventLoop *loop);
    // The FutureObject behind v (a Future or a Task), or nullptr.
    static FutureObject *from(const lang::Value &v);

    EventLoop *loop() const { return m_loop; }
    State state() const { return m_state; }
    bool done() const { return m_state != State::Pending; }
    bool cancelled() const { return m_state == State::Cancelled; }

    // false when already done (asyncio raises InvalidStateError: the callers decide).
    bool setResult(lang::ThreadState &ts, lang::Value result);
    bool setException(lang::ThreadState &ts, lang::Value exc);
    virtual bool cancel(lang::ThreadState &ts, std::string message = {});

    // result(): the value, or error() with the exception / CancelledError set in ts.
    lang::Value result(lang::ThreadState &ts);
    const lang::Value &exception() const { return m_exception; }
    const lang::Value &resultValue() const { return m_result; }
    const std::string &cancelMessage() const { return m_cancelMessage; }

    void addDoneCallback(FutureCallback cb, lang::Value pyCallable = lang::Value::none());
    // A callback that runs as a step of its own kind (a task's wakeup: its request, label).
    void addDoneCallback(FutureCallback cb, StepInfo info);
    int removeDoneCallback(const lang::Value &pyCallable);

    // One step of `await fut`.
    lang::ResumeResult awaitStep(lang::ThreadState &ts, const lang::Value *exc);

    static lang::Value makeType(lang::ThreadState &ts, RuntimeState &rs);
    // Methods and attributes shared with Task.
    static void addFutureMethods(lang::NativeTypeSpec &spec);

    std::string stateName() const;

protected:
    void scheduleCallbacks(lang::ThreadState &ts);

    EventLoop *m_loop;
    State m_state = State::Pending;
    lang::Value m_result;
    lang::Value m_exception;
    std::string m_cancelMessage;
    struct Callback {
        FutureCallback fn;
        lang::Value pyCallable;
        bool hasInfo = false;
        StepInfo info;
    };
    std::vector<Callback> m_callbacks;
};

} // namespace loopscope::runtime
