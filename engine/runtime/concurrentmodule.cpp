// concurrent.futures: Future, ThreadPoolExecutor, ProcessPoolExecutor (each worker is
// its own Interpreter — its own GIL — that loads the main module again, like a spawned
// process; calls go by function name, arguments and results are copied across).
#include "future.h"
#include "nativecoroutine.h"
#include "runtimestate.h"
#include "threadpoolexecutor.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

namespace loopscope::runtime {

using namespace lang;

namespace {

// Drops the GIL of the calling thread (if held) for a blocking wait or a join.
class GilReleaseIfHeld {
public:
    GilReleaseIfHeld()
    {
        m_ts = ThreadState::current();
        if (m_ts && m_ts->holdsGil())
            m_ts->releaseGil();
        else
            m_ts = nullptr;
    }
    ~GilReleaseIfHeld()
    {
        if (m_ts)
            m_ts->acquireGil();
    }

private:
    ThreadState *m_ts;
};

// ---------------------------------------------------------------- concurrent.futures.Future

class CFutureObject : public NativeObject {
public:
    using NativeObject::NativeObject;
    enum class State { Pending, Finished, Cancelled };
    std::mutex mutex;
    std::condition_variable cv;
    State state = State::Pending;
    bool running = false;
    Value result;
    Value exception;
    std::vector<Value> callbacks;
    std::weak_ptr<Interpreter> interp;

