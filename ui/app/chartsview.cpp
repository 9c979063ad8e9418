#include "chartsview.h"

#include "chartrenderer.h"
#include "chartstyle.h"
#include "latencyhistogramchart.h"
#include "looplagchart.h"
#include "poolchart.h"
#include "requesttimelinechart.h"
#include "responseorderchart.h"
#include "scattergraph.h"

#include "trace/session.h"

#include <qcustomplot.h>

#include <QDir>
#include <QLabel>
#include <QTabWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace loopscope::ui {

namespace {

using namespace loopscope::trace;

const QColor kCompareColor(0x9e, 0x9e, 0x9e, 170);
constexpr int kInflightBins = 1500;

// A step series (requests in flight) with more points than a chart has pixels, as at most
// `bins` steps: each bin keeps its highest value (what a pixel column would show anyway),
// so a 10,000-request burst's 20,000 steps are not filled and stroked at every replot.
void binSteps(QVector<double> &t, QVector<double> &v, int bins)
{
    if (t.size() <= 2 * bins || t.isEmpty())
        return;
    const double from = t.front(), to = t.back();
    const double width = (to - from) / bins;
    if (!(width > 0))
        return;
    QVector<double> bt, bv;
    bt.reserve(bins + 2);
    bv.reserve(bins + 2);
    int i = 0;
    for (int b = 0; b < bins && i < t.size(); ++b) {
        const double end = from + width * (b + 1);
        double top = -1;
        // The value entering the bin counts too: it holds until the first step inside it.
        if (i > 0)
            top = v[i - 1];
        while (i < t.size() && (t[i] < end || b == bins - 1)) {
            top = std::max(top, v[i]);
            ++i;
        }
        if (top >= 0) {
            bt.append(from + width * b);
            bv.append(top);
        }
    }
    bt.append(to);
    bv.append(v.back());
    t.swap(bt);
    v.swap(bv);
}

QCustomPlot *makePlot(QWidget *parent)
{
    auto *p = new QCustomPlot(parent);
    p->setNoAntialiasingOnDrag(true);
    p->setPlottingHint(QCP::phCacheLabels, true);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->axisRect()->setRangeDrag(Qt::Horizontal);
    p->axisRect()->setRangeZoom(Qt::Horizontal);
    return p;
}

} // namespace

struct ChartsView::Data {
    struct Blocked {
        double start, end;
        int line;
        QString where;
    };
    struct Row {
        std::int64_t id = -1;
        std::string path;
        double sent = kUnknown, start = kUnknown, done = kUnknown;
        int status = 0;
        bool settled = false; // will not change any more (isSettled)
        double phaseTotals[int(Phase::Count)] = {};
    };
    // Requests in flight, kept from frame to frame. The steps (+1 sent, -1 done) are counted
    // in time order into bins a power of two seconds wide (each keeps its highest count, what
    // a pixel column would show anyway): bins before every step still to come are final, and
    // a frame adds only the steps after them. When the run outgrows kInflightBins, pairs of
    // bins become one, which is exactly what the wider bins would have counted. The
    // latencies of the settled rows [0, rows) are in the `done` graph already, sorted; a
    // frame adds the newly settled ones and redraws the others in `doneLive`.
    struct InflightCache {
        std::size_t rows = 0;
        std::int64_t lastId = -1;
        std::vector<std::pair<double, int>> steps; // settled rows' steps not counted yet, sorted
        double width = 0;                          // of a bin, in seconds
        std::vector<double> tops;                  // the closed bins' highest count
        double openTop = 0;                        // the open bin's (index tops.size())
        int count = 0;                             // in flight after the counted steps
        double counted = -std::numeric_limits<double>::infinity(); // every step before is counted
        double highest = 0; // of tops[0, highestOf)
        std::size_t highestOf = 0;
        std::vector<std::pair<double, double>> latencies; // settled rows', sorted, as in `done`
        double maxLatency = 0;
    } inflightCache;
    LoopLagChart lag;
    PoolChart pool;
    RequestTimelineChart timeline;
    ResponseOrderChart order;
    LatencyHistogramChart latency;
    std::vector<SessionChart *> charts() { return {&lag, &pool, &timeline, &order, &latency}; }

