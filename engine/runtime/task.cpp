// asyncio.Task: the coroutine driver.
#include "task.h"

#include "nativecoroutine.h"
#include "runtimestate.h"

#include "lang/vm.h"

#include "trace/tracebuffer.h"

#include <atomic>

namespace loopscope::runtime {

using namespace lang;

namespace {

thread_local TaskObject *t_currentTask = nullptr;
std::atomic<std::uint64_t> g_taskCounter{0};

std::string coroName(const Value &coro)
{
    if (NativeCoroutine *c = NativeCoroutine::from(coro))
        return c->name();
    return generatorName(coro);
}

} // namespace

TaskObject::TaskObject(TypeObject *type, EventLoop *loop, Value coro, std::string name, std::int64_t request)
    : FutureObject(type, loop)
    , m_coro(std::move(coro))
    , m_name(std::move(name))
    , m_request(request)
{
    m_coroName = coroName(m_coro);
    // Interned per coroutine name, not per task: task names are unique and the string
    // table lives as long as the program.
    m_label = trace::intern("Task " + m_coroName);
}

TaskObject *TaskObject::from(const Value &v)
{
    if (!v.isKind(ObjKind::Native))
        return nullptr;
    return dynamic_cast<TaskObject *>(v.ptr());
}

TaskObject *TaskObject::current()
{
    return t_currentTask;
}

Value TaskObject::create(ThreadState &ts, EventLoop *loop, Value coro, std::int64_t request, std::string name)
{
    RuntimeState &rs = runtimeState(ts);
    if (request < -1) {
        TaskObject *cur = t_currentTask;
        request = cur ? cur->m_request : ts.currentRequest;
    }
    if (name.empty())
        name = "Task-" + std::to_string(g_taskCounter.fetch_add(1) + 1);
    auto *task = new TaskObject(rs.taskType.as<TypeObject>(), loop, std::move(coro), std::move(name), request);
    Value v(task);
    task->schedule(nullptr);
    return v;
}

void TaskObject::schedule(const Value *exc)
{
    Value me(this);
    Value thrown = exc ? *exc : Value::none();
    StepInfo info;
    info.request = m_request;
    info.label = m_label;
    info.describe = [me](const StepSample *sample) {
        return TaskObject::from(me)->describe(ThreadState::current(), sample);
    };
    m_loop->callSoon(
        [me, thrown] {
            ThreadState *ts = ThreadState::current();
            if (!ts)
                return;
            ensureGil(*ts);
            TaskObject::from(me)->step(*ts, thrown);
        },
        std::move(info));
}

void TaskObject::wakeup(ThreadState &ts)
{
    if (m_request >= 0)
        trace::emit(trace::EventKind::AwaitEnd, m_request);
    step(ts, Value::none());
}

void TaskObject::step(ThreadState &ts, Value exc)
{
    if (done())
        return;
    if (m_mustCancel) {
        if (exc.isNone())
            exc = newCancelledError(ts, m_cancelMessage);
        m_mustCancel = false;
    }
    m_waitingOn = Value::none();

    Value me(this); // the task stays alive through its own step
    TaskObject *previous = t_currentTask;
    t_currentTask = this;
    const std::int64_t previousRequest = ts.currentRequest;
    ts.currentRequest = m_request;
    if (m_request >= 0)
        trace::emit(trace::EventKind::RunBegin, m_request);
    ResumeResult r = exc.isNone() ? resume(ts, m_coro, Value::none()) : throwInto(ts, m_coro, exc);
    if (m_request >= 0)
        trace::emit(trace::EventKind::RunEnd, m_request);
    ts.currentRequest = previousRequest;
    t_currentTask = previous;

    switch (r.kind) {
    case ResumeResult::Returned:
        if (m_mustCancel) {
            m_mustCancel = false;
            FutureObject::cancel(ts, m_cancelMessage);
        } else {
            setResult(ts, std::move(r.value));
        }
        return;
    case ResumeResult::Raised: {
        Value e = ts.fetchException();
        RuntimeState &rs = runtimeState(ts);
        if (isInstance(e, rs.cancelledError.as<TypeObject>())) {
            std::string msg;
            Value args = exceptionArgs(e);
            if (args.isTuple() && !asTuple(args)->items.empty())
                msg = str(ts, asTuple(args)->items[0]);
            FutureObject::cancel(ts, msg);
        } else {
            setException(ts, std::move(e));
        }
        return;
    }
    case ResumeResult::Yielded:
        break;
    }

    const Value &yielded = r.value;
    if (FutureObject *f = FutureObject::from(yielded)) {
        if (f == this) {
            Value err = makeException(types().RuntimeError, "Task cannot await on itself: " + describe(&ts, nullptr));
            schedule(&err);
            return;
        }
        if (f->loop() != m_loop) {
            Value err = makeException(types().RuntimeError, "Task got Future attached to a different loop");
            schedule(&err);
            return;
        }
        m_waitingOn = yielded;
        if (m_request >= 0) {
            static const std::uint64_t taskLabel = trace::intern("task");
            static const std::uint64_t futureLabel = trace::intern("future");
            // Suspended as its run ended (RunEnd, just recorded): the same time.
            trace::recordWithPrevious(trace::EventKind::AwaitBegin, m_request,
                                      TaskObject::from(yielded) ? taskLabel : futureLabel);
        }
        StepInfo info;
        info.request = m_request;
        info.label = m_label;
        info.describe = [me](const StepSample *sample) {
            return TaskObject::from(me)->describe(ThreadState::current(), sample);
        };
        f->addDoneCallback([me](ThreadState &cts, const Value &) { TaskObject::from(me)->wakeup(cts); },
                           std::move(info));
        if (m_mustCancel && f->cancel(ts, m_cancelMessage))
            m_mustCancel = false;
        return;
    }
    if (yielded.isNone()) {
        schedule(nullptr); // bare yield: run again next iteration
        return;
    }
    Value err = makeException(types().RuntimeError, "Task got bad yield: " + repr(ts, yielded));
    schedule(&err);
}

bool TaskObject::cancel(ThreadState &ts, std::string message)
{
    if (done())
        return false;
    ++m_cancelsRequested;
    if (FutureObject *f = FutureObject::from(m_waitingOn)) {
        if (f->cancel(ts, message))
            return true; // its wakeup throws CancelledError in
    }
    m_mustCancel = true;
    m_cancelMessage = std::move(message);
    return true;
}

std::string TaskObject::describe(ThreadState *ts, const StepSample *sample) const
{
    std::string out = "<Task ";
    out += m_mustCancel && !done() ? std::string("cancelling") : stateName();
    out += " name='" + m_name + "' coro=<";
    // Where the coroutine is now, as asyncio's repr reads it from cr_frame after the step.
    if (m_coro.isKind(ObjKind::Generator)) {
        const auto *g = static_cast<const GeneratorObject *>(m_coro.ptr());
        const Code *code = g->codeRef.get();
        const std::string name = !g->qualname.empty() ? g->qualname : g->name;
        const int state = g->state.load();
        if (code && (done() || state == GeneratorObject::Done)) {
            out += name + "() done, defined at " + code->filename + ":" + std::to_string(code->firstLine);
        } else if (code) {
            const int line = state == GeneratorObject::Created ? code->firstLine
                                                                 : code->lineAt(g->frame.pc > 0 ? g->frame.pc - 1 : 0);
            out += name + "() running at " + code->filename + ":" + std::to_string(line);
        } else {
            out += name + "()";
        }
    } else if (sample && !sample->outerFunction.empty()) {
        out += sample->outerFunction + "() " + (done() ? "done, defined" : "running") + " at " +
               sample->outerFilename + ":" + std::to_string(sample->outerLine);
    } else {
        out += m_coroName + "()" + (done() ? " done" : "");
    }
    out += ">";
    if (m_state == State::Finished && ts) {
        if (!m_exception.isNone())
            out += " exception=" + repr(*ts, m_exception);
        else
            out += " result=" + repr(*ts, m_result);
    } else if (FutureObject *f = FutureObject::from(m_waitingOn)) {
        out += std::string(" wait_for=<") + (TaskObject::from(m_waitingOn) ? "Task " : "Future ") + f->stateName() +
               " cb=[Task.task_wakeup()]>";
    }
    return out + ">";
}

Value TaskObject::makeType(ThreadState &, RuntimeState &rs)
{
    NativeTypeSpec spec;
    spec.name = "Task";
    spec.module = "_asyncio";
    spec.base = rs.futureType;
    addFutureMethods(spec);
    auto selfOf = [](ThreadState &ts, const CallArgs &args) -> TaskObject * {
        TaskObject *t = args.size() > 0 ? TaskObject::from(args[0]) : nullptr;
        if (!t)
            ts.raise(types().TypeError, "descriptor requires a 'Task' object");
        return t;
    };
    spec.methods.push_back({"get_name", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                TaskObject *t = selfOf(ts, args);
                                return t ? Value::fromString(t->m_name) : Value::error();
                            }});
    spec.methods.push_back({"set_name", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                TaskObject *t = selfOf(ts, args);
                                if (!t || !args.checkCount(ts, "set_name", 2, 2))
                                    return Value::error();
                                t->m_name = str(ts, args[1]);
                                return Value::none();
                            }});
    spec.methods.push_back({"get_coro", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                TaskObject *t = selfOf(ts, args);
                                return t ? t->m_coro : Value::error();
                            }});
    // Python 3.11: how many cancel() requests are outstanding; asyncio.timeout() and
    // TaskGroup take theirs back with uncancel() to tell their own cancellation apart.
    spec.methods.push_back({"cancelling", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                TaskObject *t = selfOf(ts, args);
                                return t ? Value::fromInt(t->m_cancelsRequested) : Value::error();
                            }});
    spec.methods.push_back({"uncancel", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                TaskObject *t = selfOf(ts, args);
                                if (!t)
                                    return Value::error();
                                if (t->m_cancelsRequested > 0)
                                    --t->m_cancelsRequested;
                                return Value::fromInt(t->m_cancelsRequested);
                            }});
    spec.hooks.repr = [](ThreadState &ts, const Value &self) -> std::string {
        TaskObject *t = TaskObject::from(self);
        return t ? t->describe(&ts, nullptr) : std::string("<Task>");
    };
    return makeNativeType(std::move(spec));
}

} // namespace loopscope::runtime