    bool done()
    {
        std::lock_guard lock(mutex);
        return state != State::Pending;
    }
    // Pool thread, without the GIL.
    void finish(CallOutcome outcome)
    {
        std::vector<Value> cbs;
        {
            std::lock_guard lock(mutex);
            if (state != State::Pending)
                return;
            state = State::Finished;
            result = std::move(outcome.result);
            exception = std::move(outcome.exception);
            cbs.swap(callbacks);
        }
        cv.notify_all();
        runCallbacks(cbs);
    }
    void runCallbacks(const std::vector<Value> &cbs)
    {
        if (cbs.empty())
            return;
        auto in = interp.lock();
        if (!in)
            return;
        ThreadState *cur = ThreadState::current();
        ThreadState &ts = cur && &cur->interpreter() == in.get() ? *cur : poolThreadState(*in);
        const bool had = ts.holdsGil();
        if (!had)
            ts.acquireGil();
        Value me(this);
        for (auto &cb : cbs) {
            if (call(ts, cb, {me}).isError())
                reportCallbackException(ts, "exception calling callback for " + repr(ts, me), ts.fetchException());
        }
        if (!had)
            ts.releaseGil();
    }
};

CFutureObject *cfSelf(ThreadState &ts, const CallArgs &args)
{
    auto *f = args.size() ? dynamic_cast<CFutureObject *>(args[0].ptr()) : nullptr;
    if (!f)
        ts.raise(types().TypeError, "descriptor requires a 'Future' object");
    return f;
}

// Waits (GIL released) until done or the timeout passes; false on timeout.
bool cfWait(CFutureObject *f, const Value &timeoutV)
{
    GilReleaseIfHeld unlock;
    std::unique_lock lock(f->mutex);
    if (timeoutV.isNone() || timeoutV.isNotFound()) {
        f->cv.wait(lock, [f] { return f->state != CFutureObject::State::Pending; });
        return true;
    }
    const double t = timeoutV.asDouble();
    return f->cv.wait_for(lock, std::chrono::duration<double>(t > 0 ? t : 0),
                          [f] { return f->state != CFutureObject::State::Pending; });
}

Value makeCFutureType()
{
    NativeTypeSpec spec;
    spec.name = "Future";
    spec.module = "concurrent.futures";
    spec.methods.push_back({"result", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f)
                                    return Value::error();
                                Value timeout = args.arg(1, "timeout");
                                if (!timeout.isNotFound() && !timeout.isNone() && !timeout.isInt() && !timeout.isFloat())
                                    return ts.raise(types().TypeError, "timeout must be a number");
                                if (!cfWait(f, timeout))
                                    return ts.raise(types().TimeoutError, {});
                                std::lock_guard lock(f->mutex);
                                if (f->state == CFutureObject::State::Cancelled)
                                    return ts.raise(newCancelledError(ts, {}));
                                if (!f->exception.isNone())
                                    return ts.raise(f->exception);
                                return f->result;
                            }});
    spec.methods.push_back({"exception", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f)
                                    return Value::error();
                                Value timeout = args.arg(1, "timeout");
                                if (!cfWait(f, timeout))
                                    return ts.raise(types().TimeoutError, {});
                                std::lock_guard lock(f->mutex);
                                if (f->state == CFutureObject::State::Cancelled)
                                    return ts.raise(newCancelledError(ts, {}));
                                return f->exception;
                            }});
    spec.methods.push_back({"done", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                return f ? Value::fromBool(f->done()) : Value::error();
                            }});
    spec.methods.push_back({"running", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f)
                                    return Value::error();
                                std::lock_guard lock(f->mutex);
                                return Value::fromBool(f->running && f->state == CFutureObject::State::Pending);
                            }});
    spec.methods.push_back({"cancelled", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f)
                                    return Value::error();
                                std::lock_guard lock(f->mutex);
                                return Value::fromBool(f->state == CFutureObject::State::Cancelled);
                            }});
    spec.methods.push_back({"cancel", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f)
                                    return Value::error();
                                std::vector<Value> cbs;
                                {
                                    std::lock_guard lock(f->mutex);
                                    if (f->state == CFutureObject::State::Cancelled)
                                        return Value::trueValue();
                                    if (f->running || f->state != CFutureObject::State::Pending)
                                        return Value::falseValue();
                                    f->state = CFutureObject::State::Cancelled;
                                    cbs.swap(f->callbacks);
                                }
                                f->cv.notify_all();
                                f->runCallbacks(cbs);
                                return Value::trueValue();
                            }});
    spec.methods.push_back({"add_done_callback", [](ThreadState &ts, const CallArgs &args) -> Value {
                                CFutureObject *f = cfSelf(ts, args);
                                if (!f || !args.checkCount(ts, "add_done_callback", 2, 2))
                                    return Value::error();
                                {
                                    std::lock_guard lock(f->mutex);
                                    if (f->state == CFutureObject::State::Pending) {
                                        f->callbacks.push_back(args[1]);
                                        return Value::none();
                                    }
                                }
                                if (call(ts, args[1], {args[0]}).isError())
                                    reportCallbackException(ts, "exception calling callback", ts.fetchException());
                                return Value::none();
                            }});
    spec.hooks.repr = [](ThreadState &, const Value &self) -> std::string {
        auto *f = dynamic_cast<CFutureObject *>(self.ptr());
        if (!f)
            return "<Future>";
        std::lock_guard lock(f->mutex);
        const char *st = f->state == CFutureObject::State::Cancelled ? "cancelled"
                         : f->state == CFutureObject::State::Finished ? "finished"
                         : f->running                                  ? "running"
                                                                       : "pending";
        return std::string("<Future at 0x") + std::to_string(reinterpret_cast<std::uintptr_t>(self.ptr())) + " state=" + st + ">";
    };
    return makeNativeType(std::move(spec));
}

// ---------------------------------------------------------------- process pool

// One simulated worker process: its own interpreter with the main module loaded as
// __mp_main__ (aliased to __main__, as multiprocessing's spawn does).
struct ChildProcess {
    std::shared_ptr<Interpreter> interp;
    std::unique_ptr<ThreadState> ts;
    std::string error; // set when loading the module failed
    ~ChildProcess()
    {
        if (ts && !ts->holdsGil())
            ts->acquireGil();
        ts.reset();
        interp.reset();
    }
};

