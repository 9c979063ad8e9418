// ThreadState (see threadstate.h).
#include "threadstate.h"

#include "code.h"
#include "gil.h"
#include "interpreter.h"
#include "vm.h"

#include <pthread.h>

namespace loopscope::lang {

static thread_local ThreadState *t_current = nullptr;
static std::atomic<std::uint64_t> g_nextIdent{1};

ThreadState::ThreadState(Interpreter &interp, std::string name)
    : m_interp(interp), m_name(std::move(name)), m_threadId(std::this_thread::get_id())
{
    m_ident = static_cast<std::uint64_t>(pthread_self());
    (void)g_nextIdent;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr = nullptr;
        std::size_t size = 0;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr && size > (512u << 10)) {
            // keep a margin for natives and the error path below the guard
            std::size_t margin = size > (4u << 20) ? (1u << 20) : (256u << 10);
            stackBase = static_cast<char *>(addr) + margin;
        }
        pthread_attr_destroy(&attr);
    }
    m_previousCurrent = t_current;
    t_current = this;
}

ThreadState::~ThreadState()
{
    releaseGil();
    m_interp.detach(this);
    if (t_current == this)
        t_current = m_previousCurrent;
}

ThreadState *ThreadState::current() { return t_current; }

Value ThreadState::raise(const Value &excTypeOrInstance)
{
    Value exc = excTypeOrInstance;
    if (!exc.isException()) {
        Value e = exceptionFromTypeOrInstance(*this, exc);
        if (e.isError())
            return e;
        exc = e;
    }
    Value handled = handledException();
    auto *eo = exc.as<ExceptionObject>();
    if (!handled.isNone() && !handled.is(exc) && eo->context.isNone()) {
        // avoid cycles in the context chain
        bool cycle = false;
        Value c = handled;
        for (int guard = 0; c.isException() && guard < 100; ++guard) {
            if (c.is(exc)) {
                cycle = true;
                break;
            }
            c = c.as<ExceptionObject>()->context;
        }
        if (!cycle)
            eo->context = handled;
    }
    m_exception = exc;
    return Value::error();
}

Value ThreadState::raise(TypeObject *excType, std::string message)
{
    return raise(makeException(excType, std::move(message)));
}

Value ThreadState::raise(const Value &excType, std::string message)
{
    if (excType.isType())
        return raise(excType.as<TypeObject>(), std::move(message));
    return raise(excType);
}

Value ThreadState::fetchException()
{
    Value e = std::move(m_exception);
    m_exception = Value::none();
    return e;
}

bool ThreadState::exceptionMatches(TypeObject *type) const
{
    return m_exception.isObject() && m_exception.type()->isSubtypeOf(type);
}

Value ThreadState::handledException() const
{
    for (Frame *f = topFrame; f; f = f->back)
        if (!f->handled.isNone())
            return f->handled;
    return Value::none();
}

void ThreadState::requestAsyncException(const Value &excType)
{
    {
        std::lock_guard<std::mutex> lock(m_asyncMutex);
        m_asyncExc = excType;
    }
    evalBreaker.fetch_or(AsyncException, std::memory_order_release);
}

bool ThreadState::handleEvalBreaker()
{
    std::uint32_t flags = evalBreaker.load(std::memory_order_acquire);
    if (flags & DeferredWakes)
        runDeferredWakes();
    if ((flags & GilDropRequest) && m_interp.gil() && m_holdsGil)
        m_interp.gil()->yieldToWaiter(*this);
    if (flags & AsyncException) {
        Value exc;
        {
            std::lock_guard<std::mutex> lock(m_asyncMutex);
            exc = std::move(m_asyncExc);
            m_asyncExc = Value::none();
        }
        evalBreaker.fetch_and(~static_cast<std::uint32_t>(AsyncException), std::memory_order_acq_rel);
        if (!exc.isNone()) {
            raise(exc);
            return false;
        }
    }
    return true;
}

void ThreadState::acquireGil()
{
    if (m_holdsGil)
        return;
    if (m_interp.gil())
        m_interp.gil()->acquire(*this);
    m_holdsGil = true;
}

void ThreadState::releaseGil()
{
    if (!m_holdsGil)
        return;
    m_holdsGil = false;
    if (m_interp.gil())
        m_interp.gil()->release(*this);
    if (!m_deferredWakes.empty())
        runDeferredWakes();
}

void ThreadState::wakeWhenGilFree(std::function<void()> wake)
{
    if (!m_holdsGil || !m_interp.gil()) {
        wake();
        return;
    }
    m_deferredWakes.push_back(std::move(wake));
    evalBreaker.fetch_or(DeferredWakes, std::memory_order_relaxed);
}

void ThreadState::runDeferredWakes()
{
    evalBreaker.fetch_and(~static_cast<std::uint32_t>(DeferredWakes), std::memory_order_relaxed);
    // a wake may defer another: take the list first
    std::vector<std::function<void()>> wakes;
    wakes.swap(m_deferredWakes);
    for (auto &wake : wakes)
        wake();
    if (m_deferredWakes.empty()) {
        wakes.clear();
        m_deferredWakes.swap(wakes); // keep the capacity
    }
}

PositionSample ThreadState::samplePosition() const
{
    PositionSample s;
    int depth = sampleDepth.load(std::memory_order_acquire);
    if (depth > kSampleDepth)
        depth = kSampleDepth;
    if (depth <= 0)
        return s;
    const char *nc = m_nativeCall.load(std::memory_order_relaxed);
    if (nc)
        s.nativeCall = nc;
    for (int i = depth - 1; i >= 0; --i) {
        const Code *c = sampleStack[i].code.load(std::memory_order_relaxed);
        std::uint32_t pc = sampleStack[i].pc.load(std::memory_order_relaxed);
        if (!c)
            continue;
        int line = c->lineAt(pc);
        if (!s.valid) {
            s.valid = true;
            s.filename = c->filename;
            s.function = c->name;
            s.line = line;
        } else {
            s.outer.push_back(PositionSample::Outer{c->name, c->filename, line});
        }
    }
    return s;
}

GilRelease::GilRelease(ThreadState &ts, const char *nativeCall) : m_ts(ts), m_released(ts.holdsGil())
{
    if (nativeCall)
        ts.setNativeCall(nativeCall);
    if (m_released)
        ts.releaseGil();
}

GilRelease::~GilRelease()
{
    if (m_released)
        m_ts.acquireGil();
}

} // namespace loopscope::lang