    std::vector<Blocked> blocked;
    std::vector<Row> rows;
    size_t requestsSeen = 0;
    QCPGraph *inflight = nullptr, *done = nullptr, *doneLive = nullptr;
    int previousTop = 0;        // the previous run's highest count in flight
    double previousLatency = 0; // and its highest latency
    QCPGraph *lagPrev = nullptr, *busyPrev = nullptr, *inflightPrev = nullptr, *donePrev = nullptr;
    std::unique_ptr<Session> previous;
    std::unique_ptr<Session> last; // kept only for exports of a finished run
    QString previousLabel;
    bool userZoomed = false;
    QCPRange zoomX;
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
    m_lag = makePlot(overview);
    m_pool = makePlot(overview);
    ol->addWidget(m_lag, 5);
    ol->addWidget(m_pool, 4);
    m_tabs->addTab(overview, tr("Loop && pool"));
    m_inflight = makePlot(m_tabs);
    m_tabs->addTab(m_inflight, tr("In flight"));
    m_timeline = makePlot(m_tabs);
    m_timeline->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_timeline->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    m_tabs->addTab(m_timeline, tr("Timeline"));
    m_order = makePlot(m_tabs);
    m_tabs->addTab(m_order, tr("Order"));
    m_latency = makePlot(m_tabs);
    m_tabs->addTab(m_latency, tr("Latency"));
    // Named for the frame-time benchmark's breakdown of slow frames.
    for (auto [plot, name] : {std::pair{m_lag, "lag"}, std::pair{m_pool, "pool"}, std::pair{m_inflight, "inflight"},
                              std::pair{m_timeline, "timeline"}, std::pair{m_order, "order"},
                              std::pair{m_latency, "latency"}})
        plot->setObjectName(QLatin1String(name));
    m_legend = nullptr;

    d->lag.attach(m_lag);
    d->pool.attach(m_pool);
    d->timeline.attach(m_timeline);
    d->order.attach(m_order);
    d->latency.attach(m_latency);

    ChartStyle::setUp(m_inflight, tr("Requests in flight and latency"), tr("time since burst start (s)"),
                      tr("requests in flight"));
    ChartStyle::styleAxis(m_inflight->yAxis2, tr("latency (s)"));
    m_inflight->yAxis2->setVisible(true);
    m_inflight->yAxis2->grid()->setVisible(false);
    ChartStyle::integerTicks(m_inflight->yAxis);
    d->inflight = m_inflight->addGraph();
    d->inflight->setName(tr("in flight"));
    d->inflight->setLineStyle(QCPGraph::lsStepLeft);
    // A line, not a filled area: filling the area under 10,000 requests' steps cost ~10 ms
    // per replot (the raster engine hands large fills to threads and waits for them).
    d->inflight->setPen(QPen(QColor(0x5e, 0x35, 0xb1), 1));
    d->done = new ScatterGraph(m_inflight->xAxis, m_inflight->yAxis2);
    d->done->setName(tr("latency at completion (right axis)"));
    d->done->setLineStyle(QCPGraph::lsNone);
    d->done->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0xd8, 0x1b, 0x60), 4));
    // The requests that may still change (done in the last moments of a live run).
    d->doneLive = new ScatterGraph(m_inflight->xAxis, m_inflight->yAxis2);
    d->doneLive->setLineStyle(QCPGraph::lsNone);
    d->doneLive->setScatterStyle(d->done->scatterStyle());
    d->doneLive->removeFromLegend();
    ChartStyle::legendBelow(m_inflight);
    m_inflight->legend->setVisible(true);
    m_inflight->xAxis->setRange(0, 1);
    m_inflight->yAxis->setRange(0, 2);
    m_inflight->yAxis2->setRange(0, 1);
    addOverlays();

    // The time charts share their time axis.
    for (QCustomPlot *a : {m_lag, m_pool, m_inflight}) {
        for (QCustomPlot *b : {m_lag, m_pool, m_inflight}) {
            if (a != b)
                connect(a->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), b->xAxis,
                        qOverload<const QCPRange &>(&QCPAxis::setRange));
        }
        connect(a, &QCustomPlot::mouseWheel, this, [this] { d->userZoomed = true; });
        connect(a, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
            if (e->buttons())
                d->userZoomed = true;
        });
        // Double-click: back to following the run.
        connect(a, &QCustomPlot::mouseDoubleClick, this, [this] { d->userZoomed = false; });
    }
    // Lag and pool are stacked on one time axis: their axis rects get the same left and
    // right margins (the lag chart's right axis would otherwise shift one against the other).
    for (auto [from, to] : {std::pair{m_lag, m_pool}, std::pair{m_pool, m_lag}}) {
        connect(from, &QCustomPlot::afterLayout, this, [from, to] {
            const QMargins m = from->axisRect()->margins();
            const QMargins min = to->axisRect()->minimumMargins();
            const QMargins want(std::max(min.left(), m.left()), min.top(), std::max(min.right(), m.right()),
                                min.bottom());
            if (want != min) {
                to->axisRect()->setMinimumMargins(want);
                to->replot(QCustomPlot::rpQueuedReplot);
            }
        });
    }
    m_pool->xAxis->setRange(m_lag->xAxis->range());
    connect(m_lag, &QCustomPlot::mousePress, this, &ChartsView::onLagClicked);
    connect(m_tabs, &QTabWidget::currentChanged, this, &ChartsView::refreshRequested);
    m_timeline->setMouseTracking(true);
    connect(m_timeline, &QCustomPlot::mouseMove, this, &ChartsView::onTimelineHover);
    setMinimumSize(360, 300);
}

