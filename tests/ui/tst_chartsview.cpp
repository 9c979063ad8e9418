// ChartsView: a session fills every chart (lag with blocked spans, pool, in flight,
// timeline rows, response order), clicking a blocked span names its line, a previous
// run overlays, the charts export as PNG, SVG and PDF, legends and labels fit narrow
// charts, and a run drawn frame by frame ends as the same picture as drawn at once.
#include "chartsview.h"

#include "samplesession.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

using namespace loopscope;
using namespace loopscope::ui;

class tst_ChartsView : public QObject {
    Q_OBJECT
private slots:
    void fillsFromSession()
    {
        ChartsView v;
        v.resize(900, 700);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        const trace::Session s = uitest::asyncSleepSession();
        v.updateSession(s, true);
        QCOMPARE(v.lagPoints(), int(s.loop.lag.size()));
        QCOMPARE(v.timelineRows(), 2);
        QCOMPARE(v.blockedSpansShown(), 2);
        QVERIFY(v.inflightPlot()->graph(0)->dataCount() > 2);
        int orderPoints = 0;
        for (int i = 0; i < v.orderPlot()->graphCount(); ++i)
            orderPoints += v.orderPlot()->graph(i)->dataCount();
        QVERIFY(orderPoints >= 2);
        // The time axis covers the run.
        QVERIFY(v.lagPlot()->xAxis->range().upper >= 2.0);
        QVERIFY(v.lagPlot()->xAxis->range().upper < 3.0);
    }

