// Event loop lag over time (line), loop utilisation (step, right axis) and the spans where
// the loop was blocked, shaded and labelled with the blocking call and line.
#pragma once

#include "sessionchart.h"

#include <cstddef>

class QCPGraph;

namespace loopscope::ui {

class LoopLagChart : public SessionChart {
public:
    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override { return QStringLiteral("Event loop lag"); }
    QString fileName() const override { return QStringLiteral("loop_lag"); }

    // Spans shorter than this are shaded but not labelled (labels would overlap).
    void setMaxLabels(int n) { m_maxLabels = n; }

private:
    QCPGraph *m_lag = nullptr;
    QCPGraph *m_utilisation = nullptr;
    std::size_t m_lagCount = 0;
    std::size_t m_blockedCount = 0;
    double m_maxLag = 0;
    int m_maxLabels = 12;
    int m_labels = 0;
};

} // namespace loopscope::ui
