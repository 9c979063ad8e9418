// ChartsView: a session fills every chart (lag with blocked spans, pool, in flight,
// timeline rows, response order), clicking a blocked span names its line, a previous
// run overlays, and the charts export as PNG, SVG and PDF.
#include "chartsview.h"

#include "samplesession.h"

#include <qcustomplot.h>

#include <QSignalSpy>
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
