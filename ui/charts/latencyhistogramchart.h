// Latency histogram: how many requests took how long (client sent → response complete),
// with p50, p90 and p99 marked.
#pragma once

#include "sessionchart.h"

#include <vector>

class QCPBars;
class QCPItemStraightLine;
class QCPItemText;

namespace loopscope::ui {

class LatencyHistogramChart : public SessionChart {
public:
    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override { return QStringLiteral("Latency distribution"); }
    QString fileName() const override { return QStringLiteral("latency_histogram"); }

    // A "nice" bin width (1, 2 or 5 × 10^k ms) giving about `bins` bins over `span` ms.
    static double binWidth(double span, int bins);

private:
    QCPBars *m_bars = nullptr;
    std::vector<QCPItemStraightLine *> m_lines;
    std::vector<QCPItemText *> m_labels;
    std::size_t m_finished = std::size_t(-1);
};

} // namespace loopscope::ui
