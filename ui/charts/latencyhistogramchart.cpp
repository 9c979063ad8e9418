// Latency histogram chart.
#include "latencyhistogramchart.h"

#include "chartstyle.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace loopscope::ui {

double LatencyHistogramChart::binWidth(double span, int bins)
{
    if (!(span > 0) || bins <= 0)
        return 1;
    const double raw = span / bins;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * magnitude)
            return m * magnitude;
    return 10 * magnitude;
}

void LatencyHistogramChart::attach(QCustomPlot *plot)
{
    m_plot = plot;
    ChartStyle::setUp(plot, title(), QStringLiteral("latency (ms)"), QStringLiteral("requests"));
    ChartStyle::integerTicks(plot->yAxis);
    m_bars = new QCPBars(plot->xAxis, plot->yAxis);
    m_bars->setName(QStringLiteral("requests per bin"));
    m_bars->setPen(QPen(ChartStyle::runningOnLoopColor().darker(120), 1));
    // The colour a 2/3 opaque fill has over the white plot, painted opaque: translucent
    // fills as tall as these bars are handed to Qt's paint threads, and a live replot would
    // wait for them.
    const QColor c = ChartStyle::runningOnLoopColor();
    auto over = [](int v) { return (v * 170 + 255 * (255 - 170)) / 255; };
    m_bars->setBrush(QColor(over(c.red()), over(c.green()), over(c.blue())));
    m_bars->setWidthType(QCPBars::wtPlotCoords);

    const QColor colors[3] = {QColor(0x2c, 0xa0, 0x2c), QColor(0xff, 0x7f, 0x0e),
                              QColor(0xd6, 0x27, 0x28)};
    for (int i = 0; i < 3; ++i) {
        auto *line = new QCPItemStraightLine(plot);
        line->setPen(QPen(colors[i], 1, Qt::DashLine));
        line->setVisible(false);
        auto *label = new QCPItemText(plot);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setColor(colors[i]);
        QFont f = label->font();
        f.setPointSize(8);
        label->setFont(f);
        label->setBrush(QColor(255, 255, 255, 200));
        label->setVisible(false);
        m_lines.push_back(line);
        m_labels.push_back(label);
    }
    plot->legend->setVisible(false);
    reset();
}

void LatencyHistogramChart::reset()
{
    m_finished = std::size_t(-1);
    if (m_bars)
        m_bars->data()->clear();
}

void LatencyHistogramChart::update(const trace::Session &s)
{
    if (!m_plot)
        return;
    std::vector<double> ms;
    for (const trace::RequestTimeline &r : s.requests) {
        const double l = r.latency();
        if (!std::isnan(l))
            ms.push_back(l * 1000.0);
    }
    if (ms.size() == m_finished) // nothing new finished: the histogram is unchanged
        return;
    m_finished = ms.size();
    if (ms.empty()) {
        m_bars->data()->clear();
        for (auto *l : m_lines)
            l->setVisible(false);
        for (auto *l : m_labels)
            l->setVisible(false);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    std::sort(ms.begin(), ms.end());
    const double lowest = ms.front(), highest = ms.back();
    const double width = binWidth(std::max(highest, 1.0), 40);
    // ~40 bins from the lowest to the highest latency: counted in a flat array.
    const long long firstBin = static_cast<long long>(std::floor(lowest / width));
    const long long lastBin = static_cast<long long>(std::floor(highest / width));
    std::vector<int> counts(std::size_t(std::max(0LL, lastBin - firstBin) + 1), 0);
    for (double v : ms)
        ++counts[std::size_t(std::clamp(static_cast<long long>(std::floor(v / width)), firstBin, lastBin) - firstBin)];
    QVector<double> keys, values;
    int maxCount = 1;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (!counts[i])
            continue;
        keys.push_back((double(firstBin + (long long)i) + 0.5) * width);
        values.push_back(counts[i]);
        maxCount = std::max(maxCount, counts[i]);
    }
    m_bars->setWidth(width * 0.9);
    m_bars->setData(keys, values, true);

    const double left = std::max(0.0, std::min(lowest, 0.0) - width);
    const double ps[3] = {50, 90, 99};
    const char *names[3] = {"p50", "p90", "p99"};
    for (int i = 0; i < 3; ++i) {
        // trace::percentile() on the array sorted once (it would copy and sort it each time).
        const double pos = ps[i] / 100.0 * double(ms.size() - 1);
        const auto lo = std::size_t(std::floor(pos));
        const auto hi = std::min(lo + 1, ms.size() - 1);
        const double v = ms[lo] + (ms[hi] - ms[lo]) * (pos - double(lo));
        m_lines[std::size_t(i)]->point1->setCoords(v, 0);
        m_lines[std::size_t(i)]->point2->setCoords(v, 1);
        m_lines[std::size_t(i)]->setVisible(true);
        QCPItemText *label = m_labels[std::size_t(i)];
        label->position->setCoords(v, 0.02 + 0.07 * i);
        // Right of its line, or left of it in the right half (else cut off at the edge).
        const bool leftOfLine = v > (left + highest * 1.08 + width) / 2;
        label->setPositionAlignment((leftOfLine ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        label->setText(QStringLiteral(" %1 %2 ms ").arg(QLatin1String(names[i])).arg(v, 0, 'f', 1));
        label->setVisible(true);
    }
    m_plot->xAxis->setRange(left, highest * 1.08 + width);
    m_plot->yAxis->setRange(0, maxCount * 1.25 + 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace loopscope::ui
