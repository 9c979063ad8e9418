// Coroutines with C++ bodies.
#include "nativecoroutine.h"

#include "runtimestate.h"

#include <cstdio>

namespace loopscope::runtime {

using namespace lang;

ResumeResult raiseThrown(ThreadState &ts, const Value &exc)
{
    ts.raise(exc);
    return raised();
}

NativeCoroutine::NativeCoroutine(TypeObject *type, std::string name, CoroutineStep step)
    : NativeObject(type)
    , m_name(std::move(name))
    , m_step(std::move(step))
{
}

NativeCoroutine *NativeCoroutine::from(const Value &v)
{
    if (!v.isKind(ObjKind::Native))
        return nullptr;
    return dynamic_cast<NativeCoroutine *>(v.ptr());
}

ResumeResult NativeCoroutine::resume(ThreadState &ts, const Value &sent, const Value *exc)
{
    if (m_finished) {
        if (exc)
            return raiseThrown(ts, *exc);
        ts.raise(types().RuntimeError, "cannot reuse already awaited coroutine");
        return raised();
    }
    if (m_running) {
        ts.raise(types().ValueError, "coroutine already executing");
        return raised();
    }
    m_running = true;
    ResumeResult r = m_step(ts, sent, exc);
    m_running = false;
    if (r.kind != ResumeResult::Yielded) {
        m_finished = true;
        m_step = nullptr; // drop what the body captured
    }
    return r;
}

Value NativeCoroutine::makeType(ThreadState &, RuntimeState &)
{
    NativeTypeSpec spec;
    spec.name = "coroutine";
    spec.module = "builtins";
    auto selfOf = [](ThreadState &ts, const CallArgs &args) -> NativeCoroutine * {
        NativeCoroutine *c = args.size() > 0 ? NativeCoroutine::from(args[0]) : nullptr;
        if (!c)
            ts.raise(types().TypeError, "descriptor requires a 'coroutine' object");
        return c;
    };
    spec.methods.push_back({"__await__", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                return selfOf(ts, args) ? args[0] : Value::error();
                            }});
    spec.methods.push_back({"send", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                NativeCoroutine *c = selfOf(ts, args);
                                if (!c || !args.checkCount(ts, "send", 2, 2))
                                    return Value::error();
                                ResumeResult r = c->resume(ts, args[1], nullptr);
                                if (r.kind == ResumeResult::Yielded)
                                    return r.value;
                                if (r.kind == ResumeResult::Raised)
                                    return Value::error();
                                return ts.raise(makeException(types().StopIteration, {}));
                            }});
    spec.methods.push_back({"throw", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                NativeCoroutine *c = selfOf(ts, args);
                                if (!c || !args.checkCount(ts, "throw", 2, 4))
                                    return Value::error();
                                Value exc = args[1];
                                if (exc.isType())
                                    exc = makeException(exc.as<TypeObject>(), {});
                                ResumeResult r = c->resume(ts, Value::none(), &exc);
                                if (r.kind == ResumeResult::Yielded)
                                    return r.value;
                                if (r.kind == ResumeResult::Raised)
                                    return Value::error();
                                return ts.raise(makeException(types().StopIteration, {}));
                            }});
    spec.methods.push_back({"close", [selfOf](ThreadState &ts, const CallArgs &args) -> Value {
                                NativeCoroutine *c = selfOf(ts, args);
                                if (!c)
                                    return Value::error();
                                c->m_finished = true;
                                c->m_step = nullptr;
                                return Value::none();
                            }});
    spec.hooks.resume = [](ThreadState &ts, const Value &self, const Value &sent, const Value *exc) -> ResumeResult {
        NativeCoroutine *c = NativeCoroutine::from(self);
        if (!c) {
            ts.raise(types().TypeError, "not a coroutine");
            return raised();
        }
        return c->resume(ts, sent, exc);
    };
    spec.hooks.repr = [](ThreadState &, const Value &self) -> std::string {
        NativeCoroutine *c = NativeCoroutine::from(self);
        char buf[64];
        std::snprintf(buf, sizeof buf, " at %p>", static_cast<void *>(self.ptr()));
        return "<coroutine object " + (c ? c->name() : std::string("?")) + buf;
    };
    return makeNativeType(std::move(spec));
}

Value makeNativeCoroutine(ThreadState &ts, std::string name, CoroutineStep step)
{
    RuntimeState &rs = runtimeState(ts);
    return Value(new NativeCoroutine(rs.coroutineType.as<TypeObject>(), std::move(name), std::move(step)));
}

} // namespace loopscope::runtime