class ProcessPool {
public:
    ProcessPool(int maxWorkers, std::shared_ptr<Interpreter> parent)
        : m_executor(maxWorkers, "process")
        , m_parent(std::move(parent))
    {
        const ProcessPool *key = this;
        m_executor.setThreadHooks({}, [key] { children().erase(key); });
        m_settings = runtimeSettings(*m_parent);
    }
    ThreadPoolExecutor &executor() { return m_executor; }

    bool submit(ThreadState &ts, Value fn, std::vector<Value> args, std::function<void(CallOutcome)> onDone)
    {
        FunctionInfo info;
        if (!functionInfo(fn, info)) {
            ts.raise(types().TypeError, "ProcessPoolExecutor can only run module-level Python functions (got " +
                                            repr(ts, fn) + ")");
            return false;
        }
        if (info.qualname.find('.') != std::string::npos || info.qualname.find('<') != std::string::npos) {
            ts.raise(types().AttributeError, "Can't pickle local object '" + info.qualname + "'");
            return false;
        }
        if (m_settings.mainSource.empty()) {
            ts.raise(types().RuntimeError, "ProcessPoolExecutor needs the main module's source");
            return false;
        }
        ProcessPool *self = this;
        std::string fname = info.name;
        const std::int64_t request = ts.currentRequest;
        return m_executor.submit([self, fn, args, fname, onDone, request]() mutable {
            onDone(self->runInChild(args, fname, request));
            fn = Value::none();
            args.clear();
        }, request);
    }

private:
    static std::map<const ProcessPool *, std::unique_ptr<ChildProcess>> &children()
    {
        thread_local std::map<const ProcessPool *, std::unique_ptr<ChildProcess>> map;
        return map;
    }

    ChildProcess &child()
    {
        auto &slot = children()[this];
        if (slot)
            return *slot;
        slot = std::make_unique<ChildProcess>();
        InterpreterOptions opts = m_parent->options();
        slot->interp = Interpreter::create(opts);
        RuntimeSettings childSettings = m_settings;
        registerRuntimeModules(*slot->interp, childSettings);
        if (m_settings.configureChild)
            m_settings.configureChild(*slot->interp);
        slot->ts = slot->interp->attachThread("MainThread");
        ThreadState &cts = *slot->ts;
        if (!cts.holdsGil())
            cts.acquireGil();
        CompileResult compiled = slot->interp->compile(m_settings.mainSource, m_settings.mainFilename);
        if (!compiled) {
            slot->error = compiled.error ? compiled.error->formatted : "cannot compile the main module";
        } else {
            Value module = slot->interp->runModule(cts, compiled.code, "__mp_main__");
            if (module.isError()) {
                slot->error = formatException(cts, cts.fetchException());
            } else {
                slot->interp->addModule("__main__", module);
            }
        }
        cts.releaseGil();
        return *slot;
    }

