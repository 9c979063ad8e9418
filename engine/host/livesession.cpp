// The live session, fed from the shared trace feed.
#include "livesession.h"

#include "tracefeed.h"

#include "trace/tracebuffer.h"

namespace loopscope::host {

LiveSession::LiveSession()
    : m_subscription(TraceFeed::instance().subscribe())
{
    trace::setEnabled(true);
}

LiveSession::~LiveSession()
{
    TraceFeed::instance().unsubscribe(m_subscription);
}

void LiveSession::reset(std::uint64_t originNs)
{
    TraceFeed::instance().pump();
    m_subscription->take();
    m_builder.clear();
    m_builder.setSlowStep(m_slowStepNs);
    m_threadCount = 0;
    if (originNs)
        m_builder.setOrigin(originNs);
}

void LiveSession::setSlowStep(double seconds)
{
    m_slowStepNs = std::uint64_t(seconds > 0 ? seconds * 1e9 : 0);
    m_builder.setSlowStep(m_slowStepNs);
}

bool LiveSession::poll()
{
    TraceFeed::instance().pump();
    std::vector<trace::TraceEvent> events = m_subscription->take();
    // The burst client numbers requests by their place in the plan, the server by arrival:
    // the two only meet when the finished run is put together (BenchRun matches them). Live,
    // a client id would make a second row for the same request, or be merged with another
    // request's server row; and from the second burst on, client ids fall below the
    // server's and every one of them is inserted in the middle of the rows (seconds of GUI
    // time per frame). The live view is the server's.
    std::erase_if(events, [](const trace::TraceEvent &e) {
        return e.kind == trace::EventKind::ClientSent || e.kind == trace::EventKind::ClientFirstByte
               || e.kind == trace::EventKind::ClientDone;
    });
    const std::vector<trace::ThreadInfo> threads = trace::TraceHub::instance().threads();
    bool changed = false;
    if (threads.size() != m_threadCount) {
        m_threadCount = threads.size();
        m_builder.setThreads(threads);
        changed = true;
    }
    if (!events.empty()) {
        m_builder.add(events);
        changed = true;
    }
    // Read after the drain: what is held back and older than the holdback is complete.
    if (m_builder.advanceTo(trace::now()))
        changed = true;
    return changed;
}

const trace::Session &LiveSession::session()
{
    return m_builder.session();
}

} // namespace loopscope::host
