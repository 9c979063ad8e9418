// The shared reader of the trace hub.
#include "tracefeed.h"

#include "trace/tracebuffer.h"

#include <algorithm>

namespace loopscope::host {

std::vector<trace::TraceEvent> TraceSubscription::take()
{
    std::lock_guard lock(m_mutex);
    std::vector<trace::TraceEvent> out;
    out.swap(m_events);
    // The next batch is likely about this size: room for it now, so the drain does not
    // regrow (and copy) the buffer while it appends.
    m_events.reserve(out.size() + out.size() / 4);
    return out;
}

TraceFeed &TraceFeed::instance()
{
    static TraceFeed feed;
    return feed;
}

std::shared_ptr<TraceSubscription> TraceFeed::subscribe()
{
    auto s = std::make_shared<TraceSubscription>();
    std::lock_guard lock(m_mutex);
    m_subscribers.push_back(s);
    return s;
}

void TraceFeed::unsubscribe(const std::shared_ptr<TraceSubscription> &subscription)
{
    std::lock_guard lock(m_mutex);
    m_subscribers.erase(std::remove(m_subscribers.begin(), m_subscribers.end(), subscription), m_subscribers.end());
}

void TraceFeed::pump()
{
    std::lock_guard lock(m_mutex);
    if (m_subscribers.size() == 1) {
        // The usual case (a bench run, the live session): straight into its buffer, no
        // copy in between.
        TraceSubscription &s = *m_subscribers.front();
        std::lock_guard slock(s.m_mutex);
        trace::TraceHub::instance().drain(s.m_events);
        return;
    }
    m_scratch.clear();
    trace::TraceHub::instance().drain(m_scratch);
    if (m_scratch.empty())
        return;
    for (const auto &s : m_subscribers) {
        std::lock_guard slock(s->m_mutex);
        s->m_events.insert(s->m_events.end(), m_scratch.begin(), m_scratch.end());
    }
    if (m_scratch.capacity() > (1u << 20))
        std::vector<trace::TraceEvent>().swap(m_scratch);
}

void TraceFeed::discard()
{
    std::lock_guard lock(m_mutex);
    trace::TraceHub::instance().discard();
}

} // namespace loopscope::host
