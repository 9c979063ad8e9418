// TraceFeed: the one reader of the trace hub. Several consumers want every event (the
// GUI's LiveSession, a BenchRun, tests); the hub allows one drainer, so they subscribe
// here and whoever pumps hands each subscriber its own copy.
#pragma once

#include "trace/traceevent.h"

#include <memory>
#include <mutex>
#include <vector>

namespace loopscope::host {

class TraceSubscription {
public:
    // Everything pumped since the last take().
    std::vector<trace::TraceEvent> take();

private:
    friend class TraceFeed;
    std::mutex m_mutex;
    std::vector<trace::TraceEvent> m_events;
};

class TraceFeed {
public:
    static TraceFeed &instance();

    std::shared_ptr<TraceSubscription> subscribe();
    void unsubscribe(const std::shared_ptr<TraceSubscription> &subscription);
    // Drains the hub into every subscriber (events are dropped when there is none).
    // Cheap, never waits on the engine; any thread.
    void pump();
    // Drops what the hub holds (a new run starts).
    void discard();

private:
    std::mutex m_mutex;
    std::vector<std::shared_ptr<TraceSubscription>> m_subscribers;
    std::vector<trace::TraceEvent> m_scratch;
};

} // namespace loopscope::host
