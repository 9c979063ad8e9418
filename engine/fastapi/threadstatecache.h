// The ThreadState the FastAPI layer runs Python code with on the current thread (the
// loop thread or a worker thread), and a scope that holds the GIL for one step.
#pragma once

#include <cstdint>
#include <memory>

namespace loopscope::lang {
class Interpreter;
class ThreadState;
}

namespace loopscope::fastapi {

class ThreadStateCache {
public:
    // The thread's current ThreadState if it belongs to `interp`; otherwise one attached
    // for this thread on first use and kept until the thread ends. Returned without the
    // GIL held (use GilScope).
    static lang::ThreadState &forCurrentThread(lang::Interpreter &interp, const char *name);
};

// Holds the GIL for its lifetime unless the thread already held it.
class GilScope {
public:
    explicit GilScope(lang::ThreadState &ts);
    ~GilScope();
    GilScope(const GilScope &) = delete;
    GilScope &operator=(const GilScope &) = delete;

private:
    lang::ThreadState &m_ts;
    bool m_acquired;
};

// Sets ts.currentRequest for one step (prints and trace events are attributed to it).
class RequestScope {
public:
    RequestScope(lang::ThreadState &ts, std::int64_t request);
    ~RequestScope();

private:
    lang::ThreadState &m_ts;
    std::int64_t m_previous;
};

} // namespace loopscope::fastapi
