// ThreadState: one OS thread attached to one Interpreter. It holds the GIL while it runs
// Python code, carries the pending exception, the eval breaker (GIL drop requests and
// asynchronous exceptions such as cancellation), the current request id used to
// attribute prints and trace events, and a lock-free position stack for the sampler.
#pragma once

#include "value.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace loopscope::lang {

class Interpreter;
class Code;
class TypeObject;
struct Frame;

// Where a thread is right now, read from another thread without locks.
struct PositionSample {
    struct Outer {
        std::string function;
        std::string filename;
        int line = 0;
    };
    bool valid = false;       // false when the thread runs no Python code
    std::string filename;
    std::string function;
    int line = 0;
    std::string nativeCall;   // e.g. "time.sleep"; "" if none
    std::vector<Outer> outer; // enclosing Python frames, innermost first
};

class ThreadState {
public:
    ThreadState(Interpreter &interp, std::string name);
    ~ThreadState();
    ThreadState(const ThreadState &) = delete;
    ThreadState &operator=(const ThreadState &) = delete;

    Interpreter &interpreter() const { return m_interp; }
    const std::string &name() const { return m_name; }
    std::thread::id threadId() const { return m_threadId; }
    std::uint64_t ident() const { return m_ident; }
    // The ThreadState attached on the calling thread (most recent), or nullptr.
    static ThreadState *current();

    // --- exceptions ---
    // Sets the pending exception; always returns Value::error() for `return ts.raise(...)`.
    Value raise(const Value &excTypeOrInstance);
    Value raise(TypeObject *excType, std::string message);
    Value raise(const Value &excType, std::string message);
    bool hasException() const { return !m_exception.isNone(); }
    Value fetchException();                  // takes it (clears)
    const Value &peekException() const { return m_exception; }
    void restoreException(Value exc) { m_exception = std::move(exc); }
    bool exceptionMatches(TypeObject *type) const;
    // The exception being handled (inside an except block): for context chaining.
    Value handledException() const;

    // --- eval breaker ---
    enum BreakerFlag : std::uint32_t { GilDropRequest = 1, AsyncException = 2, DeferredWakes = 4 };
    std::atomic<std::uint32_t> evalBreaker{0};
    // From any thread: raise excType in the code running on this thread at its next check.
    void requestAsyncException(const Value &excType);
    // VM hook: handles pending breaker flags. Returns false with an exception set.
    bool handleEvalBreaker();

    // --- GIL ---
    bool holdsGil() const { return m_holdsGil; }
    void acquireGil();
    void releaseGil();
    // On this thread: `wake` lets another thread run Python code (hands a job to a pool
    // worker). While this thread holds the GIL that thread would only wake up to wait for
    // it — and, on a busy core, preempt this one to do so. So `wake` runs when this
    // thread drops the GIL (the loop does at the end of each iteration; time.sleep and
    // other blocking calls do) or at its next eval-breaker check (CPU-bound code: the
    // woken thread then asks for the GIL after the switch interval, as in CPython),
    // whichever comes first; right away when this thread does not hold the GIL.
    void wakeWhenGilFree(std::function<void()> wake);

    // --- attribution and sampling ---
    std::int64_t currentRequest = -1;
    PositionSample samplePosition() const;
    // Natives that block may name themselves here (GilRelease does it for you).
    void setNativeCall(const char *qualName) { m_nativeCall.store(qualName, std::memory_order_relaxed); }

    // --- VM internals ---
    struct SampleSlot {
        std::atomic<const Code *> code{nullptr};
        std::atomic<std::uint32_t> pc{0};
    };
    static constexpr int kSampleDepth = 64;
    std::array<SampleSlot, kSampleDepth> sampleStack;
    std::atomic<int> sampleDepth{0};
    std::atomic<const char *> m_nativeCall{nullptr};
    int depth = 0;                 // Python frames on this thread
    int nativeDepth = 0;           // C++ recursion guard
    std::vector<Value> handledStack; // exceptions being handled, innermost last
    Value valueStack;              // unused placeholder (frames carry their own stacks)
    Frame *topFrame = nullptr;
    char *stackBase = nullptr;     // for the C++ stack guard
    bool m_holdsGil = false;
    std::vector<std::function<void()>> m_deferredWakes; // this thread only
    void runDeferredWakes();

private:
    Interpreter &m_interp;
    std::string m_name;
    std::thread::id m_threadId;
    std::uint64_t m_ident;
    Value m_exception; // None = no exception pending
    std::mutex m_asyncMutex;
    Value m_asyncExc;
    ThreadState *m_previousCurrent = nullptr;

    friend class Interpreter;
};

// Releases the GIL for a blocking native call (time.sleep, socket I/O) and takes it back.
// Do not touch Values that other threads may see while it is released.
class GilRelease {
public:
    explicit GilRelease(ThreadState &ts, const char *nativeCall = nullptr);
    ~GilRelease();
    GilRelease(const GilRelease &) = delete;
    GilRelease &operator=(const GilRelease &) = delete;

private:
    ThreadState &m_ts;
    bool m_released;
};

} // namespace loopscope::lang
