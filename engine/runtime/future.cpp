// asyncio.Future on Loopscope's event loop.
#include "future.h"

#include "nativecoroutine.h"
#include "runtimestate.h"
#include "task.h"

namespace loopscope::runtime {

using namespace lang;

namespace {

FutureObject *self(ThreadState &ts, const CallArgs &args, const char *method)
{
    FutureObject *f = args.size() > 0 ? FutureObject::from(args[0]) : nullptr;
    if (!f)
        ts.raise(types().TypeError, std::string("descriptor '") + method + "' requires a 'Future' object");
    return f;
}

} // namespace

FutureObject::FutureObject(TypeObject *type, EventLoop *loop)
    : NativeObject(type)
    , m_loop(loop)
{
}

Value FutureObject::create(ThreadState &ts, EventLoop *loop)
{
    RuntimeState &rs = runtimeState(ts);
    return Value(new FutureObject(rs.futureType.as<TypeObject>(), loop));
}

FutureObject *FutureObject::from(const Value &v)
{
    if (!v.isKind(ObjKind::Native))
        return nullptr;
    return dynamic_cast<FutureObject *>(v.ptr());
}

std::string FutureObject::stateName() const
{
    switch (m_state) {
    case State::Pending:
        return "pending";
    case State::Finished:
        return "finished";
    case State::Cancelled:
        return "cancelled";
    }
    return "pending";
}

bool FutureObject::setResult(ThreadState &ts, Value result)
{
    if (done())
        return false;
    m_result = std::move(result);
    m_state = State::Finished;
    scheduleCallbacks(ts);
    return true;
}

bool FutureObject::setException(ThreadState &ts, Value exc)
{
    if (done())
        return false;
    if (exc.isType()) // set_exception(ValueError) instantiates the class
        exc = makeException(exc.as<TypeObject>(), {});
    m_exception = std::move(exc);
    m_state = State::Finished;
    scheduleCallbacks(ts);
    return true;
}

bool FutureObject::cancel(ThreadState &ts, std::string message)
{
    if (done())
        return false;
    m_state = State::Cancelled;
    m_cancelMessage = std::move(message);
    scheduleCallbacks(ts);
    return true;
}

Value FutureObject::result(ThreadState &ts)
{
    switch (m_state) {
    case State::Pending:
        return raiseType(ts, runtimeState(ts).invalidStateError, "Result is not ready.");
    case State::Cancelled:
        return ts.raise(newCancelledError(ts, m_cancelMessage));
    case State::Finished:
        if (!m_exception.isNone())
            return ts.raise(m_exception);
        return m_result;
    }
    return Value::none();
}

void FutureObject::addDoneCallback(FutureCallback cb, Value pyCallable)
{
    m_callbacks.push_back(Callback{std::move(cb), std::move(pyCallable), false, {}});
    if (done()) {
        if (ThreadState *ts = ThreadState::current())
            scheduleCallbacks(*ts);
    }
}

void FutureObject::addDoneCallback(FutureCallback cb, StepInfo info)
{
    m_callbacks.push_back(Callback{std::move(cb), Value::none(), true, std::move(info)});
    if (done()) {
        if (ThreadState *ts = ThreadState::current())
            scheduleCallbacks(*ts);
    }
}

int FutureObject::removeDoneCallback(const Value &pyCallable)
{
    int removed = 0;
    for (auto it = m_callbacks.begin(); it != m_callbacks.end();) {
        if (!it->pyCallable.isNone() && it->pyCallable.is(pyCallable)) {
            it = m_callbacks.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    return removed;
}

void FutureObject::scheduleCallbacks(ThreadState &ts)
{
    if (m_callbacks.empty())
        return;
    std::vector<Callback> callbacks;
    callbacks.swap(m_callbacks);
    Value me(this);
    for (auto &cb : callbacks) {
        StepInfo info;
        if (cb.hasInfo)
            info = std::move(cb.info);
        else
            info.request = ts.currentRequest;
        m_loop->callSoon(
            [me, fn = std::move(cb.fn)] {
                ThreadState *cur = ThreadState::current();
                if (!cur || !fn)
                    return;
                ensureGil(*cur);
                fn(*cur, me);
            },
            std::move(info));
    }
}

ResumeResult FutureObject::awaitStep(ThreadState &ts, const Value *exc)
{
    if (exc)
        return raiseThrown(ts, *exc);
    if (!done())
        return yieldValue(Value(this));
    Value r = result(ts);
    if (r.isError())
        return raised();
    return returnValue(std::move(r));
}

void FutureObject::addFutureMethods(NativeTypeSpec &spec)
{
    spec.methods.push_back({"result", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "result");
                                return f ? f->result(ts) : Value::error();
                            }});
    spec.methods.push_back({"exception", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "exception");
                                if (!f)
                                    return Value::error();
                                if (f->m_state == State::Pending)
                                    return raiseType(ts, runtimeState(ts).invalidStateError, "Exception is not set.");
                                if (f->m_state == State::Cancelled)
                                    return ts.raise(newCancelledError(ts, f->m_cancelMessage));
                                return f->m_exception;
                            }});
    spec.methods.push_back({"done", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "done");
                                return f ? Value::fromBool(f->done()) : Value::error();
                            }});
    spec.methods.push_back({"cancelled", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "cancelled");
                                return f ? Value::fromBool(f->cancelled()) : Value::error();
                            }});
    spec.methods.push_back({"cancel", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "cancel");
                                if (!f)
                                    return Value::error();
                                Value msg = args.arg(1, "msg");
                                std::string m;
                                if (!msg.isNotFound() && !msg.isNone())
                                    m = str(ts, msg);
                                return Value::fromBool(f->cancel(ts, m));
                            }});
    spec.methods.push_back({"set_result", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "set_result");
                                if (!f || !args.checkCount(ts, "set_result", 2, 2))
                                    return Value::error();
                                if (!f->setResult(ts, args[1]))
                                    return raiseType(ts, runtimeState(ts).invalidStateError, "invalid state");
                                return Value::none();
                            }});
    spec.methods.push_back({"set_exception", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "set_exception");
                                if (!f || !args.checkCount(ts, "set_exception", 2, 2))
                                    return Value::error();
                                if (!f->setException(ts, args[1]))
                                    return raiseType(ts, runtimeState(ts).invalidStateError, "invalid state");
                                return Value::none();
                            }});
    spec.methods.push_back({"add_done_callback", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "add_done_callback");
                                if (!f || !args.checkCount(ts, "add_done_callback", 2, 2))
                                    return Value::error();
                                Value fn = args[1];
                                f->addDoneCallback(
                                    [fn](ThreadState &cts, const Value &fut) {
                                        Value r = call(cts, fn, {fut});
                                        if (r.isError())
                                            reportCallbackException(cts, "Exception in callback " + repr(cts, fn),
                                                                    cts.fetchException());
                                    },
                                    fn);
                                return Value::none();
                            }});
    spec.methods.push_back({"remove_done_callback", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "remove_done_callback");
                                if (!f || !args.checkCount(ts, "remove_done_callback", 2, 2))
                                    return Value::error();
                                return Value::fromInt(f->removeDoneCallback(args[1]));
                            }});
    spec.methods.push_back({"get_loop", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "get_loop");
                                return f ? loopObject(ts, f->m_loop) : Value::error();
                            }});
    spec.methods.push_back({"__await__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "__await__");
                                return f ? args[0] : Value::error();
                            }});
    spec.methods.push_back({"__iter__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                FutureObject *f = self(ts, args, "__iter__");
                                return f ? args[0] : Value::error();
                            }});
    spec.hooks.resume = [](ThreadState &ts, const Value &selfv, const Value &, const Value *exc) -> ResumeResult {
        FutureObject *f = FutureObject::from(selfv);
        if (!f) {
            ts.raise(types().TypeError, "not a Future");
            return raised();
        }
        return f->awaitStep(ts, exc);
    };
}

Value FutureObject::makeType(ThreadState &, RuntimeState &)
{
    NativeTypeSpec spec;
    spec.name = "Future";
    spec.module = "_asyncio";
    addFutureMethods(spec);
    spec.construct = [](ThreadState &ts, const CallArgs &) -> Value {
        EventLoop *loop = EventLoop::current();
        if (!loop) {
            ts.raise(types().RuntimeError, "no running event loop");
            return Value::error();
        }
        return FutureObject::create(ts, loop);
    };
    spec.hooks.repr = [](ThreadState &ts, const Value &selfv) -> std::string {
        FutureObject *f = FutureObject::from(selfv);
        if (!f)
            return "<Future>";
        std::string out = "<Future " + f->stateName();
        if (f->m_state == State::Finished) {
            if (!f->m_exception.isNone())
                out += " exception=" + repr(ts, f->m_exception);
            else
                out += " result=" + repr(ts, f->m_result);
        }
        return out + ">";
    };
    return makeNativeType(std::move(spec));
}

} // namespace loopscope::runtime
