#include "framestats.h"

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

void FrameStats::end()
{
    if (m_timer.isValid())
        m_frames.push_back(double(m_timer.nsecsElapsed()) / 1e6);
}

double FrameStats::quantile(double q) const
{
    if (m_frames.empty())
        return 0;
    std::vector<double> v = m_frames;
    const size_t k = std::min(v.size() - 1, size_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(v.size())) ) - (q > 0 ? 1 : 0));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

double FrameStats::max() const
{
    return m_frames.empty() ? 0 : *std::max_element(m_frames.begin(), m_frames.end());
}

} // namespace loopscope::ui
