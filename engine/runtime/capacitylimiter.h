// CapacityLimiter: AnyIO's token limiter in front of the worker threads (40 tokens by
// default: how many `def` endpoints run at once).
//
// Loop thread only, like AnyIO's. acquire() succeeds at once only when a token is free
// AND nobody waits (a newcomer never jumps the queue). A release hands the token straight
// to one waiter: the oldest (FIFO, AnyIO >= 4, the default) or the newest (LIFO, AnyIO
// 3.6.2, Debian 12's). The waiter's callback runs right inside release() — like AnyIO's
// event.set(): keep it short (set a future; the waiting task wakes next iteration).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>

namespace loopscope::runtime {

class EventLoop;

class CapacityLimiter {
public:
    enum class WakeOrder { Fifo, Lifo };
    using WaitId = std::uint64_t;

    struct Statistics {
        int borrowed = 0;
        int total = 0;
        int waiting = 0;
    };

    CapacityLimiter(EventLoop *loop, int totalTokens = 40, WakeOrder order = WakeOrder::Fifo,
                    std::string name = "limiter");
    CapacityLimiter(const CapacityLimiter &) = delete;
    CapacityLimiter &operator=(const CapacityLimiter &) = delete;

    int totalTokens() const { return m_total; }
    // Raising the total wakes waiters (oldest first, as AnyIO does); lowering it lets the
    // current borrowers finish. Values < 1 are ignored (AnyIO raises ValueError).
    void setTotalTokens(int total);
    WakeOrder wakeOrder() const { return m_order; }
    void setWakeOrder(WakeOrder order) { m_order = order; }

    int borrowed() const { return m_borrowed; }
    int availableTokens() const { return m_total > m_borrowed ? m_total - m_borrowed : 0; }
    int waiting() const { return int(m_waiters.size()); }
    Statistics statistics() const { return {m_borrowed, m_total, waiting()}; }
    std::uint64_t poolId() const { return m_poolId; }
    const std::string &name() const { return m_name; }
    EventLoop *loop() const { return m_loop; }

    // Takes a token if one is free and nobody waits.
    bool tryAcquire(std::int64_t request = -1);
    // Takes a token now (returns 0; onAcquired is NOT called) or queues the caller and
    // returns its wait id; onAcquired then runs inside release()/setTotalTokens(), with
    // the token already held by the waiter.
    WaitId acquire(std::function<void()> onAcquired, std::int64_t request = -1);
    // Leaves the queue (the waiter was cancelled). False when the waiter was already
    // handed a token: its onAcquired will run and it must release.
    bool cancelWait(WaitId id);
    void release(std::int64_t request = -1);

private:
    struct Waiter {
        WaitId id;
        std::int64_t request;
        std::function<void()> onAcquired;
    };
    void wakeOne(bool oldest);
    void publish(std::int64_t request);

    EventLoop *m_loop;
    int m_total;
    int m_borrowed = 0;
    WakeOrder m_order;
    std::string m_name;
    std::uint64_t m_poolId;
    WaitId m_nextWait = 1;
    std::list<Waiter> m_waiters; // front = oldest
};

} // namespace loopscope::runtime
