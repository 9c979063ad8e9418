// LatencyHistogram: HDR-style log-linear buckets (64 per power of two, so within ~1.6 %)
// for the latencies of runs too long to keep every request. Plain data; merge per thread.
#pragma once

#include <cstdint>
#include <vector>

namespace loopscope::http {

class LatencyHistogram {
public:
    void add(double seconds);
    void merge(const LatencyHistogram &other);

    std::int64_t count() const { return m_count; }
    // Nearest-rank percentile (p in 0..100), in seconds; 0 when empty.
    double percentile(double p) const;
    double max() const { return m_max; }
    double mean() const { return m_count ? m_sum / double(m_count) : 0; }

private:
    static std::size_t indexOf(std::uint64_t ns);
    static std::uint64_t valueAt(std::size_t index);

    std::vector<std::int64_t> m_counts;
    std::int64_t m_count = 0;
    double m_sum = 0;
    double m_max = 0;
};

} // namespace loopscope::http
