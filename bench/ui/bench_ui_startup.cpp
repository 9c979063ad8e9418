// Time until the window is up: from main() to the main window shown and painted with
// lesson 1 in the editor. Budget: under 1 s.
#include "chartsview.h"
#include "mainwindow.h"
#include "sessionfile.h"
#include "sessionjson.h"

#include "samplesession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace loopscope::ui;

int main(int argc, char **argv)
{
    QElapsedTimer t;
    t.start();
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeBench"));
    MainWindow::Options o;
    o.askAboutRecovery = false;
    o.applyOnOpen = false;
    MainWindow w(o);
    w.resize(1280, 800);
    w.openLesson(w.lessons().lessons().value(0).id);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w))
        return 1;
    QCoreApplication::processEvents();
    const double ms = double(t.nsecsElapsed()) / 1e6;
    std::printf("bench_ui_startup: window up in %.1f ms (budget < 1000 ms: %s)\n", ms, ms < 1000 ? "met" : "MISSED");

    // --screenshot PATH: lesson 1 with a finished run of its burst, as a picture;
    // --size WxH first resizes the window (narrow screens: 1024x700, 1366x768).
    const QStringList args = QCoreApplication::arguments();
    if (const qsizetype s = args.indexOf(QStringLiteral("--size")); s > 0 && s + 1 < args.size()) {
        const QStringList wh = args.at(s + 1).split(QLatin1Char('x'));
        if (wh.size() == 2)
            w.resize(wh.at(0).toInt(), wh.at(1).toInt());
    }
    const qsizetype at = args.indexOf(QStringLiteral("--screenshot"));
    if (at > 0 && at + 1 < args.size()) {
        QTemporaryDir dir;
        const Lesson first = w.lessons().lessons().value(0);
        SessionFile sf;
        sf.fileName = first.fileName;
        sf.code = first.source;
        sf.burst = first.burst;
        sf.results.insert(QStringLiteral("model"), SessionJson::toJson(loopscope::uitest::asyncSleepSession()));
        const QString path = dir.filePath(QStringLiteral("lesson1.loopscope"));
        QString err;
        if (!sf.save(path, &err) || !w.openSession(path, &err)) {
            std::fprintf(stderr, "bench_ui_startup: %s\n", qPrintable(err));
            return 1;
        }
        QTest::qWait(300);
        if (!w.grab().save(args.at(at + 1)))
            return 1;
        // Each chart tab too: <name>-tab<N>.png beside it.
        if (auto *tabs = w.charts()->findChild<QTabWidget *>()) {
            QString base = args.at(at + 1);
            base.chop(4);
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(100);
                w.charts()->grab().save(QStringLiteral("%1-tab%2.png").arg(base).arg(i));
            }
        }
    }
    return 0;
}
