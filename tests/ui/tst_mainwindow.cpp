// MainWindow: the default layout on 1280×800, lesson 1 opened by default, shortcuts,
// autosave recovery, sessions that reopen a run (charts, console, diagnosis, blocking
// line in the editor), exports. The flow with the engine is in tst_appflow.
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

class tst_MainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    MainWindow::Options options() const
    {
        MainWindow::Options o;
        o.askAboutRecovery = false;
        o.recoveryDir = m_tmp.filePath(QStringLiteral("recovery"));
        o.applyOnOpen = false; // the widgets alone; tst_appflow drives the engine
        return o;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
    }

    // A 1024×700 or 1366×768 screen: the window opens no bigger than the screen, and its
    // docks and panes can shrink to that (the status bar stays on screen).
    void fitsSmallScreens_data()
    {
        QTest::addColumn<QSize>("screen");
        QTest::addRow("1024x700") << QSize(1024, 700);
        QTest::addRow("1366x768") << QSize(1366, 768);
        QTest::addRow("1920x1080") << QSize(1920, 1080);
    }

    void fitsSmallScreens()
    {
        QFETCH(QSize, screen);
        const QSize size = MainWindow::defaultSize(screen);
        QVERIFY(size.width() <= screen.width() && size.height() <= screen.height());
        QVERIFY(size.width() <= 1280 && size.height() <= 800);
        MainWindow w(options());
        QVERIFY2(w.minimumSizeHint().height() <= 700,
                 qPrintable(QStringLiteral("needs %1 px of height").arg(w.minimumSizeHint().height())));
        QVERIFY2(w.minimumSizeHint().width() <= 1024,
                 qPrintable(QStringLiteral("needs %1 px of width").arg(w.minimumSizeHint().width())));
    }

    void defaultLayoutAndLessonOne()
    {
        MainWindow w(options());
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.lessons().lessons().size() >= 8);
        QVERIFY(w.openLesson(w.lessons().lessons().first().id));
        QVERIFY(w.editor()->text().contains(QStringLiteral("time.sleep(1)")));
        QCOMPARE(w.burstPanel()->spec().requests, 2);
        QVERIFY(w.windowTitle().contains(QStringLiteral("01_async_time_sleep.py")));
        // Everything fits on a 1280×800 screen: editor, charts and the panels are visible.
        QVERIFY(w.editor()->isVisible());
        QVERIFY(w.editor()->width() >= 300);
        QVERIFY(w.charts()->isVisible());
        QVERIFY(w.charts()->width() >= 400);
        QVERIFY(w.burstPanel()->isVisible());
        QVERIFY(w.console()->isVisible());
        QVERIFY(w.diagnosis()->isVisible());
        QVERIFY(w.findChildren<QDockWidget *>().size() >= 4);
        if (!EngineController::engineAvailable())
            QVERIFY(!w.burstPanel()->runButton()->isEnabled());
    }

    void shortcuts()
    {
        MainWindow w(options());
        QStringList keys;
        for (QAction *a : w.findChildren<QAction *>())
            for (const QKeySequence &k : a->shortcuts())
                keys << k.toString();
        for (const QString &k : {QStringLiteral("Ctrl+S"), QStringLiteral("F5"), QStringLiteral("Shift+F5"),
                                 QStringLiteral("Ctrl+F"), QStringLiteral("Ctrl+H"), QStringLiteral("Ctrl+O"),
                                 QStringLiteral("Ctrl+Z")})
            QVERIFY2(keys.contains(k), qPrintable(k));
    }

    void openSaveAndRecovery()
    {
        const QString path = m_tmp.filePath(QStringLiteral("app.py"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("from fastapi import FastAPI\n\napp = FastAPI()\n");
        }
        {
            MainWindow w(options());
            QString err;
            QVERIFY2(w.openFile(path, &err), qPrintable(err));
            QCOMPARE(w.currentFilePath(), QFileInfo(path).absoluteFilePath());
            w.editor()->append(QStringLiteral("# edited\n"));
            QVERIFY(w.editor()->isModified());
            // Autosave writes the recovery file (2 s after the last keystroke).
            QTRY_VERIFY_WITH_TIMEOUT(w.recovery().hasRecovery(), 5000);
            // A crash: the window goes away without a clean close.
        }
        {
            MainWindow w(options());
            w.checkRecovery();
            QVERIFY(w.editor()->text().contains(QStringLiteral("# edited")));
            QVERIFY(w.editor()->isModified());
            QCOMPARE(w.currentFilePath(), QFileInfo(path).absoluteFilePath());
            QString err;
            QVERIFY(w.saveFile(path, &err));
            QVERIFY(!w.recovery().hasRecovery());
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(f.readAll().contains("# edited"));
            QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(QFileInfo(path).absoluteFilePath()));
        }
        MainWindow w(options());
        QString err;
        QVERIFY(!w.openFile(m_tmp.filePath(QStringLiteral("missing.py")), &err));
        QVERIFY(!err.isEmpty());
    }

    void settingsRemembered()
    {
        {
            MainWindow w(options());
            EngineConfig c = w.settingsPanel()->config();
            c.threads = 5;
            c.limiterLifo = true;
            w.settingsPanel()->setConfig(c);
            w.close(); // a clean close saves
        }
        MainWindow w(options());
        QCOMPARE(w.settingsPanel()->config().threads, 5);
        QVERIFY(w.settingsPanel()->config().limiterLifo);
        EngineConfig c;
        w.settingsPanel()->setConfig(c);
        w.close();
    }

    void sessionReopensARun()
    {
        const QString path = m_tmp.filePath(QStringLiteral("lesson1.loopscope"));
        {
            LessonLibrary lib;
            QVERIFY(lib.load());
            SessionFile sf;
            sf.fileName = lib.lessons().first().fileName;
            sf.code = lib.lessons().first().source;
            sf.burst = lib.lessons().first().burst;
            sf.results.insert(QStringLiteral("model"), SessionJson::toJson(uitest::asyncSleepSession()));
            QString err;
            QVERIFY2(sf.save(path, &err), qPrintable(err));
        }
        MainWindow w(options());
        w.resize(1280, 800);
        w.show();
        QString err;
        QVERIFY2(w.openSession(path, &err), qPrintable(err));
        QVERIFY(w.editor()->text().contains(QStringLiteral("time.sleep(1)")));
        QCOMPARE(w.charts()->timelineRows(), 2);
        QCOMPARE(w.charts()->blockedSpansShown(), 2);
        QVERIFY(w.console()->lineCount() >= 4);
        QVERIFY(w.console()->toPlainText().contains(QStringLiteral("Hello 0")));
        QVERIFY(w.console()->toPlainText().contains(QStringLiteral("took 1.000 seconds")));
        QVERIFY(!w.diagnosis()->findings().isEmpty());
        QVERIFY(w.editor()->hasMarker(14, CodeEditor::BlockingMarker));

        // Everything exports; the session written reopens the same run.
        const QString out = m_tmp.filePath(QStringLiteral("export"));
        const QStringList files = w.exportAll(out, &err);
        for (const QString &ext : {QStringLiteral("/loop_lag.png"), QStringLiteral("/request_timeline.svg"),
                                   QStringLiteral("/pool.pdf"), QStringLiteral("/in_flight.png"), QStringLiteral(".csv"),
                                   QStringLiteral(".json"), QStringLiteral(".perfetto.json"), QStringLiteral(".loopscope")}) {
            const auto it = std::find_if(files.begin(), files.end(), [&](const QString &f) { return f.endsWith(ext); });
            QVERIFY2(it != files.end(), qPrintable(ext));
            QVERIFY2(QFileInfo(*it).size() > 50, qPrintable(*it));
        }
        QFile csv(out + QStringLiteral("/01_async_time_sleep.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 3); // header + 2 requests
        QFile json(out + QStringLiteral("/01_async_time_sleep.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject results = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(results.value(QStringLiteral("requests")).toArray().size(), 2);
        QCOMPARE(results.value(QStringLiteral("loop")).toObject().value(QStringLiteral("blocked")).toArray().size(), 2);
        QVERIFY(results.value(QStringLiteral("summary")).toObject().value(QStringLiteral("wall")).toDouble() > 1.9);

        MainWindow again(options());
        QVERIFY(again.openSession(out + QStringLiteral("/01_async_time_sleep.loopscope"), &err));
        QCOMPARE(again.charts()->timelineRows(), 2);
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
