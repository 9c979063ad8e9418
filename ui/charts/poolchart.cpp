// Pool occupancy chart.
#include "poolchart.h"

#include "chartstyle.h"

#include <qcustomplot.h>

#include <algorithm>

namespace loopscope::ui {

namespace {

// A step line whose brush shows in the legend only (its area is drawn by another graph).
class LineGraph : public QCPGraph {
public:
    using QCPGraph::QCPGraph;

protected:
    void drawFill(QCPPainter *, QVector<QPointF> *) const override {}
};

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

} // namespace

QString PoolChart::title() const
{
    const std::string &name = m_shownName.empty() ? m_poolName : m_shownName;
    return name.empty() ? QStringLiteral("Thread pool occupancy")
                        : QStringLiteral("Thread pool occupancy: %1").arg(QString::fromStdString(name));
}

QString PoolChart::fileName() const
{
    if (m_poolName.empty())
        return QStringLiteral("pool");
    QString name = QString::fromStdString(m_poolName).toLower();
    for (QChar &c : name)
        if (!c.isLetterOrNumber())
            c = u'_';
    return QStringLiteral("pool_") + name;
}

const trace::PoolModel *PoolChart::findPool(const trace::Session &session) const
{
    if (m_poolName.empty())
        return session.mainLimiter();
    for (const trace::PoolModel &p : session.pools)
        if (p.name == m_poolName)
            return &p;
    return nullptr;
}

void PoolChart::attach(QCustomPlot *plot)
{
    m_plot = plot;
    ChartStyle::setUp(plot, title(), QStringLiteral("time since burst start (s)"),
                      QStringLiteral("threads"));
    ChartStyle::integerTicks(plot->yAxis);
    // The areas are drawn opaque, under the grid and the previous run's overlay, in the
    // colours their translucent fills had over the white plot (busy 50/255, waiting 70/255 on
    // top of it): translucent areas as tall as the chart are handed to Qt's paint threads,
    // and every live replot waited for them. Where both areas lie, a third graph (the lower
    // of the two) has the colour of waiting over busy.
    const QColor busyFill = ChartStyle::opaqueOver(withAlpha(ChartStyle::busyColor(), 50));
    const QColor waitingFill = ChartStyle::opaqueOver(withAlpha(ChartStyle::waitingColor(), 70));
    const QColor bothFill = ChartStyle::opaqueOver(withAlpha(ChartStyle::waitingColor(), 70), busyFill);
    for (auto [area, color] : {std::pair{&m_busyArea, busyFill}, std::pair{&m_waitingArea, waitingFill},
                               std::pair{&m_bothArea, bothFill}}) {
        *area = plot->addGraph();
        (*area)->setLayer(QStringLiteral("background"));
        (*area)->setLineStyle(QCPGraph::lsStepLeft);
        (*area)->setPen(Qt::NoPen);
        (*area)->setBrush(color);
        (*area)->removeFromLegend();
        (*area)->setSelectable(QCP::stNone);
    }

    // The lines, with their area's colour in the legend only.
    m_busy = new LineGraph(plot->xAxis, plot->yAxis);
    m_busy->setName(QStringLiteral("busy (holding a token)"));
    m_busy->setLineStyle(QCPGraph::lsStepLeft);
    m_busy->setPen(QPen(ChartStyle::busyColor(), 1));
    m_busy->setBrush(busyFill);

    m_waiting = new LineGraph(plot->xAxis, plot->yAxis);
    m_waiting->setName(QStringLiteral("waiting for a token"));
    m_waiting->setLineStyle(QCPGraph::lsStepLeft);
    m_waiting->setPen(QPen(ChartStyle::waitingColor(), 1));
    m_waiting->setBrush(waitingFill);

    m_limit = new QCPItemStraightLine(plot);
    m_limit->setPen(QPen(ChartStyle::limitColor(), 1, Qt::DashLine));
    m_limit->point1->setCoords(0, 0);
    m_limit->point2->setCoords(1, 0);
    m_limit->setVisible(false);
    m_limitLabel = new QCPItemText(plot);
    m_limitLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_limitLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    m_limitLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    m_limitLabel->setColor(ChartStyle::limitColor());
    QFont f = m_limitLabel->font();
    f.setPointSize(8);
    m_limitLabel->setFont(f);
    m_limitLabel->setVisible(false);

    ChartStyle::legendBelow(plot);
    plot->legend->setVisible(true);
    reset();
}

void PoolChart::reset()
{
    m_count = 0;
    m_hasTail = false;
    m_maxValue = 0;
    if (!m_plot)
        return;
    for (QCPGraph *g : {m_busy, m_waiting, m_busyArea, m_waitingArea, m_bothArea})
        g->data()->clear();
}

void PoolChart::update(const trace::Session &session)
{
    if (!m_plot)
        return;
    const trace::PoolModel *pool = findPool(session);
    if (!pool) {
        if (m_count)
            reset();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (pool->name != m_shownName) {
        m_shownName = pool->name;
        ChartStyle::setTitle(m_plot, title());
        reset();
    }
    if (pool->series.size() < m_count)
        reset();

    // The last point is a copy of the final state at the session's end, so the step line
    // reaches "now"; take it away before adding real points.
    if (m_hasTail) {
        for (QCPGraph *g : {m_busy, m_waiting, m_busyArea, m_waitingArea, m_bothArea})
            g->data()->remove(m_tailKey);
        m_hasTail = false;
    }
    if (pool->series.size() > m_count) {
        QVector<double> keys, busy, waiting, both;
        for (std::size_t i = m_count; i < pool->series.size(); ++i) {
            const trace::PoolPoint &p = pool->series[i];
            keys.push_back(p.t);
            busy.push_back(p.busy);
            waiting.push_back(p.waiting);
            both.push_back(std::min(p.busy, p.waiting));
            m_maxValue = std::max({m_maxValue, p.busy, p.waiting});
        }
        m_busy->addData(keys, busy, true);
        m_waiting->addData(keys, waiting, true);
        m_busyArea->addData(keys, busy, true);
        m_waitingArea->addData(keys, waiting, true);
        m_bothArea->addData(keys, both, true);
        m_count = pool->series.size();
    }
    if (!pool->series.empty() && session.end > pool->series.back().t) {
        m_tailKey = session.end;
        const trace::PoolPoint &last = pool->series.back();
        m_busy->addData(m_tailKey, last.busy);
        m_waiting->addData(m_tailKey, last.waiting);
        m_busyArea->addData(m_tailKey, last.busy);
        m_waitingArea->addData(m_tailKey, last.waiting);
        m_bothArea->addData(m_tailKey, std::min(last.busy, last.waiting));
        m_hasTail = true;
    }

    if (pool->limit > 0) {
        m_limit->point1->setCoords(0, pool->limit);
        m_limit->point2->setCoords(1, pool->limit);
        m_limit->setVisible(true);
        m_limitLabel->position->setCoords(0.005, pool->limit);
        m_limitLabel->setText(QStringLiteral("limit %1").arg(pool->limit));
        m_limitLabel->setVisible(true);
    }
    const double top = std::max({5, m_maxValue, pool->limit});
    m_plot->yAxis->setRange(0, top * 1.12);
    m_plot->xAxis->setRange(0, std::max(0.1, session.end) * 1.02);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace loopscope::ui