ChartsView::~ChartsView() = default;

void ChartsView::addOverlays()
{
    QPen dashed(kCompareColor, 1, Qt::DashLine);
    d->lagPrev = m_lag->addGraph();
    d->lagPrev->setPen(dashed);
    d->lagPrev->setLineStyle(QCPGraph::lsImpulse);
    d->lagPrev->removeFromLegend();
    d->busyPrev = m_pool->addGraph();
    d->busyPrev->setPen(dashed);
    d->busyPrev->setLineStyle(QCPGraph::lsStepLeft);
    d->busyPrev->removeFromLegend();
    d->inflightPrev = m_inflight->addGraph();
    d->inflightPrev->setPen(dashed);
    d->inflightPrev->setLineStyle(QCPGraph::lsStepLeft);
    d->inflightPrev->removeFromLegend();
    d->donePrev = new ScatterGraph(m_inflight->xAxis, m_inflight->yAxis2);
    d->donePrev->setLineStyle(QCPGraph::lsNone);
    d->donePrev->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kCompareColor, 5));
    d->donePrev->removeFromLegend();
    for (QCPGraph *g : {d->lagPrev, d->busyPrev, d->inflightPrev, d->donePrev})
        g->setLayer(QStringLiteral("grid")); // under the current run
}

void ChartsView::clear()
{
    for (SessionChart *c : d->charts()) {
        c->reset();
        c->plot()->replot(QCustomPlot::rpQueuedReplot);
    }
    restartInflight();
    m_inflight->replot(QCustomPlot::rpQueuedReplot);
    d->blocked.clear();
    d->rows.clear();
    d->requestsSeen = 0;
    d->last.reset();
    d->userZoomed = false;
}

bool ChartsView::hasComparison() const
{
    return d->previous != nullptr;
}

int ChartsView::lagPoints() const
{
    // The lag chart's sampled line is its last graph added by the charts library.
    int n = 0;
    for (int i = 0; i < m_lag->graphCount(); ++i) {
        if (m_lag->graph(i) != d->lagPrev && m_lag->graph(i)->lineStyle() == QCPGraph::lsImpulse)
            n = std::max(n, m_lag->graph(i)->dataCount());
    }
    return n;
}

int ChartsView::timelineRows() const
{
    return int(d->rows.size());
}

int ChartsView::blockedSpansShown() const
{
    return int(d->blocked.size());
}

QStringList ChartsView::liveBlockedLabels() const
{
    QStringList out;
    for (int i = 0; i < d->lag.liveBlockedShown(); ++i)
        out << d->lag.liveBlockedText(i);
    return out;
}

