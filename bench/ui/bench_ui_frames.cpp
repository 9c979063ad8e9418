// GUI frame time while a 10,000-request burst runs (LOOPSCOPE_BENCH_REQUESTS to change
// it). A frame is everything the GUI thread does from one tick of the 16 ms live timer to
// the next: the drain and chart update, the replots they queue, the paints, the console's
// log lines, any other event (and when the timer ticks slower than every 16 ms, each 16 ms
// of it). Every event the GUI thread handles is timed (wall clock and thread CPU) and
// charged to the frame it falls in. One burst runs per chart tab, with that
// tab on screen, so that every chart is drawn live; the frames in the 60 ms after each
// burst (the finished run taking the live one's place, its diagnosis) count too. Prints p50/p99/max; the budget is
// p99 <= 16 ms, and the time between ticks shows any stall. With the engine built in the
// bursts are real; without it, the same session shapes are fed as they would grow.
// LOOPSCOPE_BENCH_SHOTS=DIR saves every chart tab of the last run as DIR/tab<N>.png.
#include "burstpanel.h"
#include "chartsview.h"
#include "enginecontroller.h"
#include "mainwindow.h"

#include "samplesession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QMetaEnum>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

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

// Times every event the GUI thread handles and charges it to the current frame; a frame
// ends when MainWindow::frame() runs again (its frame counter moves).
class FrameClock : public QApplication {
public:
    using QApplication::QApplication;

    void watch(const MainWindow *w, const QTabWidget *tabs)
    {
        m_window = w;
        m_tabs = tabs;
        m_seen = w->frameStats().count();
        m_open = false;
        m_lastTickNs = -1;
    }
    void stop()
    {
        close();
        m_window = nullptr;
    }

    FrameStats wall, cpu;
    FrameStats ticks;     // MainWindow::frame() alone (drain + chart update)
    FrameStats intervals; // from one tick to the next
    std::map<QString, FrameStats> byTab; // wall time per frame, by the chart tab on screen
    struct Slow {
        double wall = 0, cpu = 0;
        int events = 0;
        std::string detail; // the events of the frame that took over a millisecond
    };
    std::vector<Slow> slowest; // the slowest frames (LOOPSCOPE_BENCH_SLOWEST, default 3)
    std::size_t keepSlowest = 3;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_window || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        const char *type = QMetaEnum::fromType<QEvent::Type>().valueToKey(int(event->type()));
        std::string what = receiver->metaObject()->className();
        if (!receiver->objectName().isEmpty()) {
            what += '(';
            what += receiver->objectName().toStdString();
            what += ')';
        }
        what += ' ';
        what += type ? type : "?";
        if (m_depth > 0) {
            // An event inside another one (a widget's paint inside the window's update):
            // listed under it in the slow frames' details, counted once.
            QElapsedTimer t;
            t.start();
            ++m_depth;
            const bool result = QApplication::notify(receiver, event);
            --m_depth;
            const double ms = double(t.nsecsElapsed()) / 1e6;
            if (ms > 1.0 && m_depth == 1) {
                char buf[64];
                std::snprintf(buf, sizeof buf, " %.1f ms; ", ms);
                m_nested += "> " + what + buf;
            }
            return result;
        }
        m_nested.clear();
        if (!m_clock.isValid())
            m_clock.start();
        const qint64 startNs = m_clock.nsecsElapsed();
        // A frame lasts one 16 ms display refresh: when the timer ticks slower (after a
        // burst), the work of each 16 ms counts as a frame of its own.
        if (m_open && startNs - m_frameStartNs >= 16'000'000) {
            close();
            m_frameStartNs = startNs;
        }
        QElapsedTimer t;
        t.start();
        const double c0 = threadCpuMs();
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        const double ms = double(t.nsecsElapsed()) / 1e6;
        const double cpuMs = threadCpuMs() - c0;
        if (m_window && m_window->frameStats().count() != m_seen) {
            // This event was a tick: it starts a new frame.
            m_seen = m_window->frameStats().count();
            close();
            m_frameStartNs = startNs;
            ticks.add(ms);
            if (m_lastTickNs >= 0)
                intervals.add(double(startNs - m_lastTickNs) / 1e6);
            m_lastTickNs = startNs;
        }
        m_frame.wall += ms;
        m_frame.cpu += cpuMs;
        ++m_frame.events;
        if (ms > 1.0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " %.1f/%.1f ms; ", ms, cpuMs);
            m_frame.detail += what + buf + m_nested;
        }
        return result;
    }

    void close()
    {
        if (m_open) {
            wall.add(m_frame.wall);
            cpu.add(m_frame.cpu);
            byTab[m_tab].add(m_frame.wall);
            slowest.push_back(m_frame);
            std::sort(slowest.begin(), slowest.end(), [](const Slow &a, const Slow &b) { return a.wall > b.wall; });
            if (slowest.size() > keepSlowest)
                slowest.pop_back();
        }
        m_open = true;
        m_tab = m_tabs ? m_tabs->tabText(m_tabs->currentIndex()).replace(QStringLiteral("&&"), QStringLiteral("&")) : QString();
        m_frame = {};
    }

