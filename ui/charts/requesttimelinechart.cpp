// Request timeline chart.
#include "requesttimelinechart.h"

#include "chartstyle.h"
#include "phasebars.h"

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

using trace::Phase;

int RequestTimelineChart::preferredHeight(std::size_t rows)
{
    return int(std::clamp<std::size_t>(rows * 18 + 190, 420, 4000));
}

void RequestTimelineChart::attach(QCustomPlot *plot)
{
    m_plot = plot;
    ChartStyle::setUp(plot, title(), QStringLiteral("time since burst start (s)"),
                      QStringLiteral("request"));
    plot->yAxis->setRangeReversed(true);
    plot->yAxis->grid()->setVisible(false);
    plot->yAxis->setSubTicks(false);

    m_bars = new PhaseBars(plot->xAxis, plot->yAxis);
    m_bars->removeFromLegend();

    ChartStyle::addSwatch(plot, QStringLiteral("sent, not yet read"), ChartStyle::notReadColor());
    for (Phase p : {Phase::Reading, Phase::Queued, Phase::WaitingToken}) {
        ChartStyle::addSwatch(plot, QString::fromLatin1(trace::phaseName(p)),
                              ChartStyle::phaseColor(p));
    }
    ChartStyle::addSwatch(plot, QStringLiteral("running on the loop"), ChartStyle::runningOnLoopColor());
    ChartStyle::addSwatch(plot, QStringLiteral("running on a thread"), ChartStyle::runningOnThreadColor());
    for (Phase p : {Phase::Suspended, Phase::WaitingLoop, Phase::Background}) {
        ChartStyle::addSwatch(plot, QString::fromLatin1(trace::phaseName(p)),
                              ChartStyle::phaseColor(p));
    }
    ChartStyle::addSwatch(plot, QStringLiteral("response received"), Qt::black);
    ChartStyle::addSwatch(plot, QStringLiteral("loop blocked"), ChartStyle::blockedColor());
    ChartStyle::legendBelow(plot);
    plot->legend->setVisible(true);
    reset();
}

void RequestTimelineChart::reset()
{
    m_blockedCount = 0;
    m_labelledRows = std::size_t(-1);
    m_settledRows = m_settledBars = 0;
    m_lastSettledId = -1;
    if (!m_plot)
        return;
    m_bars->setBars({});
    m_plot->clearItems();
}

bool RequestTimelineChart::appendRow(const trace::Session &s, std::size_t row)
{
    std::vector<PhaseBars::Bar> &bars = m_bars->editBars();
    const trace::RequestTimeline &r = s.requests[row];
    const double y = double(row);
    const double now = s.end;
    const std::size_t first = bars.size();
    const bool sent = !std::isnan(r.sent);
    const double arrived = std::isnan(r.accepted) ? (std::isnan(r.read) ? now : r.read) : r.accepted;
    if (sent && arrived > r.sent)
        bars.push_back({y, r.sent, arrived, ChartStyle::notReadColor().rgba(), PhaseBars::Shape::Thin});
    for (const trace::PhaseSpan &p : r.phases) {
        QColor color = ChartStyle::phaseColor(p.phase);
        if (p.phase == Phase::Running)
            color = s.isLoopThread(p.thread) ? ChartStyle::runningOnLoopColor()
                                             : ChartStyle::runningOnThreadColor();
        bars.push_back({y, p.start, p.open() ? now : p.end, color.rgba(), PhaseBars::Shape::Bar});
    }
    if (r.finished())
        bars.push_back({y, r.done(), r.done(), qRgb(0, 0, 0), PhaseBars::Shape::Tick});
    // Rows do not overlap: ordering each row's few bars is enough.
    if (bars.size() - first > 1)
        std::stable_sort(bars.begin() + std::ptrdiff_t(first), bars.end(),
                         [](const PhaseBars::Bar &a, const PhaseBars::Bar &b) {
                             return (a.end - a.start) > (b.end - b.start);
                         });
    return isSettled(r, now);
}

void RequestTimelineChart::update(const trace::Session &s)
{
    if (!m_plot)
        return;
    if (s.loop.blocked.size() < m_blockedCount)
        reset();

    // Open phases grow until they end: rows still in flight are redone every time, finished
    // ones kept. Rows shift when a request with a lower id turns up, and colours change when
    // a loop thread is recognised: then everything is redone.
    if (m_settledRows > s.requests.size()
        || (m_settledRows > 0 && s.requests[m_settledRows - 1].id != m_lastSettledId)
        || s.loopThreads.size() != m_loopThreads) {
        m_settledRows = m_settledBars = 0;
        m_lastSettledId = -1;
        m_loopThreads = s.loopThreads.size();
    }
    std::vector<PhaseBars::Bar> &bars = m_bars->editBars();
    bars.resize(m_settledBars);
    bool prefix = true;
    for (std::size_t row = m_settledRows; row < s.requests.size(); ++row) {
        const bool settled = appendRow(s, row);
        if (prefix && settled) {
            m_settledRows = row + 1;
            m_settledBars = bars.size();
            m_lastSettledId = s.requests[row].id;
        } else {
            prefix = false;
        }
    }

    for (std::size_t i = m_blockedCount; i < s.loop.blocked.size(); ++i) {
        const trace::BlockedSpan &b = s.loop.blocked[i];
        auto *rect = new QCPItemRect(m_plot);
        rect->setLayer(QStringLiteral("grid"));
        rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
        rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->topLeft->setCoords(b.start, 0);
        rect->bottomRight->setCoords(b.end, 1);
        rect->setPen(Qt::NoPen);
        rect->setBrush(ChartStyle::blockedColor());
        rect->setSelectable(false);
    }
    m_blockedCount = s.loop.blocked.size();

    const std::size_t rows = s.requests.size();
    if (rows != m_labelledRows) {
        m_labelledRows = rows;
        if (rows > 0 && rows <= std::size_t(m_maxLabelledRows)) {
            QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
            for (std::size_t row = 0; row < rows; ++row) {
                const trace::RequestTimeline &r = s.requests[row];
                QString label = QStringLiteral("#%1").arg(r.id);
                if (!r.path.empty() && rows <= 24) {
                    QString path = QString::fromStdString(r.path);
                    if (path.size() > 28)
                        path = path.left(27) + QChar(0x2026);
                    label += QLatin1Char(' ') + path;
                }
                ticker->addTick(double(row), label);
            }
            m_plot->yAxis->setTicker(ticker);
            m_plot->yAxis->setLabel(QString());
        } else {
            m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
            m_plot->yAxis->setLabel(QStringLiteral("request (row, in id order)"));
        }
    }
    m_plot->yAxis->setRange(-0.7, std::max<double>(1.0, double(rows)) - 0.3);
    m_plot->xAxis->setRange(0, std::max(0.1, s.end) * 1.02);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace loopscope::ui