void ChartsView::updateSession(const Session &s, bool all)
{
    const QCPRange keep = m_lag->xAxis->range();
    // A new run (fewer requests or blocked spans than shown), or everything asked for (an
    // export): the charts start over instead of building on what earlier frames kept.
    if (all || s.requests.size() < d->requestsSeen || s.loop.blocked.size() < d->blocked.size())
        restart();
    d->requestsSeen = s.requests.size();
    // Offscreen (tests, exports) everything is drawn; on screen only what can be seen.
    all = all || !isVisible();
    auto shown = [all](QCustomPlot *p) { return all || p->isVisible(); };
    for (SessionChart *c : d->charts()) {
        if (shown(c->plot()))
            c->update(s);
    }
    if (shown(m_inflight))
        fillInflight(s);
    if (shown(m_timeline))
        fillRows(s);
    for (size_t i = d->blocked.size(); i < s.loop.blocked.size(); ++i) {
        const BlockedSpan &b = s.loop.blocked[i];
        d->blocked.push_back({b.start, b.end, b.line(), QString::fromStdString(b.where)});
    }
    double end = std::max(0.1, s.end);
    if (d->previous)
        end = std::max(end, d->previous->end);
    m_inflight->xAxis->setRange(0, end * 1.02);
    if (d->userZoomed)
        m_lag->xAxis->setRange(keep);
    else
        m_lag->xAxis->setRange(0, end * 1.02);
    for (QCustomPlot *p : {m_lag, m_pool, m_inflight, m_timeline, m_order, m_latency}) {
        if (shown(p))
            p->replot(QCustomPlot::rpQueuedReplot);
    }
}

void ChartsView::restart()
{
    // Margins shared by the stacked charts are worked out again for the new numbers.
    for (QCustomPlot *p : {m_lag, m_pool})
        p->axisRect()->setMinimumMargins(QMargins());
    for (SessionChart *c : d->charts())
        c->reset();
    d->rows.clear();
    restartInflight();
    d->blocked.clear();
    d->requestsSeen = 0;
}

void ChartsView::restartInflight()
{
    d->inflightCache = {};
    for (QCPGraph *g : {d->inflight, d->done, d->doneLive})
        g->data()->clear();
}

void ChartsView::replaceSession(const Session &s)
{
    restart();
    // The rows (hover details) and blocked spans are plain data: kept up to date even for a
    // hidden timeline.
    fillRows(s);
    updateSession(s);
}

namespace {

constexpr double kInflightSettle = 0.25; // as isSettled(): nothing new turns up further back

using InflightStep = std::pair<double, int>;
using InflightLatency = std::pair<double, double>;

// Counts steps in time order into bins of `width` seconds from 0; `tops` holds the closed
// bins from `first` on, `openTop` the one after them.
struct InflightCounter {
    std::vector<double> &tops;
    std::size_t first;
    double &openTop;
    int &count;
    double width;

    void add(const InflightStep &step)
    {
        const double at = step.first / width; // exact: the width is a power of two
        const std::size_t bin = at > double(first) ? std::size_t(at) - first : 0;
        while (tops.size() < bin) {
            tops.push_back(openTop);
            openTop = count; // what enters the next bin
        }
        count += step.second;
        openTop = std::max(openTop, double(count));
    }
};

} // namespace