    void clickOnBlockedSpanNamesTheLine()
    {
        ChartsView v;
        v.resize(900, 700);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        v.updateSession(uitest::asyncSleepSession());
        v.lagPlot()->replot();
        QSignalSpy spy(&v, &ChartsView::blockedSpanClicked);
        const int x = int(v.lagPlot()->xAxis->coordToPixel(1.5));
        const int y = int(v.lagPlot()->yAxis->coordToPixel(1.0));
        QTest::mouseClick(v.lagPlot(), Qt::LeftButton, {}, QPoint(x, y));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().at(0).toInt(), 14);
        QCOMPARE(spy.first().at(1).toString(), QStringLiteral("01_async_time_sleep.py:14"));
        // Outside any span: nothing.
        const int x2 = int(v.lagPlot()->xAxis->coordToPixel(0.001));
        QTest::mouseClick(v.lagPlot(), Qt::LeftButton, {}, QPoint(x2, y));
        QCOMPARE(spy.count(), 1);
    }

    void comparisonOverlay()
    {
        ChartsView v;
        const trace::Session prev = uitest::asyncSleepSession();
        v.setComparison(&prev, QStringLiteral("async def"));
        QVERIFY(v.hasComparison());
        auto overlayPoints = [&] {
            int n = 0;
            for (int i = 0; i < v.lagPlot()->graphCount(); ++i)
                if (v.lagPlot()->graph(i)->pen().style() == Qt::DashLine)
                    n += v.lagPlot()->graph(i)->dataCount();
            return n;
        };
        QCOMPARE(overlayPoints(), int(prev.loop.lag.size()));
        v.setComparison(nullptr);
        QVERIFY(!v.hasComparison());
        QCOMPARE(overlayPoints(), 0);
    }

    // The loop chart's busy area and blocked spans and the pool's busy and waiting areas are
    // filled opaque (Qt hands large translucent fills to paint threads and waits for them),
    // under the previous run's dashed overlay, which stays visible.
    void areasAreOpaqueUnderTheOverlay()
    {
        ChartsView v;
        v.resize(900, 700);
        const trace::Session prev = uitest::bigBurstSession(500, 40);
        v.setComparison(&prev);
        trace::Session s = uitest::asyncSleepSession();
        v.updateSession(s, true);
        v.updateSession(uitest::bigBurstSession(500, 20), true);
        v.updateSession(s, true);
        QCOMPARE(v.blockedSpansShown(), 2);
        for (QCustomPlot *p : {v.lagPlot(), v.poolPlot()}) {
            int filled = 0, highestFill = -1, lowestOverlay = 1 << 30;
            for (int i = 0; i < p->graphCount(); ++i) {
                QCPGraph *g = p->graph(i);
                if (g->pen().style() == Qt::DashLine)
                    lowestOverlay = std::min(lowestOverlay, g->layer()->index());
                if (g->brush().style() == Qt::NoBrush)
                    continue;
                QVERIFY2(g->brush().color().alpha() == 255, qPrintable(g->name()));
                if (g->pen().style() == Qt::NoPen || g->layer()->name() == QLatin1String("background")) {
                    ++filled;
                    highestFill = std::max(highestFill, g->layer()->index());
                }
            }
            for (int i = 0; i < p->itemCount(); ++i) {
                if (auto *r = qobject_cast<QCPItemRect *>(p->item(i))) {
                    QCOMPARE(r->brush().color().alpha(), 255);
                    QCOMPARE(r->pen().color().alpha(), 255);
                    highestFill = std::max(highestFill, r->layer()->index());
                    ++filled;
                }
            }
            QVERIFY(filled >= 1);
            QVERIFY(lowestOverlay < (1 << 30));
            QVERIFY(highestFill < lowestOverlay);
        }
        // The pool's busy and waiting areas: one graph each, and one where both lie.
        int poolAreas = 0;
        for (int i = 0; i < v.poolPlot()->graphCount(); ++i)
            poolAreas += v.poolPlot()->graph(i)->pen().style() == Qt::NoPen;
        QCOMPARE(poolAreas, 3);
    }

    void liveGrowthAndClear()
    {
        ChartsView v;
        for (double upTo : {0.01, 0.05, 0.2, 1.0})
            v.updateSession(uitest::bigBurstSession(2000, 40, upTo));
        QCOMPARE(v.timelineRows(), 2000);
        v.clear();
        QCOMPARE(v.timelineRows(), 0);
        QCOMPARE(v.lagPoints(), 0);
        v.updateSession(trace::Session{}); // an empty session is fine
        QCOMPARE(v.timelineRows(), 0);
    }

    // Every legend entry lies inside its chart, whole and apart from the others, and every
    // text label inside its axis rect, at the widths a 1024- or 1366-pixel screen leaves.
    void legendsAndLabelsFit_data()
    {
        QTest::addColumn<int>("width");
        QTest::addRow("900 px") << 900;
        QTest::addRow("560 px") << 560;
        QTest::addRow("400 px") << 400;
    }

    void legendsAndLabelsFit()
    {
        QFETCH(int, width);
        ChartsView v;
        v.resize(width, 620);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        trace::Session s = uitest::asyncSleepSession();
        v.updateSession(s, true);
        auto *tabs = v.findChild<QTabWidget *>();
        QVERIFY(tabs);
        for (int t = 0; t < tabs->count(); ++t) {
            tabs->setCurrentIndex(t);
            QCoreApplication::processEvents();
            v.updateSession(s);
            QList<QCustomPlot *> plots = tabs->widget(t)->findChildren<QCustomPlot *>();
            if (auto *own = qobject_cast<QCustomPlot *>(tabs->widget(t)))
                plots << own;
            for (QCustomPlot *p : plots) {
                p->replot(QCustomPlot::rpImmediateRefresh);
                p->replot(QCustomPlot::rpImmediateRefresh); // margins shared with a neighbour settle
                const QRect area(QPoint(0, 0), p->size());
                QList<QRect> entries;
                if (p->legend && p->legend->visible()) {
                    for (int i = 0; i < p->legend->itemCount(); ++i) {
                        QCPAbstractLegendItem *item = p->legend->item(i);
                        const QRect r = item->outerRect();
                        QVERIFY2(area.contains(r), qPrintable(QStringLiteral("%1: legend entry %2 outside the chart")
                                                                  .arg(tabs->tabText(t)).arg(i)));
                        QVERIFY2(r.width() >= item->minimumOuterSizeHint().width(),
                                 qPrintable(QStringLiteral("%1: legend entry %2 cut short").arg(tabs->tabText(t)).arg(i)));
                        for (const QRect &other : entries)
                            QVERIFY2(!other.intersects(r), qPrintable(QStringLiteral("%1: legend entries overlap").arg(tabs->tabText(t))));
                        entries << r;
                    }
                }
                const QRect inner = p->axisRect()->rect();
                for (int i = 0; i < p->itemCount(); ++i) {
                    auto *text = qobject_cast<QCPItemText *>(p->item(i));
                    if (!text || !text->visible() || text->text().isEmpty())
                        continue;
                    const QFontMetrics fm(text->font());
                    const double w = fm.horizontalAdvance(text->text()) + text->padding().left() + text->padding().right();
                    const double x = text->position->pixelPosition().x();
                    const bool right = text->positionAlignment() & Qt::AlignRight;
                    const double from = right ? x - w : x, to = right ? x : x + w;
                    QVERIFY2(from >= inner.left() - 1 && to <= inner.right() + 2,
                             qPrintable(QStringLiteral("%1: label '%2' cut off (%3..%4 in %5..%6)")
                                            .arg(tabs->tabText(t), text->text())
                                            .arg(from).arg(to).arg(inner.left()).arg(inner.right())));
                }
            }
        }
        // The stacked lag and pool charts share their time axis pixel for pixel.
        QCOMPARE(v.lagPlot()->axisRect()->left(), v.poolPlot()->axisRect()->left());
        QCOMPARE(v.lagPlot()->axisRect()->right(), v.poolPlot()->axisRect()->right());
    }

    // Frames of a growing run keep what is settled and redo the rest: every frame shows
    // exactly what drawing the run so far at once shows, and so does the last.
    void liveFramesEndAsTheWholeRun()
    {
        auto sameInflight = [](ChartsView &a, ChartsView &b) {
            QCOMPARE(a.inflightPlot()->graphCount(), b.inflightPlot()->graphCount());
            for (int g = 0; g < a.inflightPlot()->graphCount(); ++g) {
                QCPGraph *x = a.inflightPlot()->graph(g), *y = b.inflightPlot()->graph(g);
                QCOMPARE(x->dataCount(), y->dataCount());
                for (int i = 0; i < x->dataCount(); ++i) {
                    QCOMPARE(x->data()->at(i)->key, y->data()->at(i)->key);
                    QCOMPARE(x->data()->at(i)->value, y->data()->at(i)->value);
                }
            }
            QCOMPARE(a.inflightPlot()->yAxis->range(), b.inflightPlot()->yAxis->range());
            QCOMPARE(a.inflightPlot()->yAxis2->range(), b.inflightPlot()->yAxis2->range());
        };
        ChartsView live;
        // 60 frames, the bins widening as the run grows.
        for (int f = 1; f <= 60; ++f) {
            const trace::Session s = uitest::bigBurstSession(3000, 40, 0.75 * f / 60);
            live.updateSession(s);
            ChartsView whole;
            whole.updateSession(s, true);
            sameInflight(live, whole);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("frame %1 differs").arg(f)));
        }
        const trace::Session s = uitest::bigBurstSession(3000, 40);
        live.updateSession(s);
        ChartsView whole;
        whole.updateSession(s, true);
        sameInflight(live, whole);
        QCOMPARE(live.timelineRows(), whole.timelineRows());
        // The finished run shows every request's latency and ends with none in flight.
        int latencies = 0;
        for (int g = 1; g < 3; ++g)
            latencies += live.inflightPlot()->graph(g)->dataCount();
        QCOMPARE(latencies, 3000);
        QCPGraph *inflight = live.inflightPlot()->graph(0);
        QCOMPARE(inflight->data()->at(inflight->dataCount() - 1)->value, 0.0);
    }

    void exports()
    {
        ChartsView v;
        v.resize(900, 700);
        v.updateSession(uitest::asyncSleepSession());
        QTemporaryDir dir;
        const QString base = dir.path();
        for (const QString &fmt : {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
            QString err;
            const QStringList files = v.exportCharts(base, fmt, &err);
            QVERIFY2(err.isEmpty(), qPrintable(err));
            QCOMPARE(files.size(), 6);
            for (const QString &f : files) {
                QVERIFY2(QFileInfo(f).size() > 500, qPrintable(f));
                QVERIFY(f.endsWith(fmt));
            }
        }
        QImage img(base + QStringLiteral("/loop_lag.png"));
        QCOMPARE(img.width(), 1200);
        QFile svg(base + QStringLiteral("/loop_lag.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        QString err;
        QVERIFY(v.exportCharts(base, QStringLiteral("bmp"), &err).isEmpty());
        QVERIFY(!err.isEmpty());
    }
};

QTEST_MAIN(tst_ChartsView)
#include "tst_chartsview.moc"
