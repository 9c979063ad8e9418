// ConsoleView: a few lines show at once; a flood (a 40,000-request burst's access log) is
// shown a budget's worth per frame, never all in one go, keeps only the last lines and
// says how many it skipped.
#include "consoleview.h"

#include <QtTest>

using namespace loopscope::ui;

class tst_ConsoleView : public QObject {
    Q_OBJECT
private slots:
    void fewLinesShowAtOnce()
    {
        ConsoleView c;
        c.append({{ConsoleLine::Kind::Print, 0.5, 0, QStringLiteral("loop"), QStringLiteral("Hello 0")},
                  {ConsoleLine::Kind::Log, -1, -1, {}, QStringLiteral("INFO: GET /ping 200")}});
        QCOMPARE(c.lineCount(), 2);
        QCOMPARE(c.pendingCount(), 0);
        QVERIFY(c.toPlainText().contains(QStringLiteral("[req   0] Hello 0")));
        QVERIFY(c.toPlainText().contains(QStringLiteral("[log]     INFO: GET /ping 200")));
    }

    void floodIsSpreadOverFrames()
    {
        ConsoleView c;
        c.setBudget(2.0);
        QList<ConsoleLine> flood;
        const int n = ConsoleView::kMaxLines + 10000;
        for (int i = 0; i < n; ++i)
            flood.append({ConsoleLine::Kind::Log, -1, -1, {}, QStringLiteral("access line %1").arg(i)});
        c.append(flood);
        // One call shows a part; what the console could not keep is not even queued.
        QVERIFY(c.lineCount() < n);
        QVERIFY(c.pendingCount() > 0);
        QVERIFY(c.pendingCount() <= ConsoleView::kMaxLines);
        QTRY_COMPARE_WITH_TIMEOUT(c.pendingCount(), 0, 60000);
        QVERIFY(c.document()->blockCount() <= ConsoleView::kMaxLines + ConsoleView::kTrimChunk + 1);
        const QString text = c.toPlainText();
        QVERIFY(text.contains(QStringLiteral("10000 line(s) skipped")));
        QVERIFY(text.endsWith(QStringLiteral("access line %1").arg(n - 1)));
        QVERIFY(!text.contains(QStringLiteral("access line 9999\n")));
    }

    void batchesInOneFrameWaitForTheNext()
    {
        // The access log comes a batch per event-loop pass: after one batch is laid out,
        // the next ones in the same frame wait for the drain's tick, even when the frame's
        // budget is spent many times over.
        ConsoleView c;
        c.setBudget(0.5);
        QList<ConsoleLine> batch;
        for (int i = 0; i < 2000; ++i)
            batch.append({ConsoleLine::Kind::Log, -1, -1, {}, QStringLiteral("access line %1").arg(i)});
        c.append(batch);
        const int shown = c.lineCount();
        QVERIFY(shown > 0);
        c.append(batch);
        c.append(batch);
        QCOMPARE(c.lineCount(), shown);
        QCOMPARE(c.pendingCount(), 3 * 2000 - shown);
        QTRY_COMPARE_WITH_TIMEOUT(c.pendingCount(), 0, 60000);
        QCOMPARE(c.lineCount(), 3 * 2000);
    }

    void flushShowsEverything()
    {
        ConsoleView c;
        QList<ConsoleLine> lines;
        for (int i = 0; i < 5000; ++i)
            lines.append({ConsoleLine::Kind::Print, 0.001 * i, i % 7, QStringLiteral("loop"), QStringLiteral("line %1").arg(i)});
        c.append(lines);
        c.flush();
        QCOMPARE(c.pendingCount(), 0);
        QCOMPARE(c.lineCount(), 5000);
    }
};

QTEST_MAIN(tst_ConsoleView)
#include "tst_consoleview.moc"
