#include "threadstatecache.h"

#include "lang/interpreter.h"
#include "lang/threadstate.h"

#include <vector>

namespace loopscope::fastapi {

namespace {

struct Attached {
    std::shared_ptr<lang::Interpreter> interp; // keeps the interpreter alive for the state
    std::unique_ptr<lang::ThreadState> ts;
};

struct PerThread {
    std::vector<Attached> states;
    ~PerThread()
    {
        // Detach newest first, each with its GIL held as attach left it.
        while (!states.empty()) {
            Attached &a = states.back();
            if (a.ts && !a.ts->holdsGil())
                a.ts->acquireGil();
            a.ts.reset();
            states.pop_back();
        }
    }
};

thread_local PerThread t_perThread;

} // namespace

lang::ThreadState &ThreadStateCache::forCurrentThread(lang::Interpreter &interp, const char *name)
{
    if (lang::ThreadState *cur = lang::ThreadState::current(); cur && &cur->interpreter() == &interp)
        return *cur;
    for (auto &a : t_perThread.states)
        if (a.interp.get() == &interp)
            return *a.ts;
    Attached a;
    a.interp = interp.shared_from_this();
    a.ts = interp.attachThread(name);
    if (a.ts->holdsGil())
        a.ts->releaseGil();
    t_perThread.states.push_back(std::move(a));
    return *t_perThread.states.back().ts;
}

GilScope::GilScope(lang::ThreadState &ts) : m_ts(ts), m_acquired(!ts.holdsGil())
{
    if (m_acquired)
        m_ts.acquireGil();
}

GilScope::~GilScope()
{
    if (m_acquired)
        m_ts.releaseGil();
}

RequestScope::RequestScope(lang::ThreadState &ts, std::int64_t request) : m_ts(ts), m_previous(ts.currentRequest)
{
    m_ts.currentRequest = request;
}

RequestScope::~RequestScope()
{
    m_ts.currentRequest = m_previous;
}

} // namespace loopscope::fastapi
