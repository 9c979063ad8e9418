// The global interpreter lock of one Interpreter (one simulated process), shaped like
// CPython's "new GIL": a thread that waits longer than the switch interval asks the
// holder to drop it (through the holder's eval breaker); the holder drops it at its next
// check and does not take it back before the waiter got it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace loopscope::lang {

class ThreadState;

class Gil {
public:
    explicit Gil(double switchIntervalSeconds);

    void acquire(ThreadState &ts);
    void release(ThreadState &ts);
    // Called by the holder when its eval breaker says "drop request": releases and
    // re-acquires, letting the waiter in first.
    void yieldToWaiter(ThreadState &ts);

    void setSwitchInterval(double seconds);
    double switchInterval() const;
    ThreadState *holder() const { return m_holder.load(std::memory_order_relaxed); }
    std::uint64_t switches() const { return m_switches.load(std::memory_order_relaxed); }

private:
    std::mutex m_mutex;
    std::condition_variable m_cond;       // waiters for the lock
    std::condition_variable m_switchCond; // the dropper waits until someone took it
    bool m_locked = false;
    std::atomic<ThreadState *> m_holder{nullptr};
    std::atomic<std::int64_t> m_intervalNs;
    std::atomic<std::uint64_t> m_switches{0};
    int m_waiters = 0;
};

} // namespace loopscope::lang
