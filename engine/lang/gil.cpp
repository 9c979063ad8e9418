// The GIL (see gil.h).
#include "gil.h"

#include "threadstate.h"

#include <chrono>

namespace loopscope::lang {

Gil::Gil(double s) : m_intervalNs(static_cast<std::int64_t>(s * 1e9)) {}

void Gil::setSwitchInterval(double seconds)
{
    if (seconds < 1e-6)
        seconds = 1e-6;
    m_intervalNs.store(static_cast<std::int64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Gil::switchInterval() const { return m_intervalNs.load(std::memory_order_relaxed) / 1e9; }

void Gil::acquire(ThreadState &ts)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_locked) {
        ++m_waiters;
        while (m_locked) {
            std::uint64_t switchesBefore = m_switches.load(std::memory_order_relaxed);
            auto interval = std::chrono::nanoseconds(m_intervalNs.load(std::memory_order_relaxed));
            bool timedOut = !m_cond.wait_for(lock, interval, [&] { return !m_locked; });
            if (timedOut && m_locked && m_switches.load(std::memory_order_relaxed) == switchesBefore) {
                // the holder ran a whole interval without dropping: ask it to
                ThreadState *h = m_holder.load(std::memory_order_relaxed);
                if (h)
                    h->evalBreaker.fetch_or(ThreadState::GilDropRequest, std::memory_order_relaxed);
            }
        }
        --m_waiters;
    }
    m_locked = true;
    m_holder.store(&ts, std::memory_order_relaxed);
    m_switches.fetch_add(1, std::memory_order_relaxed);
    ts.evalBreaker.fetch_and(~static_cast<std::uint32_t>(ThreadState::GilDropRequest), std::memory_order_relaxed);
    m_switchCond.notify_all();
}

void Gil::release(ThreadState &ts)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_locked = false;
        m_holder.store(nullptr, std::memory_order_relaxed);
        ts.evalBreaker.fetch_and(~static_cast<std::uint32_t>(ThreadState::GilDropRequest), std::memory_order_relaxed);
    }
    m_cond.notify_one();
}

void Gil::yieldToWaiter(ThreadState &ts)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    ts.evalBreaker.fetch_and(~static_cast<std::uint32_t>(ThreadState::GilDropRequest), std::memory_order_relaxed);
    if (m_waiters == 0)
        return;
    std::uint64_t before = m_switches.load(std::memory_order_relaxed);
    m_locked = false;
    m_holder.store(nullptr, std::memory_order_relaxed);
    m_cond.notify_one();
    // fairness: do not take it back before a waiter got it
    m_switchCond.wait_for(lock, std::chrono::milliseconds(50), [&] {
        return m_switches.load(std::memory_order_relaxed) != before || m_waiters == 0;
    });
    lock.unlock();
    acquire(ts);
}

} // namespace loopscope::lang
