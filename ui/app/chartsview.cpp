#include "chartsview.h"

#include "trace/session.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QPainter>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

namespace {

using namespace loopscope::trace;

const QColor kLagColor(0x1e, 0x88, 0xe5);
const QColor kBlockedFill(0xe5, 0x39, 0x35, 60);
const QColor kBlockedEdge(0xe5, 0x39, 0x35);
const QColor kBusyColor(0x43, 0xa0, 0x47);
const QColor kWaitingColor(0xfb, 0x8c, 0x00);
const QColor kCompareColor(0x9e, 0x9e, 0x9e);

QColor phaseColor(Phase p)
{
    switch (p) {
    case Phase::Reading: return QColor(0xb0, 0xbe, 0xc5);
    case Phase::Queued: return QColor(0xff, 0xb7, 0x4d);
    case Phase::WaitingToken: return QColor(0xe5, 0x73, 0x73);
    case Phase::Running: return QColor(0x1e, 0x88, 0xe5);
    case Phase::Suspended: return QColor(0xa5, 0xd6, 0xa7);
    case Phase::WaitingLoop: return QColor(0xab, 0x47, 0xbc);
    case Phase::Background: return QColor(0x78, 0x90, 0x9c);
    case Phase::Count: break;
    }
    return Qt::gray;
}

void stylePlot(QCustomPlot *p, const QString &title, const QString &yLabel)
{
    p->setNoAntialiasingOnDrag(true);
    p->setNotAntialiasedElements(QCP::aeAll);
    p->setAntialiasedElements(QCP::aeLegend | QCP::aeLegendItems);
    p->setPlottingHint(QCP::phCacheLabels, true);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->axisRect()->setRangeDrag(Qt::Horizontal);
    p->axisRect()->setRangeZoom(Qt::Horizontal);
    p->setBackground(Qt::white);
    QFont f = p->font();
    f.setPointSize(8);
    for (QCPAxis *a : {p->xAxis, p->yAxis, p->yAxis2}) {
        a->setTickLabelFont(f);
        a->setLabelFont(f);
        a->setBasePen(QPen(QColor(0xbd, 0xc3, 0xca)));
        a->setTickPen(QPen(QColor(0xbd, 0xc3, 0xca)));
        a->setSubTickPen(QPen(QColor(0xd6, 0xda, 0xdf)));
        a->setTickLabelColor(QColor(0x58, 0x60, 0x69));
        a->setLabelColor(QColor(0x58, 0x60, 0x69));
        a->grid()->setPen(QPen(QColor(0xee, 0xf0, 0xf3), 1, Qt::SolidLine));
    }
    p->xAxis->setLabel(QObject::tr("seconds from burst start"));
    p->yAxis->setLabel(yLabel);
    p->xAxis->setRange(0, 2.5);
    p->plotLayout()->insertRow(0);
    auto *t = new QCPTextElement(p, title, QFont(f.family(), 9, QFont::DemiBold));
    t->setTextColor(QColor(0x24, 0x29, 0x2e));
    t->setMargins(QMargins(0, 2, 0, 0));
    p->plotLayout()->addElement(0, 0, t);
    p->legend->setVisible(true);
    p->legend->setFont(f);
    p->legend->setBrush(QColor(255, 255, 255, 220));
    p->legend->setBorderPen(QPen(QColor(0xdd, 0xdd, 0xdd)));
    p->legend->setRowSpacing(0);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

QCPGraph *addGraph(QCustomPlot *p, const QString &name, const QColor &c, QCPAxis *valueAxis = nullptr)
{
    QCPGraph *g = p->addGraph(p->xAxis, valueAxis ? valueAxis : p->yAxis);
    g->setName(name);
    g->setPen(QPen(c, 1));
    g->setAdaptiveSampling(true);
    return g;
}

} // namespace

struct ChartsView::Data {
    struct Blocked {
        double start, end;
        int line;
        QString where;
        QString label;
    };
    struct Row {
        std::int64_t id;
        QString path;
        double sent, start, done;
        int status;
        double phaseTotals[int(Phase::Count)];
    };
    std::vector<Blocked> blocked;
    std::vector<Row> rows;
    QCPGraph *lag = nullptr, *lagPrev = nullptr;
    QCPGraph *busy = nullptr, *waiting = nullptr, *limit = nullptr, *busyPrev = nullptr;
    QCPGraph *inflight = nullptr, *latency = nullptr, *inflightPrev = nullptr, *latencyPrev = nullptr;
    QCPCurve *phaseCurves[int(Phase::Count)] = {};
    QCPCurve *prevRows = nullptr;
    QCPGraph *order = nullptr, *orderPrev = nullptr, *diagonal = nullptr;
    std::vector<QCPAbstractItem *> blockedItems;
    std::unique_ptr<Session> previous;
    QString previousLabel;
    double end = 0;
    bool userZoomed = false;
};

ChartsView::ChartsView(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Data>())
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs);

    auto *overview = new QWidget(m_tabs);
    auto *ol = new QVBoxLayout(overview);
    ol->setContentsMargins(0, 0, 0, 0);
    ol->setSpacing(0);
    m_lag = new QCustomPlot(overview);
    m_pool = new QCustomPlot(overview);
    m_inflight = new QCustomPlot(overview);
    ol->addWidget(m_lag, 4);
    ol->addWidget(m_pool, 3);
    ol->addWidget(m_inflight, 3);
    m_tabs->addTab(overview, tr("Overview"));
    m_timeline = new QCustomPlot(m_tabs);
    m_tabs->addTab(m_timeline, tr("Request timeline"));
    m_order = new QCustomPlot(m_tabs);
    m_tabs->addTab(m_order, tr("Response order"));

    stylePlot(m_lag, tr("Event loop lag — shaded: the loop was blocked (click to see the line)"), tr("lag (ms)"));
    d->lag = addGraph(m_lag, tr("lag"), kLagColor);
    d->lag->setBrush(QColor(0x1e, 0x88, 0xe5, 40));
    d->lagPrev = addGraph(m_lag, tr("previous run"), kCompareColor);
    d->lagPrev->setPen(QPen(kCompareColor, 1, Qt::DashLine));
    m_lag->yAxis->setRange(0, 50);

    stylePlot(m_pool, tr("Thread pool (limiter tokens)"), tr("threads"));
    d->busy = addGraph(m_pool, tr("busy"), kBusyColor);
    d->busy->setLineStyle(QCPGraph::lsStepLeft);
    d->busy->setBrush(QColor(0x43, 0xa0, 0x47, 50));
    d->waiting = addGraph(m_pool, tr("waiting for a token"), kWaitingColor);
    d->waiting->setLineStyle(QCPGraph::lsStepLeft);
    d->waiting->setBrush(QColor(0xfb, 0x8c, 0x00, 50));
    d->limit = addGraph(m_pool, tr("limit"), QColor(0x90, 0x96, 0xa0));
    d->limit->setPen(QPen(QColor(0x90, 0x96, 0xa0), 1, Qt::DotLine));
    d->busyPrev = addGraph(m_pool, tr("previous run"), kCompareColor);
    d->busyPrev->setLineStyle(QCPGraph::lsStepLeft);
    d->busyPrev->setPen(QPen(kCompareColor, 1, Qt::DashLine));
    m_pool->yAxis->setRange(0, 4);

    stylePlot(m_inflight, tr("Requests in flight and latency"), tr("in flight"));
    m_inflight->yAxis2->setVisible(true);
    m_inflight->yAxis2->setLabel(tr("latency (s)"));
    d->inflight = addGraph(m_inflight, tr("in flight"), QColor(0x5e, 0x35, 0xb1));
    d->inflight->setLineStyle(QCPGraph::lsStepLeft);
    d->latency = addGraph(m_inflight, tr("latency at completion"), QColor(0xd8, 0x1b, 0x60), m_inflight->yAxis2);
    d->latency->setLineStyle(QCPGraph::lsNone);
    d->latency->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    d->inflightPrev = addGraph(m_inflight, tr("previous in flight"), kCompareColor);
    d->inflightPrev->setLineStyle(QCPGraph::lsStepLeft);
    d->inflightPrev->setPen(QPen(kCompareColor, 1, Qt::DashLine));
    d->latencyPrev = addGraph(m_inflight, tr("previous latency"), kCompareColor, m_inflight->yAxis2);
    d->latencyPrev->setLineStyle(QCPGraph::lsNone);
    d->latencyPrev->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kCompareColor, 4));

    stylePlot(m_timeline, tr("Request timeline — one row per request, coloured by phase"), tr("request"));
    m_timeline->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_timeline->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_timeline->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    m_timeline->yAxis->setRangeReversed(true);
    d->prevRows = new QCPCurve(m_timeline->xAxis, m_timeline->yAxis);
    d->prevRows->setName(tr("previous run"));
    d->prevRows->setPen(QPen(QColor(0xbd, 0xbd, 0xbd, 140), 6));
    for (int p = 0; p < int(Phase::Count); ++p) {
        auto *c = new QCPCurve(m_timeline->xAxis, m_timeline->yAxis);
        c->setName(QString::fromLatin1(phaseName(Phase(p))));
        c->setPen(QPen(phaseColor(Phase(p)), 6, Qt::SolidLine, Qt::FlatCap));
        c->setScatterSkip(0);
        d->phaseCurves[p] = c;
    }
    m_timeline->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_timeline->legend->setWrap(4);
    m_timeline->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_timeline->yAxis->setRange(-0.5, 4.5);

    stylePlot(m_order, tr("Response order — sent vs completed (on the diagonal = in order)"), tr("completed as #"));
    m_order->xAxis->setLabel(tr("sent as #"));
    m_order->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_order->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    d->diagonal = addGraph(m_order, tr("in order"), QColor(0xbd, 0xbd, 0xbd));
    d->diagonal->setPen(QPen(QColor(0xbd, 0xbd, 0xbd), 1, Qt::DashLine));
    d->order = addGraph(m_order, tr("requests"), QColor(0x1e, 0x88, 0xe5));
    d->order->setLineStyle(QCPGraph::lsNone);
    d->order->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    d->orderPrev = addGraph(m_order, tr("previous run"), kCompareColor);
    d->orderPrev->setLineStyle(QCPGraph::lsNone);
    d->orderPrev->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kCompareColor, 6));

    for (QCPGraph *g : {d->lagPrev, d->busyPrev, d->inflightPrev, d->latencyPrev, d->orderPrev})
        g->removeFromLegend();
    d->prevRows->removeFromLegend();

    // The three overview charts share their time axis.
    for (QCustomPlot *a : {m_lag, m_pool, m_inflight}) {
        for (QCustomPlot *b : {m_lag, m_pool, m_inflight, m_timeline}) {
            if (a != b)
                connect(a->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), b->xAxis,
                        qOverload<const QCPRange &>(&QCPAxis::setRange));
        }
        connect(a, &QCustomPlot::mouseWheel, this, [this] { d->userZoomed = true; });
        connect(a, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
            if (e->buttons())
                d->userZoomed = true;
        });
    }
    connect(m_lag, &QCustomPlot::mousePress, this, &ChartsView::onLagClicked);
    connect(m_lag, &QCustomPlot::mouseDoubleClick, this, [this] {
        d->userZoomed = false;
        syncTimeAxes(d->end);
    });
    m_timeline->setMouseTracking(true);
    connect(m_timeline, &QCustomPlot::mouseMove, this, &ChartsView::onTimelineHover);
    setMinimumSize(360, 300);
}

