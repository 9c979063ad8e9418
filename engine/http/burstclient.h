// BurstClient: fires a BurstPlan at a server from its own threads (non-blocking sockets
// and epoll, never the server's loop thread), so a blocked server loop cannot stall the
// client that measures it. Responses are parsed incrementally with libhttp-parser.
//
//   BurstClient client(plan);
//   client.start();            // returns at once
//   ... poll client.progress() (any thread), client.stop() to end early ...
//   client.wait();
//   client.records(); client.summary();
#pragma once

#include "burstplan.h"
#include "burstsummary.h"
#include "requestrecord.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace loopscope::http {

class BurstClient {
public:
    struct Progress {
        std::int64_t sent = 0;
        std::int64_t done = 0;   // completed or failed
        std::int64_t errors = 0;
    };

    explicit BurstClient(BurstPlan plan);
    ~BurstClient(); // stops and joins
    BurstClient(const BurstClient &) = delete;
    BurstClient &operator=(const BurstClient &) = delete;

    const BurstPlan &plan() const { return m_plan; }

    // Starts the client threads; the burst's time 0 is now.
    void start();
    // Ends the burst promptly from any thread: what is unsent or unanswered is recorded
    // with error "cancelled".
    void stop();
    // Blocks until every client thread is done (after start()).
    void wait();
    // True once every client thread is done (wait() then returns at once).
    bool isFinished() const;
    // start() + wait() + summary().
    BurstSummary run();

    Progress progress() const;
    // trace::now() at the burst's time 0, to line records up with server trace events.
    std::uint64_t startNs() const { return m_startNs; }

    // After wait(): every request, ordered by id.
    const std::vector<RequestRecord> &records() const { return m_records; }
    BurstSummary summary() const { return m_summary; }

    struct Shared; // state the client threads share (burstclient.cpp)
private:
    BurstPlan m_plan;
    std::unique_ptr<Shared> m_shared;
    std::vector<std::thread> m_threads;
    std::uint64_t m_startNs = 0;
    std::uint64_t m_descriptorLimit = 0; // RLIMIT_NOFILE's soft limit once the burst started (0: none)
    bool m_started = false;
    bool m_joined = false;
    std::vector<RequestRecord> m_records;
    BurstSummary m_summary;
};

} // namespace loopscope::http
