// Time until the window is up: from main() to the main window shown and painted with
// lesson 1 in the editor. Budget: under 1 s.
#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
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
    return 0;
}
