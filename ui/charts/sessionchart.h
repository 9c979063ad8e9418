// The interface every session chart implements: attach to a QCustomPlot once, then call
// update() with the latest session as often as every frame (only new data is added).
#pragma once

#include "trace/session.h"

#include <QString>

class QCustomPlot;

namespace loopscope::ui {

class SessionChart {
public:
    virtual ~SessionChart() = default;
    // Sets the plot up (axes, graphs, legend). The plot must outlive the chart's use of it.
    virtual void attach(QCustomPlot *plot) = 0;
    // Adds what is new since the last update and queues a replot.
    virtual void update(const trace::Session &session) = 0;
    // Forgets what was plotted (a new run begins); the next update() plots from scratch.
    virtual void reset() = 0;
    virtual QString title() const = 0;
    // Base name for exported files ("loop_lag").
    virtual QString fileName() const = 0;

    QCustomPlot *plot() const { return m_plot; }

protected:
    QCustomPlot *m_plot = nullptr;
};

// A request whose row will not change any more while the run goes on: finished (the client
// has its response), every phase closed, and done long enough ago that the background work
// started after the response has shown up. Live charts keep what they drew for such rows
// and redo only the others each frame.
inline bool isSettled(const trace::RequestTimeline &r, double now)
{
    constexpr double kSettleSeconds = 0.25;
    const bool sent = r.sent == r.sent;
    if (!r.finished() || !(r.done() < now - kSettleSeconds) || (sent && r.clientDone != r.clientDone))
        return false;
    if (sent && r.accepted != r.accepted && r.read != r.read)
        return false;
    for (const trace::PhaseSpan &p : r.phases)
        if (p.open())
            return false;
    return true;
}

} // namespace loopscope::ui
