#include "coroutinetask.h"

#include "threadstatecache.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#include "runtime/eventloop.h"
#include "trace/tracebuffer.h"

namespace loopscope::fastapi {

using lang::Value;

CoroutineTask::CoroutineTask(const RunContext &ctx, Value coroutine, std::int64_t request, std::string label,
                             Completion done)
    : m_ctx(ctx), m_coro(std::move(coroutine)), m_request(request), m_label(std::move(label)),
      m_labelId(trace::intern(m_label)), m_done(std::move(done))
{
}

void CoroutineTask::start(const RunContext &ctx, Value coroutine, std::int64_t request, std::string label,
                          Completion done, bool runNow)
{
    auto task = std::make_shared<CoroutineTask>(ctx, std::move(coroutine), request, std::move(label), std::move(done));
    if (runNow)
        task->step(Value::none(), Value::none());
    else
        task->schedule(Value::none(), Value::none());
}

void CoroutineTask::schedule(Value send, Value exc)
{
    auto self = shared_from_this();
    runtime::StepInfo info;
    info.request = m_request;
    info.label = m_labelId;
    const std::string label = m_label;
    info.describe = [label](const runtime::StepSample *sample) {
        std::string text = "<Task pending name='" + label + "'";
        if (sample && !sample->function.empty())
            text += " coro=<" + sample->function + "() running at " + sample->filename + ":" +
                    std::to_string(sample->line) + ">";
        return text + ">";
    };
    m_ctx.loop->callSoon([self, send, exc]() { self->step(send, exc); }, std::move(info));
}

void CoroutineTask::step(Value send, Value exc)
{
    lang::ThreadState &ts = ThreadStateCache::forCurrentThread(*m_ctx.interp, "loop");
    GilScope gil(ts);
    RequestScope attribution(ts, m_request);
    if (m_waiting) {
        m_waiting = false;
        trace::record(trace::EventKind::AwaitEnd, m_request);
    }
    trace::record(trace::EventKind::RunBegin, m_request, m_labelId);
    lang::ResumeResult r = exc.isNone() ? lang::resume(ts, m_coro, send) : lang::throwInto(ts, m_coro, exc);
    trace::record(trace::EventKind::RunEnd, m_request, m_labelId);

    switch (r.kind) {
    case lang::ResumeResult::Returned: {
        Completion done = std::move(m_done);
        m_coro = Value::none();
        done(std::move(r.value), Value::none());
        return;
    }
    case lang::ResumeResult::Raised: {
        Value e = ts.fetchException();
        Completion done = std::move(m_done);
        m_coro = Value::none();
        done(Value::none(), std::move(e));
        return;
    }
    case lang::ResumeResult::Yielded:
        break;
    }

    if (r.value.isNone()) {
        // A bare yield: run again on the next loop iteration.
        schedule(Value::none(), Value::none());
        return;
    }
    // A future: resume once it is done (asyncio's Task.__wakeup).
    Value addDone = lang::getAttrOpt(ts, r.value, "add_done_callback");
    if (addDone.isNotFound() || addDone.isError()) {
        if (ts.hasException())
            ts.fetchException();
        Value err = lang::makeException(lang::types().RuntimeError,
                                        "Task got bad yield: " + lang::repr(ts, r.value));
        schedule(Value::none(), err);
        return;
    }
    m_waiting = true;
    trace::record(trace::EventKind::AwaitBegin, m_request, trace::intern(lang::typeName(r.value)));
    auto self = shared_from_this();
    Value wakeup = lang::makeNativeFunction("task_wakeup", [self](lang::ThreadState &, const lang::CallArgs &) -> Value {
        self->schedule(Value::none(), Value::none());
        return Value::none();
    });
    Value res = lang::call(ts, addDone, {wakeup});
    if (res.isError()) {
        Value e = ts.fetchException();
        m_waiting = false;
        schedule(Value::none(), e);
    }
}

} // namespace loopscope::fastapi