    // The function travels by name: the child looks it up in its own __main__.
    CallOutcome runInChild(const std::vector<Value> &args, const std::string &fname,
                           std::int64_t request)
    {
        CallOutcome out;
        ChildProcess &c = child();
        ThreadState &pts = poolThreadState(*m_parent);
        if (!c.error.empty()) {
            pts.acquireGil();
            out.exception = makeException(types().RuntimeError,
                                          "A process in the process pool was terminated abruptly while the future was "
                                          "running or pending.\n" + c.error);
            pts.releaseGil();
            return out;
        }
        ThreadState &cts = *c.ts;
        cts.acquireGil();
        pts.acquireGil();
        std::vector<Value> childArgs;
        bool ok = true;
        for (const auto &a : args) {
            Value v = copyToInterpreter(pts, a, cts);
            if (v.isError()) {
                ok = false;
                break;
            }
            childArgs.push_back(v);
        }
        Value childFn;
        if (ok) {
            Value mainModule = c.interp->moduleIfLoaded("__main__");
            childFn = mainModule.isNone() || mainModule.isNotFound() ? Value::notFound()
                                                                     : getAttrOpt(cts, mainModule, fname);
            if (childFn.isNotFound() || childFn.isError()) {
                ok = false;
                out.exception = makeException(types().AttributeError,
                                              "Can't get attribute '" + fname + "' on <module '__main__'>");
            }
        } else {
            Value e = pts.hasException() ? pts.fetchException() : cts.fetchException();
            out.exception = e.isNone() ? makeException(types().TypeError, "cannot pickle argument") : e;
        }
        pts.releaseGil();
        if (!ok) {
            cts.releaseGil();
            return out;
        }
        cts.currentRequest = request;
        Value r = call(cts, childFn, std::span<const Value>(childArgs));
        cts.currentRequest = -1;
        Value childExc;
        if (r.isError())
            childExc = cts.fetchException();
        pts.acquireGil();
        if (!r.isError()) {
            Value back = copyToInterpreter(cts, r, pts);
            if (back.isError()) {
                Value e = cts.hasException() ? cts.fetchException() : pts.fetchException();
                out.exception = makeException(types().TypeError, "cannot pickle the result: " +
                                                                     (e.isNone() ? std::string() : exceptionSummary(cts, e)));
            } else {
                out.result = back;
            }
        } else {
            // Re-create the exception in the parent: same builtin class, same message.
            TypeObject *type = types().RuntimeError;
            const std::string tname = typeName(childExc);
            for (TypeObject *t : types().allExceptions)
                if (t->name == tname)
                    type = t;
            std::string summary = exceptionSummary(cts, childExc);
            const std::string prefix = tname + ": ";
            std::string message = summary.rfind(prefix, 0) == 0 ? summary.substr(prefix.size())
                                  : summary == tname               ? std::string()
                                                                   : summary;
            out.exception = makeException(type, message);
        }
        pts.releaseGil();
        cts.releaseGil();
        return out;
    }

    ThreadPoolExecutor m_executor;
    std::shared_ptr<Interpreter> m_parent;
    RuntimeSettings m_settings;
};

// ---------------------------------------------------------------- executors

class ExecutorObject : public NativeObject {
public:
    using NativeObject::NativeObject;
    std::unique_ptr<ThreadPoolExecutor> threads;
    std::unique_ptr<ProcessPool> processes;
    ~ExecutorObject() override
    {
        GilReleaseIfHeld unlock; // the workers may need the GIL to finish
        processes.reset();
        threads.reset();
    }
    ThreadPoolExecutor &executor() { return processes ? processes->executor() : *threads; }
};

ExecutorObject *executorSelf(ThreadState &ts, const CallArgs &args)
{
    auto *e = args.size() ? dynamic_cast<ExecutorObject *>(args[0].ptr()) : nullptr;
    if (!e)
        ts.raise(types().TypeError, "descriptor requires an Executor object");
    return e;
}

Value submitFn(ThreadState &ts, const CallArgs &args)
{
    ExecutorObject *e = executorSelf(ts, args);
    if (!e)
        return Value::error();
    if (args.size() < 2)
        return ts.raise(types().TypeError, "submit() missing 1 required positional argument: 'fn'");
    RuntimeState &rs = runtimeState(ts);
    auto *f = new CFutureObject(rs.cfFutureType.as<TypeObject>());
    f->interp = ts.interpreter().weak_from_this();
    Value fv(f);
    std::vector<Value> pos;
    for (std::size_t i = 2; i < args.size(); ++i)
        pos.push_back(args[i]);
    std::vector<std::pair<std::string, Value>> kw;
    for (const auto &k : args.keywords)
        kw.emplace_back(std::string(k.name), k.value);
    auto onDone = [fv](CallOutcome outcome) {
        static_cast<CFutureObject *>(fv.ptr())->finish(std::move(outcome));
    };
    if (!submitToExecutor(ts, nullptr, args[0], args[1], std::move(pos), std::move(kw), onDone))
        return Value::error();
    return fv;
}

