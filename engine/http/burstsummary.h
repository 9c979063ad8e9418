// The numbers a burst ends with: counts, wall time, throughput, latency percentiles,
// and whether the client itself may have been the bottleneck.
#pragma once

#include "requestrecord.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loopscope::http {

struct BurstSummary {
    std::int64_t requests = 0;   // records (sent or not)
    std::int64_t completed = 0;  // got a whole response
    std::int64_t errors = 0;     // failed, cancelled included
    std::int64_t cancelled = 0;
    std::map<int, std::int64_t> statuses; // status -> count
    double wall = 0;             // s from burst start to the last response
    double rps = 0;              // completed / wall
    double p50Ms = 0, p90Ms = 0, p99Ms = 0, maxMs = 0, meanMs = 0;
    // Requests counted here but not kept as records (BurstPlan::maxRecords); when > 0 the
    // percentiles are from a log-bucket histogram (within ~1.6 %), not exact.
    std::int64_t recordsDropped = 0;
    bool approximate = false;

    // The client's own load: the busiest client thread's CPU share of the wall time,
    // and in rate mode how late requests went out against their schedule.
    // clientBound: client threads near 100% CPU, or (rate mode) requests leaving late
    // although a connection was free — the measurement says more about the client.
    double clientCpuShare = 0;
    double clientCpuSeconds = 0; // all client threads together
    double scheduleLagP90Ms = 0;
    bool clientBound = false;
    std::string note;            // human-readable verdict on who set the pace (may be empty)

    // Exact percentiles from every completed request (nearest-rank).
    static BurstSummary compute(const std::vector<RequestRecord> &records);
};

} // namespace loopscope::http
