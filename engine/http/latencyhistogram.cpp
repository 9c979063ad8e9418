#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loopscope::http {

// ns < 128 get a bucket each; above, each power of two splits into 64 buckets.
std::size_t LatencyHistogram::indexOf(std::uint64_t ns)
{
    if (ns < 128)
        return std::size_t(ns);
    const int msb = 63 - std::countl_zero(ns);
    const int shift = msb - 6;
    return 128 + std::size_t(shift - 1) * 64 + std::size_t((ns >> shift) - 64);
}

std::uint64_t LatencyHistogram::valueAt(std::size_t index)
{
    if (index < 128)
        return index;
    const int shift = int((index - 128) / 64) + 1;
    const std::uint64_t sub = (index - 128) % 64 + 64;
    return (sub << shift) + (std::uint64_t(1) << shift) / 2; // middle of the bucket
}

void LatencyHistogram::add(double seconds)
{
    const double s = std::max(0.0, seconds);
    const std::uint64_t ns = std::uint64_t(std::llround(std::min(s, 1e9) * 1e9));
    const std::size_t i = indexOf(ns);
    if (i >= m_counts.size())
        m_counts.resize(i + 1, 0);
    ++m_counts[i];
    ++m_count;
    m_sum += s;
    m_max = std::max(m_max, s);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_counts.size() > m_counts.size())
        m_counts.resize(other.m_counts.size(), 0);
    for (std::size_t i = 0; i < other.m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_max = std::max(m_max, other.m_max);
}

double LatencyHistogram::percentile(double p) const
{
    if (!m_count)
        return 0;
    std::int64_t rank = std::int64_t(std::ceil(p / 100.0 * double(m_count)));
    rank = std::clamp<std::int64_t>(rank, 1, m_count);
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank)
            return std::min(double(valueAt(i)) / 1e9, m_max);
    }
    return m_max;
}

} // namespace loopscope::http
