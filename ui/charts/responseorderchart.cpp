// Response order chart.
#include "responseorderchart.h"

#include "chartstyle.h"
#include "scattergraph.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

void ResponseOrderChart::attach(QCustomPlot *plot)
{
    m_plot = plot;
    ChartStyle::setUp(plot, title(), QStringLiteral("request id (order of sending)"),
                      QStringLiteral("time since burst start (s)"));
    ChartStyle::styleAxis(plot->yAxis2, QStringLiteral("completion rank (0 = first)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->grid()->setVisible(false);
    ChartStyle::integerTicks(plot->xAxis);
    ChartStyle::integerTicks(plot->yAxis2);

    m_sent = new ScatterGraph(plot->xAxis, plot->yAxis);
    m_sent->setName(QStringLiteral("sent at"));
    m_sent->setLineStyle(QCPGraph::lsNone);
    m_sent->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(0x90, 0x90, 0x90), 5));

    m_done = new ScatterGraph(plot->xAxis, plot->yAxis);
    m_done->setName(QStringLiteral("completed at"));
    m_done->setLineStyle(QCPGraph::lsNone);
    m_done->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc,
                                            ChartStyle::runningOnLoopColor(), 6));

    m_rank = new ScatterGraph(plot->xAxis, plot->yAxis2);
    m_rank->setName(QStringLiteral("completion rank (right axis)"));
    m_rank->setLineStyle(QCPGraph::lsNone);
    m_rank->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, ChartStyle::waitingColor(), 7));

    ChartStyle::legendBelow(plot);
    plot->legend->setVisible(true);
    reset();
}

void ResponseOrderChart::reset()
{
    if (!m_plot)
        return;
    m_sent->data()->clear();
    m_done->data()->clear();
    m_rank->data()->clear();
}

void ResponseOrderChart::update(const trace::Session &s)
{
    if (!m_plot)
        return;
    // Completion can happen in any order, so the (small) point sets are replaced.
    QVector<double> ids, sent, doneIds, done, rank;
    double top = 0.1, maxId = 1, minId = 0;
    bool first = true;
    for (const trace::RequestTimeline &r : s.requests) {
        const double id = double(r.id);
        maxId = first ? id : std::max(maxId, id);
        minId = first ? id : std::min(minId, id);
        first = false;
        if (!std::isnan(r.sent)) {
            ids.push_back(id);
            sent.push_back(r.sent);
        }
        if (r.finished()) {
            doneIds.push_back(id);
            done.push_back(r.done());
            rank.push_back(r.doneRank);
            top = std::max(top, r.done());
        }
    }
    m_sent->setData(ids, sent, true);
    m_done->setData(doneIds, done, true);
    m_rank->setData(doneIds, rank, true);
    const double pad = std::max(0.6, (maxId - minId) * 0.03);
    m_plot->xAxis->setRange(minId - pad, maxId + pad);
    m_plot->yAxis->setRange(0, top * 1.12);
    const double n = std::max<double>(1.0, double(s.requests.size()));
    m_plot->yAxis2->setRange(-0.5, n - 0.5 + n * 0.12);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace loopscope::ui
