#include "pendingresult.h"

#include "threadstatecache.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#include "runtime/eventloop.h"

namespace loopscope::fastapi {

using lang::Value;

namespace {

Value buildType()
{
    lang::NativeTypeSpec spec;
    spec.name = "Future";
    spec.module = "fastapi.concurrency";
    spec.methods = {
        {"__await__", [](lang::ThreadState &, const lang::CallArgs &a) -> Value { return a[0]; }},
        {"__iter__", [](lang::ThreadState &, const lang::CallArgs &a) -> Value { return a[0]; }},
        {"done",
         [](lang::ThreadState &, const lang::CallArgs &a) -> Value {
             return Value::fromBool(PendingResult::cast(a[0])->isDone());
         }},
        {"cancelled", [](lang::ThreadState &, const lang::CallArgs &) -> Value { return Value::falseValue(); }},
        {"result",
         [](lang::ThreadState &ts, const lang::CallArgs &a) -> Value {
             auto *p = PendingResult::cast(a[0]);
             if (!p->isDone())
                 return ts.raise(lang::typeValue(lang::types().RuntimeError), "Result is not set.");
             if (!p->exception.isNone())
                 return ts.raise(p->exception);
             return p->result;
         }},
        {"exception",
         [](lang::ThreadState &ts, const lang::CallArgs &a) -> Value {
             auto *p = PendingResult::cast(a[0]);
             if (!p->isDone())
                 return ts.raise(lang::typeValue(lang::types().RuntimeError), "Exception is not set.");
             return p->exception;
         }},
        {"add_done_callback",
         [](lang::ThreadState &ts, const lang::CallArgs &a) -> Value {
             if (a.size() < 2)
                 return ts.raise(lang::typeValue(lang::types().TypeError),
                                 "add_done_callback() missing 1 required positional argument: 'fn'");
             PendingResult::cast(a[0])->addDoneCallback(a[0], a[1]);
             return Value::none();
         }},
    };
    spec.hooks.resume = [](lang::ThreadState &ts, const Value &self, const Value &, const Value *exc) {
        lang::ResumeResult r;
        if (exc) {
            ts.raise(*exc);
            r.kind = lang::ResumeResult::Raised;
            return r;
        }
        auto *p = PendingResult::cast(self);
        if (!p->isDone()) {
            r.kind = lang::ResumeResult::Yielded;
            r.value = self;
        } else if (!p->exception.isNone()) {
            ts.raise(p->exception);
            r.kind = lang::ResumeResult::Raised;
        } else {
            r.kind = lang::ResumeResult::Returned;
            r.value = p->result;
        }
        return r;
    };
    Value t = lang::makeNativeType(std::move(spec));
    t.ptr()->makeImmortal();
    return t;
}

} // namespace

PendingResult::PendingResult(lang::TypeObject *type) : lang::NativeObject(type) {}

Value PendingResult::type()
{
    static const Value t = buildType();
    return t;
}

Value PendingResult::create(const RunContext &ctx)
{
    auto *p = new PendingResult(type().as<lang::TypeObject>());
    p->m_ctx = ctx;
    return Value::fromObject(p);
}

PendingResult *PendingResult::cast(const Value &v)
{
    if (!v.isKind(lang::ObjKind::Native) || v.ptr()->type() != type().as<lang::TypeObject>())
        return nullptr;
    return v.as<PendingResult>();
}

void PendingResult::setResult(Value value)
{
    if (m_done)
        return;
    result = std::move(value);
    m_done = true;
    scheduleCallbacks();
}

void PendingResult::setException(Value exc)
{
    if (m_done)
        return;
    exception = std::move(exc);
    m_done = true;
    scheduleCallbacks();
}

void PendingResult::addDoneCallback(Value self, Value callback)
{
    m_callbacks.push_back(std::move(callback));
    m_self = std::move(self);
    if (m_done)
        scheduleCallbacks();
}

void PendingResult::scheduleCallbacks()
{
    if (m_callbacks.empty())
        return;
    std::vector<Value> callbacks;
    callbacks.swap(m_callbacks);
    Value self = std::move(m_self);
    m_self = Value::none();
    for (auto &cb : callbacks) {
        auto interp = m_ctx.interp;
        auto run = [cb, self, interp]() {
            lang::ThreadState &ts = ThreadStateCache::forCurrentThread(*interp, "loop");
            GilScope gil(ts);
            Value r = lang::call(ts, cb, {self});
            if (r.isError())
                ts.fetchException(); // asyncio logs and drops callback errors
        };
        if (m_ctx.loop)
            m_ctx.loop->callSoon(run);
    }
}

} // namespace loopscope::fastapi
