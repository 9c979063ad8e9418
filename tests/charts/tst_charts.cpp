// Session charts: live incremental updates, and offscreen PNG/SVG/PDF rendering.
#include "synthetictrace.h"

#include "chartrenderer.h"
#include "latencyhistogramchart.h"
#include "looplagchart.h"
#include "poolchart.h"
#include "requesttimelinechart.h"
#include "responseorderchart.h"
#include "phasebars.h"

#include <QtTest>
#include <qcustomplot.h>

using namespace loopscope;
using namespace loopscope::trace::synthetic;

namespace {

trace::Session combined()
{
    // Blocked loop and a busy pool in one session: every chart has something to draw.
    Stream s = syncBlock41();
    Stream blocked = asyncBlock2();
    for (trace::TraceEvent e : blocked.events) {
        if (e.request >= 0)
            e.request += 100;
        if (e.kind == trace::EventKind::PoolDeclared)
            continue;
        e.t += 3'000'000'000ULL;
        if (e.kind == trace::EventKind::LoopBlocked) {
            e.a += 3'000'000'000ULL;
            e.b += 3'000'000'000ULL;
        }
        s.events.push_back(e);
    }
    return s.build();
}

} // namespace

class TestCharts : public QObject {
    Q_OBJECT
private slots:
    void renderWritesEveryChartInEveryFormat()
    {
        QTemporaryDir dir;
        QStringList written;
        QString error;
        const trace::Session session = combined();
        QVERIFY2(ui::renderCharts(session, dir.path(), &written, &error), qPrintable(error));
        const QStringList names{"loop_lag", "pool", "pool_default_executor", "request_timeline",
                                "response_order", "latency_histogram"};
        // The default executor was declared but never used: no chart for it.
        QCOMPARE(written.size(), (names.size() - 1) * 3);
        for (const QString &name : names) {
            const bool expected = name != u"pool_default_executor";
            for (const char *ext : {".png", ".svg", ".pdf"}) {
                const QFileInfo f(dir.filePath(name + QLatin1String(ext)));
                QCOMPARE(f.exists(), expected);
                if (expected)
                    QVERIFY2(f.size() > 5000, qPrintable(f.fileName()));
            }
        }
        const QImage lag(dir.filePath(QStringLiteral("loop_lag.png")));
        QCOMPARE(lag.size(), QSize(1200, 560));
        const QImage timeline(dir.filePath(QStringLiteral("request_timeline.png")));
        QCOMPARE(timeline.width(), 1200);
        QCOMPARE(timeline.height(), ui::RequestTimelineChart::preferredHeight(session.requests.size()));
        // Not a blank canvas: many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < timeline.height(); y += 3)
            for (int x = 0; x < timeline.width(); x += 3)
                colours.insert(timeline.pixel(x, y));
        QVERIFY(colours.size() > 20);
        QFile svg(dir.filePath(QStringLiteral("loop_lag.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QFile pdf(dir.filePath(QStringLiteral("pool.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");

        if (const QByteArray keep = qgetenv("LOOPSCOPE_KEEP_CHARTS"); !keep.isEmpty())
            QVERIFY(ui::renderCharts(session, QString::fromLocal8Bit(keep)));
    }

    void emptySessionStillRenders()
    {
        QTemporaryDir dir;
        QStringList written;
        QVERIFY(ui::renderCharts(trace::Session{}, dir.path(), &written));
        QVERIFY(written.contains(dir.filePath(QStringLiteral("loop_lag.png"))));
        QString error;
        QVERIFY(!ui::renderCharts(trace::Session{}, QStringLiteral("/proc/no/such/dir"), nullptr, &error));
        QVERIFY(!error.isEmpty());
    }

    // A step blocking the loop right now is drawn up to "now" and labelled with where it
    // runs; it is gone from the next frame once it has ended.
    void blockingStepIsDrawnWhileItRuns()
    {
        QCustomPlot plot;
        ui::LoopLagChart lag;
        lag.attach(&plot);
        trace::Session s;
        s.end = 0.6;
        trace::BlockedSpan now;
        now.start = 0.01;
        now.end = 0.6;
        now.where = "app.py:14";
        now.function = "ping";
        now.call = "time.sleep";
        s.loop.blocking.push_back(now);
        lag.update(s);
        QCOMPARE(lag.liveBlockedShown(), 1);
        QCOMPARE(lag.liveBlockedText(0), QStringLiteral("blocking: time.sleep @ app.py:14  0.59 s so far"));
        s.end = 0.9;
        s.loop.blocking[0].end = 0.9;
        lag.update(s);
        QCOMPARE(lag.liveBlockedShown(), 1);
        QCOMPARE(lag.liveBlockedText(0), QStringLiteral("blocking: time.sleep @ app.py:14  0.89 s so far"));
        const int items = plot.itemCount();
        s.loop.blocking.clear();
        s.loop.blocked.push_back(now);
        lag.update(s);
        QCOMPARE(lag.liveBlockedShown(), 0);
        QCOMPARE(plot.itemCount(), items); // the live rect and label gave way to the span's
    }

    // Fed every "frame" like the app does: data is appended, never duplicated.
    void liveUpdatesAreIncremental()
    {
        QCustomPlot lagPlot, poolPlot, timelinePlot, orderPlot, histPlot;
        ui::LoopLagChart lag;
        ui::PoolChart pool;
        ui::RequestTimelineChart timeline;
        ui::ResponseOrderChart order;
        ui::LatencyHistogramChart hist;
        lag.attach(&lagPlot);
        pool.attach(&poolPlot);
        timeline.attach(&timelinePlot);
        order.attach(&orderPlot);
        hist.attach(&histPlot);

        Stream stream = syncBlock41();
        stream.lagSamples(2.1, 2.3, 0.1);
        std::vector<trace::TraceEvent> events = stream.events;
        std::stable_sort(events.begin(), events.end(),
                         [](const auto &a, const auto &b) { return a.t < b.t; });
        trace::SessionBuilder builder;
        builder.setOrigin(kOrigin);
        builder.setThreads(Stream::threads());
        for (std::size_t i = 0; i < events.size(); i += 25) {
            const std::size_t n = std::min<std::size_t>(25, events.size() - i);
            builder.add(std::span(events.data() + i, n));
            const trace::Session &s = builder.session();
            for (ui::SessionChart *c : std::initializer_list<ui::SessionChart *>{&lag, &pool, &timeline, &order, &hist})
                c->update(s);
            QCOMPARE(lagPlot.graph(1)->dataCount(), int(s.loop.lag.size()));
        }
        builder.finish();
        const trace::Session &s = builder.session();
        for (ui::SessionChart *c : std::initializer_list<ui::SessionChart *>{&lag, &pool, &timeline, &order, &hist})
            c->update(s);
        QCOMPARE(lagPlot.graph(1)->dataCount(), int(s.loop.lag.size()));
        const trace::PoolModel *limiter = s.mainLimiter();
        QVERIFY(limiter);
        // Every state change plus at most one "until now" point.
        QVERIFY(poolPlot.graph(0)->dataCount() >= int(limiter->series.size()));
        QVERIFY(poolPlot.graph(0)->dataCount() <= int(limiter->series.size()) + 1);
        QCOMPARE(orderPlot.graph(1)->dataCount(), 41);
        auto *bars = qobject_cast<ui::PhaseBars *>(timelinePlot.plottable(0));
        QVERIFY(bars);
        QVERIFY(bars->bars().size() >= 41 * 3);

        // Rows kept from earlier frames and rows redone: the same bars as drawn at once.
        QCustomPlot wholePlot;
        ui::RequestTimelineChart whole;
        whole.attach(&wholePlot);
        whole.update(s);
        auto *wholeBars = qobject_cast<ui::PhaseBars *>(wholePlot.plottable(0));
        QCOMPARE(bars->bars().size(), wholeBars->bars().size());
        for (std::size_t i = 0; i < bars->bars().size(); ++i) {
            const ui::PhaseBars::Bar &a = bars->bars()[i], &b = wholeBars->bars()[i];
            QCOMPARE(a.row, b.row);
            QCOMPARE(a.start, b.start);
            QCOMPARE(a.end, b.end);
            QCOMPARE(a.color, b.color);
        }

        // A new run: reset and feed again gives the same picture, not twice the data.
        lag.reset();
        lag.update(s);
        QCOMPARE(lagPlot.graph(1)->dataCount(), int(s.loop.lag.size()));
    }

    void histogramBinWidthsAreRound()
    {
        QCOMPARE(ui::LatencyHistogramChart::binWidth(2000, 40), 50.0);
        QCOMPARE(ui::LatencyHistogramChart::binWidth(10, 40), 0.5);
        QCOMPARE(ui::LatencyHistogramChart::binWidth(0, 40), 1.0);
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
