// The whole flow with the engine built in: load a lesson, the engine runs it and lists
// its endpoints, the static check marks the blocking line, its burst runs, the charts,
// console and diagnosis fill, every export file exists, an edit is hot-reloaded and the
// next run overlays the previous one; broken code runs nothing and is marked at its line.
#include "burstpanel.h"
#include "chartsview.h"
#include "consoleview.h"
#include "diagnosisview.h"
#include "endpointlist.h"
#include "enginecontroller.h"
#include "mainwindow.h"
#include "sessionfile.h"
#include "sessionjson.h"
#include "settingspanel.h"

#include "samplesession.h"

#include <QAction>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QPushButton>
#include <QtTest>

using namespace loopscope;
using namespace loopscope::ui;

class tst_AppFlow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    MainWindow::Options options() const
    {
        MainWindow::Options o;
        o.askAboutRecovery = false;
        o.recoveryDir = m_tmp.filePath(QStringLiteral("recovery"));
        return o;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_appflow"));
        QSettings().clear();
    }

    void wholeFlowOfLessonOne()
    {
        if (!EngineController::engineAvailable())
            QSKIP("this build has no engine");
        MainWindow w(options());
        w.resize(1280, 800);
        w.show();
        QVERIFY(w.openLesson(QStringLiteral("async-time-sleep")));
        QTRY_COMPARE_WITH_TIMEOUT(w.engine()->state(), EngineController::State::Running, 20000);
        QVERIFY(w.engine()->port() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(w.endpointList()->endpoints().size(), 1, 5000);
        QVERIFY(w.endpointList()->endpoints().first().isAsync);
        // The static check: time.sleep inside async def, on the time.sleep line.
        QTRY_VERIFY_WITH_TIMEOUT(w.editor()->hasMarker(14, CodeEditor::WarningMarker), 5000);
        QVERIFY(w.burstPanel()->runButton()->isEnabled());

        QSignalSpy finished(w.engine(), &EngineController::burstFinished);
        QString why;
        QVERIFY2(w.runBurst(&why), qPrintable(why));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(w.charts()->timelineRows(), 2);
        QVERIFY(w.charts()->blockedSpansShown() >= 1);
        // The loop is blocked for nearly the whole burst: the 10 ms sampler gets in only
        // between the blocks, at least once after each of them.
        QVERIFY(w.charts()->lagPoints() >= 2);
        QVERIFY(w.console()->toPlainText().contains(QStringLiteral("Hello 0")));
        QVERIFY(w.console()->toPlainText().contains(QStringLiteral("bye 1")));
        {
            // In the order it happened: a request's access line after its prints, before
            // the next request's (the prints come through the trace, 30 ms behind the log).
            const QString text = w.console()->toPlainText();
            const qsizetype bye0 = text.indexOf(QStringLiteral("bye 0"));
            const qsizetype access0 = text.indexOf(QStringLiteral("GET /ping?i=0"));
            const qsizetype hello1 = text.indexOf(QStringLiteral("Hello 1"));
            const qsizetype bye1 = text.indexOf(QStringLiteral("bye 1"));
            const qsizetype access1 = text.indexOf(QStringLiteral("GET /ping?i=1"));
            QVERIFY2(bye0 >= 0 && access0 > bye0 && hello1 > access0 && access1 > bye1, qPrintable(text));
        }
        const trace::Session *s = w.engine()->session();
        // The editor marks the line the engine blamed for blocking the loop.
        bool attributed = false;
        for (const trace::BlockedSpan &b : s->loop.blocked)
            attributed = attributed || b.line() == 14;
        // The diagnosis and the editor's marks follow the charts a frame later.
        if (attributed)
            QTRY_VERIFY_WITH_TIMEOUT(w.editor()->hasMarker(14, CodeEditor::BlockingMarker), 2000);
        else
            qWarning("the engine's blocked spans name no source line yet");
        QTRY_VERIFY_WITH_TIMEOUT(!w.diagnosis()->findings().isEmpty(), 2000);
        QVERIFY(s);
        // async def + time.sleep(1): about 1 s and about 2 s.
        std::vector<double> done;
        for (const trace::RequestTimeline &r : s->requests)
            done.push_back(r.done());
        std::sort(done.begin(), done.end());
        QCOMPARE(done.size(), size_t(2));
        // The loop ran the two handlers one after the other: the last response comes after
        // ~2 s (the exact per-request times are the conformance tests' business).
        QVERIFY2(done[0] > 0.9, qPrintable(QString::number(done[0])));
        QVERIFY2(done[1] > 1.85 && done[1] < 4.0, qPrintable(QString::number(done[1])));

        QString err;
        const QString out = m_tmp.filePath(QStringLiteral("flow"));
        const QStringList files = w.exportAll(out, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        for (const QString &name : {QStringLiteral("loop_lag.png"), QStringLiteral("loop_lag.svg"),
                                    QStringLiteral("loop_lag.pdf"), QStringLiteral("01_async_time_sleep.csv"),
                                    QStringLiteral("01_async_time_sleep.json"),
                                    QStringLiteral("01_async_time_sleep.perfetto.json"),
                                    QStringLiteral("01_async_time_sleep.loopscope")})
            QVERIFY2(QFileInfo(QDir(out).filePath(name)).size() > 100, qPrintable(name));

        // Hot reload: the same endpoint as `def`, applied to the running engine; the next
        // run overlays the previous one.
        const quint16 port = w.engine()->port();
        QString code = w.editor()->text();
        code.replace(QStringLiteral("async def ping"), QStringLiteral("def ping"));
        w.editor()->setText(code);
        QSignalSpy loaded(w.engine(), &EngineController::loaded);
        w.applyCode();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QVERIFY(!w.endpointList()->endpoints().first().isAsync);
        QCOMPARE(w.engine()->port(), port);
        QVERIFY2(w.runBurst(&why), qPrintable(why));
        QVERIFY(w.charts()->hasComparison());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QCOMPARE(w.charts()->blockedSpansShown(), 0);
        // The second finished run takes the first one's place whole: one row per request.
        QVERIFY(w.engine()->session());
        QCOMPARE(w.engine()->session()->requests.size(), size_t(2));
        QCOMPARE(w.charts()->timelineRows(), 2);
        // Its findings, worked out off the GUI thread, replace the first run's: nothing
        // blocked the loop any more.
        if (attributed)
            QTRY_VERIFY_WITH_TIMEOUT(!w.editor()->hasMarker(14, CodeEditor::BlockingMarker), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!w.diagnosis()->findings().isEmpty(), 5000);
    }

    void brokenCodeRunsNothing()
    {
        if (!EngineController::engineAvailable())
            QSKIP("this build has no engine");
        MainWindow::Options o = options();
        o.applyOnOpen = false;
        MainWindow w(o);
        w.show();
        const QString path = m_tmp.filePath(QStringLiteral("broken.py"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get(\"/x\")\nasync def x(:\n    return 1\n");
        }
        QString err;
        QVERIFY(w.openFile(path, &err));
        QSignalSpy failed(w.engine(), &EngineController::loadFailed);
        w.applyCode();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(w.editor()->hasMarker(6, CodeEditor::ErrorMarker));
        QVERIFY(!w.editor()->annotationAt(6).isEmpty());
        QVERIFY(w.engine()->state() != EngineController::State::Running);
        QVERIFY(!w.burstPanel()->runButton()->isEnabled());
        QVERIFY(!w.runBurst(&err));
        // Nothing was lost: the broken text is still in the editor.
        QVERIFY(w.editor()->text().contains(QStringLiteral("async def x(:")));
    }
};

QTEST_MAIN(tst_AppFlow)
#include "tst_appflow.moc"
