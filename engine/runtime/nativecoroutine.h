// NativeCoroutine: a coroutine object whose body is a C++ state machine (asyncio.sleep,
// wait_for, to_thread, Lock.acquire, run_sync ...). Awaitable, usable with create_task
// and gather, and reported by asyncio.iscoroutine() like CPython's coroutines.
#pragma once

#include "asyncruntime.h"

#include "lang/objects.h"

#include <string>

namespace loopscope::runtime {

struct RuntimeState;

class NativeCoroutine : public lang::NativeObject {
public:
    NativeCoroutine(lang::TypeObject *type, std::string name, CoroutineStep step);

    static NativeCoroutine *from(const lang::Value &v);
    static lang::Value makeType(lang::ThreadState &ts, RuntimeState &rs);

    lang::ResumeResult resume(lang::ThreadState &ts, const lang::Value &sent, const lang::Value *exc);
    const std::string &name() const { return m_name; }
    bool finished() const { return m_finished; }

private:
    std::string m_name;
    CoroutineStep m_step;
    bool m_finished = false;
    bool m_running = false;
};

// Helpers for writing steps.
inline lang::ResumeResult yieldValue(lang::Value v) { return {lang::ResumeResult::Yielded, std::move(v)}; }
inline lang::ResumeResult returnValue(lang::Value v) { return {lang::ResumeResult::Returned, std::move(v)}; }
inline lang::ResumeResult raised() { return {lang::ResumeResult::Raised, lang::Value::none()}; }
// Raised with `exc` set in ts.
lang::ResumeResult raiseThrown(lang::ThreadState &ts, const lang::Value &exc);

} // namespace loopscope::runtime