Value makeExecutorType(bool process)
{
    NativeTypeSpec spec;
    spec.name = process ? "ProcessPoolExecutor" : "ThreadPoolExecutor";
    spec.module = "concurrent.futures";
    spec.construct = [process](ThreadState &ts, const CallArgs &args) -> Value {
        Value mw = args.keyword("max_workers");
        if (mw.isNotFound()) {
            for (std::size_t i = 0; i < args.size(); ++i)
                if (!args[i].isType()) {
                    mw = args[i];
                    break;
                }
        }
        const int cpu = ts.interpreter().options().cpuCount > 0 ? ts.interpreter().options().cpuCount : 1;
        int n = process ? cpu : ThreadPoolExecutor::defaultMaxWorkers(cpu);
        if (!mw.isNotFound() && !mw.isNone()) {
            if (!mw.isInt())
                return ts.raise(types().TypeError, "'" + typeName(mw) + "' object cannot be interpreted as an integer");
            if (mw.asInt() <= 0)
                return ts.raise(types().ValueError, "max_workers must be greater than 0");
            n = int(std::min<std::int64_t>(mw.asInt(), 4096));
        }
        RuntimeState &rs = runtimeState(ts);
        auto *e = new ExecutorObject((process ? rs.processPoolType : rs.threadPoolType).as<TypeObject>());
        Value v(e);
        if (process)
            e->processes = std::make_unique<ProcessPool>(n, ts.interpreter().shared_from_this());
        else
            e->threads = std::make_unique<ThreadPoolExecutor>(n, "ThreadPoolExecutor");
        return v;
    };
    spec.methods.push_back({"submit", submitFn});
    spec.methods.push_back({"shutdown", [](ThreadState &ts, const CallArgs &args) -> Value {
                                ExecutorObject *e = executorSelf(ts, args);
                                if (!e)
                                    return Value::error();
                                Value wait = args.arg(1, "wait");
                                Value cancel = args.arg(2, "cancel_futures");
                                const bool w = wait.isNotFound() || truthy(ts, wait) == 1;
                                const bool c = !cancel.isNotFound() && truthy(ts, cancel) == 1;
                                GilReleaseIfHeld unlock;
                                e->executor().shutdown(w, c);
                                return Value::none();
                            }});
    spec.methods.push_back({"map", [](ThreadState &ts, const CallArgs &args) -> Value {
                                ExecutorObject *e = executorSelf(ts, args);
                                if (!e)
                                    return Value::error();
                                if (args.size() < 3)
                                    return ts.raise(types().TypeError, "map() must have at least two arguments.");
                                std::vector<std::vector<Value>> columns;
                                for (std::size_t i = 2; i < args.size(); ++i) {
                                    std::vector<Value> items;
                                    if (!collect(ts, args[i], items))
                                        return Value::error();
                                    columns.push_back(std::move(items));
                                }
                                std::size_t n = columns.empty() ? 0 : columns[0].size();
                                for (auto &c : columns)
                                    n = std::min(n, c.size());
                                std::vector<Value> futures;
                                for (std::size_t row = 0; row < n; ++row) {
                                    std::vector<Value> callArgs{args[0], args[1]};
                                    for (auto &c : columns)
                                        callArgs.push_back(c[row]);
                                    CallArgs sub{std::span<const Value>(callArgs), {}};
                                    Value f = submitFn(ts, sub);
                                    if (f.isError())
                                        return f;
                                    futures.push_back(f);
                                }
                                auto index = std::make_shared<std::size_t>(0);
                                return makeIterator([futures, index](ThreadState &ts) -> Value {
                                    if (*index >= futures.size())
                                        return Value::notFound();
                                    Value f = futures[(*index)++];
                                    return callMethod(ts, f, "result", {});
                                });
                            }});
    spec.methods.push_back({"__enter__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                return executorSelf(ts, args) ? args[0] : Value::error();
                            }});
    spec.methods.push_back({"__exit__", [](ThreadState &ts, const CallArgs &args) -> Value {
                                ExecutorObject *e = executorSelf(ts, args);
                                if (!e)
                                    return Value::error();
                                GilReleaseIfHeld unlock;
                                e->executor().shutdown(true);
                                return Value::falseValue();
                            }});
    spec.hooks.getattr = [](ThreadState &, const Value &self, std::string_view name) -> Value {
        auto *e = dynamic_cast<ExecutorObject *>(self.ptr());
        if (e && name == "_max_workers")
            return Value::fromInt(e->executor().maxWorkers());
        return Value::notFound();
    };
    return makeNativeType(std::move(spec));
}

