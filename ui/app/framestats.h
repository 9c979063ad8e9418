// FrameStats: how long each GUI frame (one drain + chart update + queued replot) took,
// for the p99 <= 16 ms budget while a burst runs.
#pragma once

#include <QElapsedTimer>
#include <vector>

namespace loopscope::ui {

class FrameStats {
public:
    void begin() { m_timer.start(); }
    void end();
    void add(double ms) { m_frames.push_back(ms); }
    void reset() { m_frames.clear(); }

    int count() const { return int(m_frames.size()); }
    // q in [0, 1]; 0 when no frames were recorded.
    double quantile(double q) const;
    double max() const;

private:
    QElapsedTimer m_timer;
    std::vector<double> m_frames;
};

} // namespace loopscope::ui