void ChartsView::fillInflight(const Session &s)
{
    // In flight = sent (or accepted) and not done yet: +1/-1 steps in time order.
    auto collect = [](const RequestTimeline &r, std::vector<InflightStep> &steps, std::vector<InflightLatency> &lat) {
        const double from = std::isnan(r.sent) ? r.accepted : r.sent;
        if (std::isnan(from))
            return;
        steps.emplace_back(from, +1);
        if (r.finished()) {
            steps.emplace_back(r.done(), -1);
            const double l = r.latency();
            if (!std::isnan(l))
                lat.emplace_back(r.done(), l);
        }
    };
    // Sorts v[from, end) and merges it into the sorted v[0, from); returns where the merged
    // part starts: at the first element whose time is not before the earliest new one's.
    auto mergeNew = [](auto &v, std::size_t from) {
        std::sort(v.begin() + std::ptrdiff_t(from), v.end());
        if (from == v.size())
            return from;
        const auto first = std::lower_bound(v.begin(), v.begin() + std::ptrdiff_t(from), v[from].first,
                                            [](const auto &e, double t) { return e.first < t; });
        std::inplace_merge(first, v.begin() + std::ptrdiff_t(from), v.end());
        return std::size_t(first - v.begin());
    };

    Data::InflightCache &c = d->inflightCache;
    // Settled rows are kept; a request turning up among them starts over.
    if (c.rows > s.requests.size() || (c.rows > 0 && s.requests[c.rows - 1].id != c.lastId))
        restartInflight();
    std::vector<InflightStep> steps; // the other rows'
    std::vector<InflightLatency> lat;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const std::size_t oldSteps = c.steps.size(), oldLat = c.latencies.size();
        while (c.rows < s.requests.size() && isSettled(s.requests[c.rows], s.end)) {
            collect(s.requests[c.rows], c.steps, c.latencies);
            c.lastId = s.requests[c.rows].id;
            ++c.rows;
        }
        steps.clear();
        lat.clear();
        for (std::size_t i = c.rows; i < s.requests.size(); ++i)
            collect(s.requests[i], steps, lat);
        std::sort(steps.begin(), steps.end());
        std::sort(lat.begin(), lat.end());
        // A step before what is counted already (a request that turned up late): start over.
        const bool late = (!steps.empty() && steps.front().first < c.counted)
                          || std::any_of(c.steps.begin() + std::ptrdiff_t(oldSteps), c.steps.end(),
                                         [&c](const InflightStep &st) { return st.first < c.counted; });
        if (late && attempt == 0) {
            restartInflight();
            continue;
        }
        mergeNew(c.steps, oldSteps);
        // The done graph takes the newly settled latencies: what sorts after them is taken
        // out and put back merged with them (a short tail: they finished lately).
        const std::size_t from = mergeNew(c.latencies, oldLat);
        if (from < c.latencies.size()) {
            for (std::size_t i = oldLat; i < c.latencies.size(); ++i)
                c.maxLatency = std::max(c.maxLatency, c.latencies[i].second);
            d->done->data()->remove(c.latencies[from].first, std::numeric_limits<double>::infinity());
            QVector<QCPGraphData> tail;
            tail.reserve(int(c.latencies.size() - from));
            for (std::size_t i = from; i < c.latencies.size(); ++i)
                tail.append(QCPGraphData(c.latencies[i].first, c.latencies[i].second));
            d->done->data()->add(tail, true);
        }
        break;
    }

    // Bins as wide as kInflightBins of them need to cover the run; wider ones merge pairs.
    if (c.width == 0)
        c.width = std::ldexp(1.0, -12);
    while (std::max(0.1, s.end) / c.width > kInflightBins) {
        std::vector<double> merged;
        merged.reserve(c.tops.size() / 2 + 1);
        for (std::size_t i = 0; i + 1 < c.tops.size(); i += 2)
            merged.push_back(std::max(c.tops[i], c.tops[i + 1]));
        if (c.tops.size() % 2)
            c.openTop = std::max(c.openTop, c.tops.back());
        c.tops.swap(merged);
        c.highestOf /= 2;
        c.width *= 2;
    }
    // The settled steps before every other step (and before anything that can still turn up)
    // are final: counted once, into bins kept from frame to frame.
    const double horizon = std::min(steps.empty() ? s.end : steps.front().first, s.end - kInflightSettle);
    InflightCounter counter{c.tops, 0, c.openTop, c.count, c.width};
    std::size_t used = 0;
    while (used < c.steps.size() && c.steps[used].first < horizon)
        counter.add(c.steps[used++]);
    c.steps.erase(c.steps.begin(), c.steps.begin() + std::ptrdiff_t(used));
    c.counted = std::max(c.counted, horizon);
    // The rest (the last moments of the run) is counted afresh each frame, after the kept bins.
    const std::size_t closed = c.tops.size();
    std::vector<double> tops;
    double openTop = c.openTop;
    int n = c.count;
    InflightCounter rest{tops, closed, openTop, n, c.width};
    std::size_t i = 0, j = 0;
    while (i < c.steps.size() || j < steps.size()) {
        if (j == steps.size() || (i < c.steps.size() && !(steps[j] < c.steps[i])))
            rest.add(c.steps[i++]);
        else
            rest.add(steps[j++]);
    }
    QVector<double> t, v;
    t.reserve(int(closed + tops.size()) + 2);
    v.reserve(t.capacity());
    double top = 2;
    for (std::size_t b = 0; b < closed; ++b) {
        t.append(double(b) * c.width);
        v.append(c.tops[b]);
    }
    for (std::size_t b = 0; b < tops.size(); ++b) {
        t.append(double(closed + b) * c.width);
        v.append(tops[b]);
    }
    t.append(double(closed + tops.size()) * c.width);
    v.append(openTop);
    for (std::size_t k = c.highestOf; k < closed; ++k)
        c.highest = std::max(c.highest, c.tops[k]);
    c.highestOf = closed;
    top = std::max({top, c.highest, openTop});
    for (double x : tops)
        top = std::max(top, x);
    // The bins after the last step hold what is left in flight, up to the run's end.
    const double afterOpen = t.back() + c.width;
    if (afterOpen < s.end) {
        t.append(afterOpen);
        v.append(n);
    }
    t.append(std::max(s.end, t.back()));
    v.append(n);
    d->inflight->setData(t, v, true);

    QVector<double> a, b;
    a.reserve(int(lat.size()));
    b.reserve(a.capacity());
    double maxLat = std::max(0.1, c.maxLatency);
    for (const InflightLatency &l : lat) {
        a.append(l.first);
        b.append(l.second);
        maxLat = std::max(maxLat, l.second);
    }
    d->doneLive->setData(a, b, true);
    if (d->previous) {
        top = std::max(top, double(d->previousTop));
        maxLat = std::max(maxLat, d->previousLatency);
    }
    m_inflight->yAxis->setRange(0, top * 1.15 + 0.5);
    m_inflight->yAxis2->setRange(0, maxLat * 1.15);
}

