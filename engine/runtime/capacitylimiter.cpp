// AnyIO's CapacityLimiter on Loopscope's event loop.
#include "capacitylimiter.h"

#include "eventloop.h"
#include "poolids.h"

#include "trace/tracebuffer.h"

namespace loopscope::runtime {

CapacityLimiter::CapacityLimiter(EventLoop *loop, int totalTokens, WakeOrder order, std::string name)
    : m_loop(loop)
    , m_total(totalTokens < 1 ? 1 : totalTokens)
    , m_order(order)
    , m_name(std::move(name))
{
    m_poolId = declarePool(m_name, m_total);
}

void CapacityLimiter::setTotalTokens(int total)
{
    if (total < 1)
        return;
    const bool raised = total > m_total;
    m_total = total;
    trace::emit(trace::EventKind::PoolDeclared, -1, m_poolId, std::uint64_t(m_total), trace::intern(m_name));
    if (raised) {
        while (!m_waiters.empty() && m_borrowed < m_total)
            wakeOne(true);
    }
    publish(-1);
}

bool CapacityLimiter::tryAcquire(std::int64_t request)
{
    if (!m_waiters.empty() || m_borrowed >= m_total)
        return false;
    ++m_borrowed;
    trace::emit(trace::EventKind::TokenAcquired, request, m_poolId);
    publish(request);
    return true;
}

CapacityLimiter::WaitId CapacityLimiter::acquire(std::function<void()> onAcquired, std::int64_t request)
{
    if (tryAcquire(request))
        return 0;
    const WaitId id = m_nextWait++;
    m_waiters.push_back(Waiter{id, request, std::move(onAcquired)});
    trace::emit(trace::EventKind::TokenWaitBegin, request, m_poolId);
    publish(request);
    return id;
}

bool CapacityLimiter::cancelWait(WaitId id)
{
    for (auto it = m_waiters.begin(); it != m_waiters.end(); ++it) {
        if (it->id == id) {
            const std::int64_t request = it->request;
            m_waiters.erase(it);
            publish(request);
            return true;
        }
    }
    return false;
}

void CapacityLimiter::release(std::int64_t request)
{
    if (m_borrowed <= 0)
        return;
    --m_borrowed;
    trace::emit(trace::EventKind::TokenReleased, request, m_poolId);
    if (!m_waiters.empty() && m_borrowed < m_total)
        wakeOne(m_order == WakeOrder::Fifo);
    publish(request);
}

void CapacityLimiter::wakeOne(bool oldest)
{
    Waiter w = oldest ? std::move(m_waiters.front()) : std::move(m_waiters.back());
    if (oldest)
        m_waiters.pop_front();
    else
        m_waiters.pop_back();
    ++m_borrowed; // handed over: nobody can take it before the waiter runs
    trace::emit(trace::EventKind::TokenAcquired, w.request, m_poolId);
    if (w.onAcquired)
        w.onAcquired();
}

void CapacityLimiter::publish(std::int64_t request)
{
    emitPoolState(m_poolId, m_borrowed, waiting(), request);
}

} // namespace loopscope::runtime