ChartsView::~ChartsView() = default;

void ChartsView::clear()
{
    for (QCPGraph *g : {d->lag, d->busy, d->waiting, d->limit, d->inflight, d->latency, d->order, d->diagonal})
        g->data()->clear();
    for (QCPCurve *c : d->phaseCurves)
        c->data()->clear();
    for (QCPAbstractItem *i : d->blockedItems)
        m_lag->removeItem(i);
    d->blockedItems.clear();
    d->blocked.clear();
    d->rows.clear();
    d->end = 0;
    d->userZoomed = false;
    syncTimeAxes(2.5);
    for (QCustomPlot *p : {m_lag, m_pool, m_inflight, m_timeline, m_order})
        p->replot(QCustomPlot::rpQueuedReplot);
}

bool ChartsView::hasComparison() const
{
    return d->previous != nullptr;
}

int ChartsView::lagPoints() const
{
    return d->lag->dataCount();
}

int ChartsView::timelineRows() const
{
    return int(d->rows.size());
}

int ChartsView::blockedSpansShown() const
{
    return int(d->blocked.size());
}

void ChartsView::syncTimeAxes(double end)
{
    if (d->userZoomed)
        return;
    const double upper = std::max(1.0, end * 1.04);
    m_lag->xAxis->setRange(0, upper);
}