void ChartsView::fillRows(const Session &s)
{
    // Numbers only for the rows that can still change; the path is copied once per request.
    d->rows.resize(s.requests.size());
    for (size_t i = 0; i < s.requests.size(); ++i) {
        const RequestTimeline &r = s.requests[i];
        Data::Row &row = d->rows[i];
        if (row.id == r.id && row.settled)
            continue;
        if (row.id != r.id) {
            row.id = r.id;
            row.path = r.path;
        }
        row.sent = r.sent;
        row.start = r.start();
        row.done = r.done();
        row.status = r.status;
        row.settled = isSettled(r, s.end);
        std::fill(std::begin(row.phaseTotals), std::end(row.phaseTotals), 0.0);
        for (const PhaseSpan &p : r.phases) {
            if (int(p.phase) < int(Phase::Count))
                row.phaseTotals[int(p.phase)] += (p.open() ? s.end : p.end) - p.start;
        }
    }
}

void ChartsView::setComparison(const Session *previous, const QString &label)
{
    d->previous.reset(previous ? new Session(*previous) : nullptr);
    d->previousLabel = label.isEmpty() ? tr("previous run") : label;
    QVector<double> lt, lv, bt, bv, it{0}, iv{0}, dt, dv;
    if (previous) {
        for (const LagSample &l : previous->loop.lag) {
            lt.append(l.t);
            lv.append(l.ms);
        }
        if (const PoolModel *p = previous->mainLimiter()) {
            for (const PoolPoint &pt : p->series) {
                bt.append(pt.t);
                bv.append(pt.busy);
            }
        }
        std::vector<std::pair<double, int>> steps;
        std::vector<std::pair<double, double>> lat;
        for (const RequestTimeline &r : previous->requests) {
            const double from = std::isnan(r.sent) ? r.accepted : r.sent;
            if (std::isnan(from) || !r.finished())
                continue;
            steps.emplace_back(from, 1);
            steps.emplace_back(r.done(), -1);
            if (!std::isnan(r.latency()))
                lat.emplace_back(r.done(), r.latency());
        }
        std::sort(steps.begin(), steps.end());
        std::sort(lat.begin(), lat.end());
        int n = 0;
        for (const auto &[time, delta] : steps) {
            n += delta;
            it.append(time);
            iv.append(n);
        }
        for (const auto &[x, y] : lat) {
            dt.append(x);
            dv.append(y);
        }
    } else {
        it.clear();
        iv.clear();
    }
    d->lagPrev->setData(lt, lv, true);
    d->busyPrev->setData(bt, bv, true);
    d->previousTop = 0;
    for (double x : iv)
        d->previousTop = std::max(d->previousTop, int(x));
    d->previousLatency = 0;
    for (double x : dv)
        d->previousLatency = std::max(d->previousLatency, x);
    binSteps(it, iv, kInflightBins);
    d->inflightPrev->setData(it, iv, true);
    d->donePrev->setData(dt, dv, true);
    for (QCPGraph *g : {d->lagPrev, d->busyPrev, d->inflightPrev}) {
        g->setName(tr("%1 (dashed)").arg(d->previousLabel));
        if (previous)
            g->addToLegend();
        else
            g->removeFromLegend();
    }
    for (QCustomPlot *p : {m_lag, m_pool, m_inflight})
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
    if (row < 0 || row >= int(d->rows.size()) || e->buttons() ||
        !m_timeline->axisRect()->rect().contains(e->position().toPoint())) {
        QToolTip::hideText();
        return;
    }
    const Data::Row &r = d->rows[size_t(row)];
    auto secs = [](double s) { return std::isnan(s) ? QStringLiteral("–") : QStringLiteral("%1 s").arg(s, 0, 'f', 3); };
    QString tip = QStringLiteral("<b>#%1</b> %2<br/>sent %3 · started %4 · done %5 · status %6")
                      .arg(r.id)
                      .arg(QString::fromStdString(r.path).toHtmlEscaped(), secs(r.sent), secs(r.start), secs(r.done))
                      .arg(r.status ? QString::number(r.status) : QStringLiteral("–"));
    for (int k = 0; k < int(Phase::Count); ++k) {
        if (r.phaseTotals[k] > 0)
            tip += QStringLiteral("<br/><span style='color:%1'>■</span> %2: %3 ms")
                       .arg(ChartStyle::phaseColor(Phase(k)).name(), QString::fromLatin1(phaseName(Phase(k))))
                       .arg(r.phaseTotals[k] * 1000.0, 0, 'f', 1);
    }
    QToolTip::showText(e->globalPosition().toPoint(), tip, m_timeline);
}

