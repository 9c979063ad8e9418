// Per-interpreter runtime state, pool-thread ThreadStates and shared helpers.
#include "runtimestate.h"

#include "future.h"
#include "nativecoroutine.h"
#include "task.h"

#include "trace/tracebuffer.h"

namespace loopscope::runtime {

using namespace lang;

namespace {

struct Registry {
    std::mutex mutex;
    std::map<Interpreter *, std::shared_ptr<RuntimeState>> states;
};

Registry &registry()
{
    static Registry *r = new Registry; // used by pool threads until the program ends
    return *r;
}

std::shared_ptr<RuntimeState> lookup(Interpreter &interp, bool create)
{
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.states.find(&interp);
    if (it != r.states.end()) {
        auto alive = it->second->interp.lock();
        if (alive.get() == &interp)
            return it->second;
        r.states.erase(it); // an old interpreter at the same address
    }
    if (!create)
        return nullptr;
    auto state = std::make_shared<RuntimeState>();
    state->interp = interp.weak_from_this();
    r.states[&interp] = state;
    return state;
}

void ensureTypes(ThreadState &ts, RuntimeState &rs)
{
    if (!rs.futureType.isNone())
        return;
    Interpreter &interp = ts.interpreter();
    rs.cancelledError = interp.newExceptionType("CancelledError", typeValue(types().BaseException), "asyncio.exceptions");
    rs.invalidStateError = interp.newExceptionType("InvalidStateError", typeValue(types().Exception), "asyncio.exceptions");
    rs.brokenExecutor = interp.newExceptionType("BrokenExecutor", typeValue(types().RuntimeError), "concurrent.futures");
    rs.cfCancelledError = rs.cancelledError;
    rs.coroutineType = NativeCoroutine::makeType(ts, rs);
    rs.futureType = FutureObject::makeType(ts, rs);
    rs.taskType = TaskObject::makeType(ts, rs);
}

struct PoolThreadStates {
    struct Entry {
        std::shared_ptr<Interpreter> interp;
        std::unique_ptr<ThreadState> ts;
    };
    std::vector<Entry> entries;
    ~PoolThreadStates()
    {
        for (auto &e : entries) {
            if (!e.ts->holdsGil())
                e.ts->acquireGil();
            e.ts.reset(); // detaches (and drops the GIL) while the interpreter is alive
            e.interp.reset();
        }
    }
};
thread_local PoolThreadStates t_poolStates;

} // namespace

RuntimeState &runtimeState(Interpreter &interp)
{
    return *lookup(interp, true);
}

RuntimeState &runtimeState(ThreadState &ts)
{
    RuntimeState &rs = *lookup(ts.interpreter(), true);
    ensureTypes(ts, rs);
    return rs;
}

Value raiseType(ThreadState &ts, const Value &type, std::string message)
{
    return ts.raise(type, std::move(message));
}

Value newCancelledError(ThreadState &ts, const std::string &message)
{
    RuntimeState &rs = runtimeState(ts);
    if (message.empty())
        return makeException(rs.cancelledError.as<TypeObject>(), {});
    return makeException(rs.cancelledError.as<TypeObject>(), message);
}

Value cancelledErrorType(ThreadState &ts)
{
    return runtimeState(ts).cancelledError;
}

EventLoop *requireRunningLoop(ThreadState &ts)
{
    EventLoop *loop = EventLoop::current();
    if (!loop || !loop->isRunning()) {
        ts.raise(types().RuntimeError, "no running event loop");
        return nullptr;
    }
    return loop;
}

ThreadState &poolThreadState(Interpreter &interp)
{
    for (auto &e : t_poolStates.entries)
        if (e.interp.get() == &interp)
            return *e.ts;
    PoolThreadStates::Entry e;
    e.interp = interp.shared_from_this();
    e.ts = interp.attachThread("worker");
    if (e.ts->holdsGil())
        e.ts->releaseGil();
    t_poolStates.entries.push_back(std::move(e));
    return *t_poolStates.entries.back().ts;
}

std::vector<KeywordArg> keywordArgs(const std::vector<std::pair<std::string, Value>> &kwargs)
{
    std::vector<KeywordArg> out;
    out.reserve(kwargs.size());
    for (const auto &[name, value] : kwargs)
        out.push_back(KeywordArg{name, value});
    return out;
}

CallOutcome callOnPoolThread(Interpreter &interp, const Value &fn, const std::vector<Value> &args,
                             const std::vector<std::pair<std::string, Value>> &kwargs, std::int64_t request)
{
    ThreadState &ts = poolThreadState(interp);
    ts.acquireGil();
    ts.currentRequest = request;
    if (request >= 0)
        trace::emit(trace::EventKind::RunBegin, request);
    CallOutcome out;
    const auto kw = keywordArgs(kwargs);
    Value r = call(ts, fn, std::span<const Value>(args), std::span<const KeywordArg>(kw));
    if (r.isError()) {
        out.exception = ts.fetchException();
        if (out.exception.isNone())
            out.exception = makeException(types().RuntimeError,
                                          "error return without exception set");
    } else {
        out.result = std::move(r);
    }
    if (request >= 0)
        trace::emit(trace::EventKind::RunEnd, request);
    ts.currentRequest = -1;
    ts.releaseGil();
    return out;
}

void reportCallbackException(ThreadState &ts, const std::string &context, const Value &exc)
{
    std::string text = context + "\n" + formatException(ts, exc);
    ts.interpreter().write(ts, text, true);
}

} // namespace loopscope::runtime