private:
    const MainWindow *m_window = nullptr;
    const QTabWidget *m_tabs = nullptr;
    QString m_tab;
    int m_seen = 0;
    int m_depth = 0;
    std::string m_nested; // the inner events of the current one that took over a millisecond
    bool m_open = false;
    Slow m_frame;
    QElapsedTimer m_clock;
    qint64 m_lastTickNs = -1;
    qint64 m_frameStartNs = 0;
};

} // namespace

int main(int argc, char **argv)
{
    FrameClock app(argc, argv);
    if (qEnvironmentVariableIsSet("LOOPSCOPE_BENCH_SLOWEST"))
        app.keepSlowest = std::size_t(std::max(1, qEnvironmentVariableIntValue("LOOPSCOPE_BENCH_SLOWEST")));
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
        auto *tabs = w.charts()->findChild<QTabWidget *>();
        // One burst per chart tab, watched on screen from start to finish (and the frames
        // after it, when the finished run replaces the live one): every chart is drawn live.
        // From the second burst on, the previous run is overlaid as the app does by default.
        const int bursts = tabs ? tabs->count() : 1;
        double burstSeconds = 0, wall = 0;
        for (int b = 0; b < bursts; ++b) {
            if (tabs)
                tabs->setCurrentIndex(b);
            QTest::qWait(300);
            QElapsedTimer t;
            t.start();
            QString why;
            if (!w.runBurst(&why)) {
                std::fprintf(stderr, "bench_ui_frames: %s\n", qPrintable(why));
                return 1;
            }
            app.watch(&w, tabs);
            // The app's own event loop (QTest::qWait would sleep between its passes).
            QEventLoop loop;
            QObject::connect(w.engine(), &EngineController::burstFinished, &loop, &QEventLoop::quit);
            QTimer::singleShot(240000, &loop, &QEventLoop::quit);
            loop.exec();
            if (w.engine()->burstRunning()) {
                std::fprintf(stderr, "bench_ui_frames: the burst did not finish\n");
                return 1;
            }
            burstSeconds += double(t.elapsed()) / 1000.0;
            std::printf("bench_ui_frames: burst %d (%s tab): %.2f s\n", b + 1,
                        tabs ? qPrintable(tabs->tabText(b).replace(QStringLiteral("&&"), QStringLiteral("&"))) : "-",
                        double(t.elapsed()) / 1000.0);
            QTimer::singleShot(60, &loop, &QEventLoop::quit);
            loop.exec();
            app.stop();
            wall += double(t.elapsed()) / 1000.0;
        }
        std::printf("bench_ui_frames: %d bursts of %d requests, %.2f s of bursts\n", bursts, requests, burstSeconds);
        report("GUI thread per frame: drain, charts, replots, paints, console", app.wall, wall);
        report("GUI thread CPU per frame", app.cpu, wall);
        report("of which MainWindow::frame() (drain + chart update)", app.ticks, wall);
        // A 16 ms timer cannot tick faster than 16 ms: more than 33 ms means a dropped frame.
        report("time between ticks (16 ms = on time)", app.intervals, wall, 33.0);
        for (const auto &[tab, f] : app.byTab)
            std::printf("bench_ui_frames:   with the %s tab on screen: %d frames, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                        qPrintable(tab.isEmpty() ? QStringLiteral("(none)") : tab), f.count(), f.quantile(0.5),
                        f.quantile(0.99), f.max());
        for (const FrameClock::Slow &f : app.slowest)
            std::printf("bench_ui_frames:   slow frame: %.1f ms (CPU %.1f ms), %d events, over 1 ms (wall/CPU): %s\n", f.wall,
                        f.cpu, f.events, f.detail.c_str());
        if (const QString shots = qEnvironmentVariable("LOOPSCOPE_BENCH_SHOTS"); !shots.isEmpty() && tabs) {
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QTest::qWait(200);
                w.charts()->grab().save(QStringLiteral("%1/tab%2.png").arg(shots).arg(i));
            }
        }
        return 0;
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
