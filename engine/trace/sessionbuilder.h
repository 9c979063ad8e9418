// SessionBuilder: turns batches of trace events (as drained from TraceHub) into a Session,
// incrementally. The GUI feeds it every frame during a burst and reads session(); the
// bench command feeds everything once and calls finish(). Not thread-safe: one thread
// (the GUI's, or the bench command's) owns a builder and the sessions it returns.
#pragma once

#include "session.h"
#include "traceevent.h"
#include "tracebuffer.h"

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace loopscope::trace {

// What the burst client knows about one request (merged by id into the session).
struct ClientRecord {
    std::int64_t id = -1;
    std::string path;
    std::int64_t connection = -1;
    std::uint64_t sent = 0;      // steady-clock ns; 0 = unknown
    std::uint64_t firstByte = 0; // steady-clock ns; 0 = unknown
    std::uint64_t done = 0;      // steady-clock ns; 0 = unknown
    int status = 0;
    std::int64_t bytes = -1;
    std::string body;
};

class SessionBuilder {
public:
    SessionBuilder();

    // Steady-clock ns that becomes t = 0 (the burst start). Without it, the first event's
    // time is used. Set it before adding events.
    void setOrigin(std::uint64_t ns);
    std::uint64_t origin() const { return m_origin; }

    // Drained batches may be out of time order across threads (a drain reads one thread
    // after another), so events are held back for `holdback` ns of trace time and applied
    // in time order. finish() applies everything still held.
    void setHoldback(std::uint64_t ns) { m_holdback = ns; }
    // How long a step runs before the live session shows the loop blocked (asyncio's
    // slow_callback_duration; the engine reports blocked steps from the same threshold).
    void setSlowStep(std::uint64_t ns) { m_slowStep = ns; }

    void add(std::span<const TraceEvent> events);
    // The trace clock read right after a drain: every event stamped `holdback` before it
    // was published by then, so held-back events that old are applied even when no newer
    // event came (a loop blocked in time.sleep records nothing: its request's earlier
    // events and prints must still show up live), and the session's end moves to that
    // time. For live sessions only. Returns whether the session changed.
    bool advanceTo(std::uint64_t nowNs);
    std::size_t pendingCount() const { return m_pending.size(); }
    void addClientRecords(std::span<const ClientRecord> records);
    void setThreads(const std::vector<ThreadInfo> &threads);
    // Applies held-back events and closes nothing: open phases stay open.
    void finish();

    // The model so far (derived fields refreshed when something changed).
    const Session &session();
    std::size_t eventsApplied() const { return m_applied; }

    void clear();

private:
    struct ThreadState {
        std::int64_t stepName = -1;
        std::uint64_t stepStart = 0;
        std::int64_t stepRequest = -1;
        std::uint64_t stallWhere = 0; // string id from the step's latest LoopStall, 0 = none
        std::uint16_t process = 0;
        bool inStep = false;
    };

    void apply(const TraceEvent &e);
    bool applyHeldBack(); // applies what is older than m_maxSeen - m_holdback
    double secs(std::uint64_t ns) const;
    RequestTimeline &request(std::int64_t id);
    PoolModel &pool(std::int64_t id, std::uint16_t process);
    void openPhase(RequestTimeline &r, Phase phase, double t, std::uint32_t thread,
                   std::int64_t pool = -1, std::string detail = {});
    void closePhase(RequestTimeline &r, Phase phase, double t, std::int64_t thread = -1);
    void addBusy(std::uint64_t from, std::uint64_t to);
    void markLoopThread(std::uint32_t thread);
    const std::string &text(std::uint64_t id);
    void refresh();

    Session m_session;
    std::uint64_t m_origin = 0;
    bool m_haveOrigin = false;
    std::uint64_t m_holdback = 30'000'000;
    std::uint64_t m_slowStep = 100'000'000;
    std::uint64_t m_maxSeen = 0;
    std::vector<TraceEvent> m_pending;
    std::size_t m_applied = 0;
    bool m_dirty = true;

    std::unordered_map<std::int64_t, std::size_t> m_requestIndex; // id → m_session.requests
    bool m_requestsUnordered = false; // requests appended out of id order since refresh()
    std::unordered_map<std::uint64_t, std::int64_t> m_poolIndex; // (process<<32|id) → index
    std::unordered_map<std::uint32_t, ThreadState> m_threadState;
    std::unordered_map<std::uint64_t, std::string> m_strings;
    std::vector<double> m_busyNs; // per utilisation bin, summed over loops
    std::vector<std::uint16_t> m_loopProcesses;
    std::unordered_map<std::uint32_t, std::size_t> m_openGil; // thread → index in gilWaits
    std::vector<std::unordered_set<std::int64_t>> m_poolUsers; // per pool index
    bool m_unnamedPools = false;
    void nameFromHub(PoolModel &pool);

    // Lag histogram kept incrementally, HDR-style: log buckets 2 % wide, exact min/max/mean.
    std::vector<std::uint32_t> m_lagBuckets;
    double m_lagSum = 0, m_lagSquares = 0, m_lagMin = 0, m_lagMax = 0;
    void addLag(double ms);
    double lagPercentile(double p) const;
};

} // namespace loopscope::trace