void ensureTypes(RuntimeState &rs)
{
    if (rs.cfFutureType.isNone())
        rs.cfFutureType = makeCFutureType();
    if (rs.threadPoolType.isNone())
        rs.threadPoolType = makeExecutorType(false);
    if (rs.processPoolType.isNone())
        rs.processPoolType = makeExecutorType(true);
}

} // namespace

bool submitToExecutor(ThreadState &ts, EventLoop *loop, const Value &executor, Value fn, std::vector<Value> args,
                      std::vector<std::pair<std::string, Value>> kwargs, std::function<void(CallOutcome)> onDone)
{
    Interpreter *interp = &ts.interpreter();
    const std::int64_t request = ts.currentRequest;
    ThreadPoolExecutor *target = nullptr;
    if (executor.isNone()) {
        if (!loop) {
            ts.raise(types().RuntimeError, "no running event loop");
            return false;
        }
        target = &loop->defaultExecutor();
    } else {
        auto *e = executor.isKind(ObjKind::Native) ? dynamic_cast<ExecutorObject *>(executor.ptr()) : nullptr;
        if (!e) {
            ts.raise(types().TypeError, "executor must be an instance of concurrent.futures.Executor");
            return false;
        }
        if (e->processes) {
            if (!kwargs.empty()) {
                ts.raise(types().TypeError, "keyword arguments are not supported by this ProcessPoolExecutor");
                return false;
            }
            if (e->executor().isShutdown()) {
                ts.raise(types().RuntimeError, "cannot schedule new futures after shutdown");
                return false;
            }
            return e->processes->submit(ts, std::move(fn), std::move(args), std::move(onDone));
        }
        target = e->threads.get();
    }
    const bool ok = target->submit(
        [interp, fn, args, kwargs, request, onDone]() mutable {
            CallOutcome out = callOnPoolThread(*interp, fn, args, kwargs, request);
            onDone(std::move(out));
        },
        request);
    if (!ok)
        ts.raise(types().RuntimeError, "cannot schedule new futures after shutdown");
    return ok;
}

Value makeConcurrentFuturesModule(ThreadState &ts)
{
    RuntimeState &rs = runtimeState(ts);
    ensureTypes(rs);
    return makeModule("concurrent.futures", {{"ThreadPoolExecutor", rs.threadPoolType},
                                             {"ProcessPoolExecutor", rs.processPoolType},
                                             {"Future", rs.cfFutureType},
                                             {"CancelledError", rs.cfCancelledError},
                                             {"TimeoutError", typeValue(types().TimeoutError)},
                                             {"BrokenExecutor", rs.brokenExecutor}});
}

Value makeConcurrentPackage(ThreadState &ts)
{
    Value futures = ts.interpreter().moduleIfLoaded("concurrent.futures");
    if (futures.isNone() || futures.isNotFound()) {
        futures = makeConcurrentFuturesModule(ts);
        ts.interpreter().addModule("concurrent.futures", futures);
    }
    return makeModule("concurrent", {{"futures", futures}});
}

} // namespace loopscope::runtime
