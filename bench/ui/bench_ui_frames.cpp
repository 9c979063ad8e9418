// GUI frame time while a 10,000-request burst runs: every tick of the 16 ms live timer
// (drain the trace, update the charts and the console, queue one replot) is timed, and
// the paints it causes are included in the next tick's wait. Prints p50/p99/max; the
// budget is p99 <= 16 ms. With the engine built in, the burst is real; without it, the
// same session shapes are fed as they would grow.
#include "burstpanel.h"
#include "chartsview.h"
#include "enginecontroller.h"
#include "mainwindow.h"

#include "samplesession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTest>

#include <cstdio>
#include <ctime>

using namespace loopscope;
using namespace loopscope::ui;

namespace {

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

const char *kEndpoint = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                        "@app.get(\"/fast\")\nasync def fast(i: int = 0):\n    return {\"i\": i}\n";

void report(const char *what, const FrameStats &f, double wall, double budgetMs = 16.0)
{
    std::printf("bench_ui_frames (%s): %d frames in %.2f s, p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                "(budget p99 <= %.0f ms: %s)\n",
                what, f.count(), wall, f.quantile(0.5), f.quantile(0.99), f.max(), budgetMs,
                f.quantile(0.99) <= budgetMs ? "met" : "MISSED");
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeBench"));
    QSettings().clear();
    const int requests = qEnvironmentVariableIsSet("LOOPSCOPE_BENCH_REQUESTS")
                             ? qEnvironmentVariableIntValue("LOOPSCOPE_BENCH_REQUESTS")
                             : 10000;

    MainWindow::Options o;
    o.askAboutRecovery = false;
    MainWindow w(o);
    w.resize(1280, 800);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w))
        return 1;

    if (EngineController::engineAvailable()) {
        w.editor()->setText(QString::fromLatin1(kEndpoint));
        w.applyCode();
        QElapsedTimer wait;
        wait.start();
        while (w.engine()->state() != EngineController::State::Running && wait.elapsed() < 20000)
            QTest::qWait(20);
        if (w.engine()->state() != EngineController::State::Running) {
            std::fprintf(stderr, "bench_ui_frames: the engine did not start\n");
            return 1;
        }
        BurstSpec spec;
        spec.path = QStringLiteral("/fast?i={i}");
        spec.requests = requests;
        spec.connections = 50;
        w.burstPanel()->setSpec(spec);
        QSignalSpy done(w.engine(), &EngineController::burstFinished);
        QElapsedTimer t;
        t.start();
        QString why;
        if (!w.runBurst(&why)) {
            std::fprintf(stderr, "bench_ui_frames: %s\n", qPrintable(why));
            return 1;
        }
        while (done.isEmpty() && t.elapsed() < 240000)
            QTest::qWait(5);
        report("live burst, drain + update per frame", w.frameStats(), double(t.elapsed()) / 1000.0);
        // A 16 ms timer cannot tick faster than 16 ms: more than 33 ms means a dropped frame.
        report("live burst, time between frames (paint included; 16 ms = idle)", w.frameIntervals(),
               double(t.elapsed()) / 1000.0, 33.0);
        return done.isEmpty() ? 1 : 0;
    }

    // No engine: grow the session of a 10,000-request burst over ~3 s of frames.
    FrameStats frames, cpu, updateOnly;
    QElapsedTimer t;
    t.start();
    const double total = 0.01 * (requests / 40) + 0.02;
    const int steps = 180;
    for (int i = 1; i <= steps; ++i) {
        const trace::Session s = uitest::bigBurstSession(requests, 40, total * i / steps);
        // One frame: the update, then the queued replots and the paints they cause.
        frames.begin();
        const double c0 = threadCpuMs();
        w.charts()->updateSession(s);
        updateOnly.add(threadCpuMs() - c0);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        cpu.add(threadCpuMs() - c0);
        frames.end();
        QTest::qWait(16);
    }
    report("simulated burst, update + replot + paint per frame", frames, double(t.elapsed()) / 1000.0);
    report("simulated burst, GUI-thread CPU per frame", cpu, double(t.elapsed()) / 1000.0);
    report("simulated burst, GUI-thread CPU of the chart update alone", updateOnly, double(t.elapsed()) / 1000.0);
    return 0;
}
