// LiveSession: the session as it happens, for the live charts. poll() drains the trace
// hub (cheap, never waits on the engine) on the GUI's ~16 ms timer. It is the server's view
// (requests numbered by arrival); the burst client's side joins when the run is finished.
#pragma once

#include "trace/session.h"
#include "trace/sessionbuilder.h"

#include <cstdint>
#include <memory>

namespace loopscope::host {

class TraceSubscription;

class LiveSession {
public:
    LiveSession();
    ~LiveSession();
    LiveSession(const LiveSession &) = delete;
    LiveSession &operator=(const LiveSession &) = delete;

    // Starts over with t = 0 at `originNs` (trace::now(); 0 = the first event seen).
    void reset(std::uint64_t originNs = 0);
    // The engine's slow-step threshold: a step running longer shows as blocking the loop.
    void setSlowStep(double seconds);
    // Drains what the engine traced since the last poll. True when anything changed.
    bool poll();
    const trace::Session &session();
    std::size_t eventsApplied() const { return m_builder.eventsApplied(); }
    // trace::now() at t = 0 (0 until set or seen).
    std::uint64_t origin() const { return m_builder.origin(); }

private:
    std::shared_ptr<TraceSubscription> m_subscription;
    trace::SessionBuilder m_builder;
    std::size_t m_threadCount = 0;
    std::uint64_t m_slowStepNs = 100'000'000;
};

} // namespace loopscope::host
