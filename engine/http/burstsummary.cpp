#include "burstsummary.h"

#include <algorithm>
#include <cmath>

namespace loopscope::http {

namespace {
double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    std::size_t rank = std::size_t(std::ceil(p / 100.0 * double(sorted.size())));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}
} // namespace

BurstSummary BurstSummary::compute(const std::vector<RequestRecord> &records)
{
    BurstSummary s;
    std::vector<double> latencies;
    std::vector<double> lags;
    latencies.reserve(records.size());
    double sum = 0;
    for (const RequestRecord &r : records) {
        ++s.requests;
        if (r.error == "cancelled")
            ++s.cancelled;
        if (!r.ok()) {
            ++s.errors;
            continue;
        }
        ++s.completed;
        ++s.statuses[r.status];
        s.wall = std::max(s.wall, r.done);
        const double l = r.latency() * 1000.0;
        latencies.push_back(l);
        sum += l;
        if (r.intended >= 0 && r.sent >= 0)
            lags.push_back(std::max(0.0, r.sent - r.intended) * 1000.0);
    }
    std::sort(latencies.begin(), latencies.end());
    s.p50Ms = percentile(latencies, 50);
    s.p90Ms = percentile(latencies, 90);
    s.p99Ms = percentile(latencies, 99);
    s.maxMs = latencies.empty() ? 0 : latencies.back();
    s.meanMs = latencies.empty() ? 0 : sum / double(latencies.size());
    s.rps = s.wall > 0 ? double(s.completed) / s.wall : 0;
    std::sort(lags.begin(), lags.end());
    s.scheduleLagP90Ms = percentile(lags, 90);
    return s;
}

} // namespace loopscope::http