void ChartsView::updateSession(const Session &s)
{
    d->end = std::max(s.end, s.wall());
    fillLag(s);
    fillPool(s);
    fillInflight(s);
    fillTimeline(s);
    fillOrder(s);
    syncTimeAxes(std::max(d->end, d->previous ? d->previous->end : 0.0));
    for (QCustomPlot *p : {m_lag, m_pool, m_inflight, m_timeline, m_order}) {
        if (p->isVisible() || !isVisible())
            p->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ChartsView::fillLag(const Session &s)
{
    QVector<double> t, v;
    t.reserve(int(s.loop.lag.size()));
    v.reserve(int(s.loop.lag.size()));
    double maxMs = 10;
    for (const LagSample &l : s.loop.lag) {
        t.append(l.t);
        v.append(l.ms);
        maxMs = std::max(maxMs, l.ms);
    }
    d->lag->setData(t, v, true);

    // Blocked spans change rarely: rebuild the items only when their count changes.
    if (d->blocked.size() != s.loop.blocked.size() ||
        (!d->blocked.empty() && d->blocked.back().end != s.loop.blocked.back().end)) {
        for (QCPAbstractItem *i : d->blockedItems)
            m_lag->removeItem(i);
        d->blockedItems.clear();
        d->blocked.clear();
        const size_t maxItems = 300; // beyond this the shading alone says enough
        for (const BlockedSpan &b : s.loop.blocked) {
            QString label = QString::fromStdString(b.call.empty() ? b.function : b.call);
            if (!b.where.empty())
                label += QStringLiteral(" · ") + QString::fromStdString(b.where);
            d->blocked.push_back({b.start, b.end, b.line(), QString::fromStdString(b.where), label});
            if (d->blockedItems.size() >= maxItems)
                continue;
            auto *rect = new QCPItemRect(m_lag);
            rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
            rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
            rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            rect->topLeft->setCoords(b.start, 0);
            rect->bottomRight->setCoords(b.end, 1);
            rect->setBrush(kBlockedFill);
            rect->setPen(QPen(kBlockedEdge, 1));
            rect->setSelectable(false);
            rect->setLayer(QStringLiteral("background"));
            d->blockedItems.push_back(rect);
            if (b.duration() > 0.05 && s.loop.blocked.size() <= 40) {
                auto *text = new QCPItemText(m_lag);
                text->position->setTypeX(QCPItemPosition::ptPlotCoords);
                text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
                text->position->setCoords((b.start + b.end) / 2, 0.04);
                text->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
                text->setText(label);
                text->setColor(QColor(0xb7, 0x1c, 0x1c));
                QFont f = font();
                f.setPointSize(8);
                f.setBold(true);
                text->setFont(f);
                text->setClipToAxisRect(true);
                d->blockedItems.push_back(text);
            }
        }
    }
    m_lag->yAxis->setRange(0, maxMs * 1.15);
}

void ChartsView::fillPool(const Session &s)
{
    const PoolModel *p = s.mainLimiter();
    QVector<double> t, busy, waiting;
    int top = 4;
    if (p) {
        t.reserve(int(p->series.size()) + 1);
        for (const PoolPoint &pt : p->series) {
            t.append(pt.t);
            busy.append(pt.busy);
            waiting.append(pt.waiting);
            top = std::max({top, pt.busy, pt.waiting});
        }
        if (!p->series.empty() && d->end > p->series.back().t) {
            t.append(d->end);
            busy.append(p->series.back().busy);
            waiting.append(p->series.back().waiting);
        }
        d->limit->setData({0.0, std::max(d->end, 1.0) * 2}, {double(p->limit), double(p->limit)});
        d->limit->setName(tr("limit (%1 tokens)").arg(p->limit));
        if (p->limit <= std::max(top, 8) * 2)
            top = std::max(top, p->limit);
        m_pool->yAxis->setLabel(QString::fromStdString(p->name.empty() ? std::string("threads") : p->name));
    }
    d->busy->setData(t, busy, true);
    d->waiting->setData(t, waiting, true);
    m_pool->yAxis->setRange(0, top * 1.15 + 0.5);
}

void ChartsView::fillInflight(const Session &s)
{
    // In flight = sent (or accepted) and not done yet: +1/-1 steps sorted by time.
    std::vector<std::pair<double, int>> steps;
    steps.reserve(s.requests.size() * 2);
    QVector<double> lt, lv;
    double maxLat = 0.5;
    for (const RequestTimeline &r : s.requests) {
        const double from = std::isnan(r.sent) ? r.accepted : r.sent;
        if (std::isnan(from))
            continue;
        steps.emplace_back(from, +1);
        if (r.finished()) {
            steps.emplace_back(r.done(), -1);
            const double lat = r.latency();
            if (!std::isnan(lat)) {
                lt.append(r.done());
                lv.append(lat);
                maxLat = std::max(maxLat, lat);
            }
        }
    }
    std::sort(steps.begin(), steps.end());
    QVector<double> t, v;
    t.reserve(int(steps.size()) + 2);
    v.reserve(int(steps.size()) + 2);
    int n = 0, top = 2;
    t.append(0);
    v.append(0);
    for (const auto &[time, delta] : steps) {
        n += delta;
        t.append(time);
        v.append(n);
        top = std::max(top, n);
    }
    t.append(std::max(d->end, t.back()));
    v.append(n);
    d->inflight->setData(t, v, true);
    // Sort latency points by completion time.
    std::vector<std::pair<double, double>> pts;
    for (int i = 0; i < lt.size(); ++i)
        pts.emplace_back(lt[i], lv[i]);
    std::sort(pts.begin(), pts.end());
    QVector<double> a, b;
    for (auto &[x, y] : pts) {
        a.append(x);
        b.append(y);
    }
    d->latency->setData(a, b, true);
    m_inflight->yAxis->setRange(0, top * 1.15 + 0.5);
    m_inflight->yAxis2->setRange(0, maxLat * 1.15);
}

void ChartsView::fillTimeline(const Session &s)
{
    QVector<QCPCurveData> per[int(Phase::Count)];
    d->rows.clear();
    d->rows.reserve(s.requests.size());
    const double now = d->end;
    int row = 0;
    for (const RequestTimeline &r : s.requests) {
        Data::Row info{r.id, QString::fromStdString(r.path), r.sent, r.start(), r.done(), r.status, {}};
        for (const PhaseSpan &p : r.phases) {
            const int k = int(p.phase);
            if (k < 0 || k >= int(Phase::Count))
                continue;
            const double end = p.open() ? now : p.end;
            QVector<QCPCurveData> &v = per[k];
            const double idx = v.size();
            v.append(QCPCurveData(idx, p.start, row));
            v.append(QCPCurveData(idx + 1, end, row));
            v.append(QCPCurveData(idx + 2, qQNaN(), qQNaN()));
            info.phaseTotals[k] += end - p.start;
        }
        d->rows.push_back(std::move(info));
        ++row;
    }
    for (int k = 0; k < int(Phase::Count); ++k)
        d->phaseCurves[k]->data()->set(per[k], true);
    const int rows = std::max(row, 1);
    const double pxPerRow = double(m_timeline->axisRect()->height()) /
                            std::max(1.0, m_timeline->yAxis->range().size());
    const int width = std::clamp(int(pxPerRow * 0.7), 1, 14);
    for (QCPCurve *c : d->phaseCurves) {
        QPen pen = c->pen();
        pen.setWidth(width);
        c->setPen(pen);
    }
    if (!d->userZoomed)
        m_timeline->yAxis->setRange(-0.5, std::max(rows, 4) - 0.5);
}

void ChartsView::fillOrder(const Session &s)
{
    QVector<double> x, y;
    int n = 0;
    std::vector<std::pair<double, double>> pts;
    for (const RequestTimeline &r : s.requests) {
        if (r.sentRank >= 0 && r.doneRank >= 0)
            pts.emplace_back(r.sentRank, r.doneRank);
        n = std::max(n, r.sentRank + 1);
    }
    std::sort(pts.begin(), pts.end());
    for (auto &[a, b] : pts) {
        x.append(a);
        y.append(b);
    }
    d->order->setData(x, y, true);
    d->diagonal->setData({0.0, double(std::max(n - 1, 1))}, {0.0, double(std::max(n - 1, 1))});
    m_order->xAxis->setRange(-0.5, std::max(n, 2) - 0.5);
    m_order->yAxis->setRange(-0.5, std::max(n, 2) - 0.5);
}

void ChartsView::setComparison(const Session *previous, const QString &label)
{
    d->previous.reset(previous ? new Session(*previous) : nullptr);
    d->previousLabel = label;
    QVector<double> t, v;
    if (previous) {
        for (const LagSample &l : previous->loop.lag) {
            t.append(l.t);
            v.append(l.ms);
        }
    }
    d->lagPrev->setData(t, v, true);
    d->lagPrev->setName(label.isEmpty() ? tr("previous run") : label);
    if (previous)
        d->lagPrev->addToLegend();
    else
        d->lagPrev->removeFromLegend();

    t.clear();
    v.clear();
    if (previous) {
        if (const PoolModel *p = previous->mainLimiter()) {
            for (const PoolPoint &pt : p->series) {
                t.append(pt.t);
                v.append(pt.busy);
            }
        }
    }
    d->busyPrev->setData(t, v, true);

    QVector<double> lt, lv;
    std::vector<std::pair<double, int>> steps;
    std::vector<std::pair<double, double>> lat;
    QVector<QCPCurveData> rows;
    QVector<double> ox, oy;
    std::vector<std::pair<double, double>> order;
    if (previous) {
        int row = 0;
        for (const RequestTimeline &r : previous->requests) {
            const double from = std::isnan(r.sent) ? r.accepted : r.sent;
            if (!std::isnan(from) && r.finished()) {
                steps.emplace_back(from, 1);
                steps.emplace_back(r.done(), -1);
                lat.emplace_back(r.done(), r.latency());
                const double idx = rows.size();
                rows.append(QCPCurveData(idx, from, row));
                rows.append(QCPCurveData(idx + 1, r.done(), row));
                rows.append(QCPCurveData(idx + 2, qQNaN(), qQNaN()));
            }
            if (r.sentRank >= 0 && r.doneRank >= 0)
                order.emplace_back(r.sentRank, r.doneRank);
            ++row;
        }
    }
    std::sort(steps.begin(), steps.end());
    std::sort(lat.begin(), lat.end());
    std::sort(order.begin(), order.end());
    QVector<double> it{0}, iv{0};
    int n = 0;
    for (auto &[time, delta] : steps) {
        n += delta;
        it.append(time);
        iv.append(n);
    }
    d->inflightPrev->setData(previous ? it : QVector<double>{}, previous ? iv : QVector<double>{}, true);
    for (auto &[a, b] : lat) {
        lt.append(a);
        lv.append(b);
    }
    d->latencyPrev->setData(lt, lv, true);
    d->prevRows->data()->set(rows, true);
    for (auto &[a, b] : order) {
        ox.append(a);
        oy.append(b);
    }
    d->orderPrev->setData(ox, oy, true);
    for (QCPAbstractPlottable *p : std::initializer_list<QCPAbstractPlottable *>{d->inflightPrev, d->orderPrev, d->prevRows}) {
        if (previous)
            p->addToLegend();
        else
            p->removeFromLegend();
    }
    for (QCustomPlot *p : {m_lag, m_pool, m_inflight, m_timeline, m_order})
        p->replot(QCustomPlot::rpQueuedReplot);
}

void ChartsView::onLagClicked(QMouseEvent *e)
{
    if (e->button() != Qt::LeftButton)
        return;
    const double t = m_lag->xAxis->pixelToCoord(e->position().x());
    for (const Data::Blocked &b : d->blocked) {
        if (t >= b.start && t <= b.end) {
            emit blockedSpanClicked(b.line, b.where);
            return;
        }
    }
}

void ChartsView::onTimelineHover(QMouseEvent *e)
{
    const double y = m_timeline->yAxis->pixelToCoord(e->position().y());
    const int row = int(std::lround(y));
    if (row < 0 || row >= int(d->rows.size()) || e->buttons()) {
        QToolTip::hideText();
        return;
    }
    const Data::Row &r = d->rows[size_t(row)];
    auto ms = [](double s) { return std::isnan(s) ? QStringLiteral("–") : QStringLiteral("%1 s").arg(s, 0, 'f', 3); };
    QString tip = QStringLiteral("<b>#%1</b> %2<br/>sent %3 · start %4 · done %5 · status %6")
                      .arg(r.id)
                      .arg(r.path.toHtmlEscaped(), ms(r.sent), ms(r.start), ms(r.done))
                      .arg(r.status ? QString::number(r.status) : QStringLiteral("–"));
    for (int k = 0; k < int(Phase::Count); ++k) {
        if (r.phaseTotals[k] > 0)
            tip += QStringLiteral("<br/><span style='color:%1'>■</span> %2: %3 ms")
                       .arg(phaseColor(Phase(k)).name(), QString::fromLatin1(phaseName(Phase(k))))
                       .arg(r.phaseTotals[k] * 1000.0, 0, 'f', 1);
    }
    QToolTip::showText(e->globalPosition().toPoint(), tip, m_timeline);
}

QStringList ChartsView::exportCharts(const QString &base, const QString &format, QString *error)
{
    const std::pair<const char *, QCustomPlot *> plots[] = {
        {"lag", m_lag}, {"pool", m_pool}, {"inflight", m_inflight}, {"timeline", m_timeline}, {"order", m_order}};
    QStringList written;
    const int w = 1200, h = 520;
    for (const auto &[name, plot] : plots) {
        const QString file = QStringLiteral("%1-%2.%3").arg(base, QLatin1String(name), format);
        bool ok = false;
        if (format == QLatin1String("png")) {
            ok = plot->savePng(file, w, h, 1.0);
        } else if (format == QLatin1String("pdf")) {
            ok = plot->savePdf(file, w, h);
        } else if (format == QLatin1String("svg")) {
            QSvgGenerator gen;
            gen.setFileName(file);
            gen.setSize(QSize(w, h));
            gen.setViewBox(QRect(0, 0, w, h));
            gen.setTitle(QStringLiteral("Loopscope %1").arg(QLatin1String(name)));
            QCPPainter painter;
            if (painter.begin(&gen)) {
                plot->toPainter(&painter, w, h);
                painter.end();
                ok = QFile::exists(file);
            }
        } else {
            if (error)
                *error = tr("unknown chart format '%1'").arg(format);
            return {};
        }
        if (!ok) {
            if (error)
                *error = tr("cannot write %1").arg(file);
            return written;
        }
        written << file;
    }
    return written;
}

} // namespace loopscope::ui