QStringList ChartsView::exportCharts(const QString &dir, const QString &format, QString *error)
{
    if (format != QLatin1String("png") && format != QLatin1String("svg") && format != QLatin1String("pdf")) {
        if (error)
            *error = tr("unknown chart format '%1'").arg(format);
        return {};
    }
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("cannot create %1").arg(dir);
        return {};
    }
    QStringList written;
    // The live plots as they are on screen (zoom, overlays included).
    const std::pair<const char *, QCustomPlot *> plots[] = {{"loop_lag", m_lag},
                                                            {"pool", m_pool},
                                                            {"in_flight", m_inflight},
                                                            {"request_timeline", m_timeline},
                                                            {"response_order", m_order},
                                                            {"latency_histogram", m_latency}};
    for (const auto &[name, plot] : plots) {
        const int w = 1200;
        const int h = plot == m_timeline ? RequestTimelineChart::preferredHeight(d->rows.size()) : 560;
        const QString file = QDir(dir).filePath(QStringLiteral("%1.%2").arg(QLatin1String(name), format));
        bool ok = false;
        if (format == QLatin1String("png"))
            ok = plot->savePng(file, w, h, 1.0);
        else if (format == QLatin1String("pdf"))
            ok = plot->savePdf(file, w, h);
        else
            ok = saveSvg(plot, file, w, h, QStringLiteral("Loopscope %1").arg(QLatin1String(name)));
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
