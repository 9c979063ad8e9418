// EventLoop: asyncio's event-loop semantics on one thread that is also a Qt thread.
//
// One *iteration* runs the callbacks that were ready when it began (callbacks scheduled
// while it runs wait for the next iteration), then the timers that are due; between
// iterations Qt dispatches its own events (socket notifiers, queued signals), so the
// QTcpServer and QTcpSockets of the HTTP server live on the same thread and are served
// only when no callback is running — exactly like asyncio's selector.
//
// Every callback is a *step*: it is timed, traced (LoopStepBegin/End) and, when it runs
// longer than slowCallbackDuration, reported as a blocked step (LoopBlocked + LoopWarning)
// with the source position a watchdog thread saw most often while it ran.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <vector>

class QEventLoop;

namespace loopscope::runtime {

class CapacityLimiter;
class LoopWatchdog;
class ThreadPoolExecutor;
class WorkerThreadPool;

// Where the loop thread was when the watchdog looked (filled by a PositionSampler).
struct StepSample {
    std::string filename;
    std::string function;
    int line = 0;
    std::string nativeCall; // e.g. "time.sleep"; empty when Python code itself runs
    // The outermost Python frame (a task's coroutine): for "coro=<f() running at x.py:3>".
    std::string outerFunction;
    std::string outerFilename;
    int outerLine = 0;

    std::string key() const; // "file:line|function|call"
};

// Called from the watchdog thread, never from the loop thread; returns false when the
// loop thread runs no Python code right now.
using PositionSampler = std::function<bool(StepSample &)>;

// A step that ran longer than slowCallbackDuration.
struct BlockedStep {
    std::uint64_t startNs = 0;
    std::uint64_t endNs = 0;
    std::int64_t request = -1;
    bool attributed = false; // `where` comes from samples
    StepSample where;
    std::string warning;     // "Executing <Task ...> took 1.002 seconds"
};

// What a step is, for traces and warnings. `label` is an interned string id
// (trace::intern) naming the step in LoopStepBegin/End; 0 = "callback". `describe`
// gives asyncio's repr of the handle or task for the slow-step warning; it receives the
// dominant sample of the step (nullptr when none was taken).
struct StepInfo {
    std::int64_t request = -1;
    std::uint64_t label = 0;
    std::function<std::string(const StepSample *)> describe;
};

// A scheduled timer; cancel() from the loop thread.
class TimerHandle {
public:
    void cancel() { m_cancelled = true; }
    bool cancelled() const { return m_cancelled; }
    double when() const { return m_when; }

private:
    friend class EventLoop;
    double m_when = 0;
    bool m_cancelled = false;
};

class EventLoop : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void()>;

    using StepInfo = runtime::StepInfo;

    explicit EventLoop(QObject *parent = nullptr);
    ~EventLoop() override;

    // Monotonic seconds (asyncio's loop.time()).
    static double time();

    // The loop running on the calling thread, or nullptr.
    static EventLoop *current();

    // --- scheduling (loop thread unless noted) ---
    void callSoon(Callback cb, StepInfo info = {});
    std::shared_ptr<TimerHandle> callLater(double delaySeconds, Callback cb, StepInfo info = {});
    std::shared_ptr<TimerHandle> callAt(double when, Callback cb, StepInfo info = {});
    // Any thread; wakes the loop. Safe to call while the loop is not running (queued).
    void callSoonThreadsafe(Callback cb, StepInfo info = {});

    // --- running (on the thread the loop object lives on) ---
    // Runs iterations until stop().
    void runForever();
    // Runs iterations until done() returns true (checked after every iteration).
    void runUntil(const std::function<bool()> &done);
    // Finishes the current iteration, then returns from runForever/runUntil. Any thread.
    void stop();
    bool isRunning() const { return m_running; }
    bool isLoopThread() const;
    // Iterations completed so far (asyncio.sleep(0) = exactly one).
    std::uint64_t iteration() const { return m_iteration.load(std::memory_order_relaxed); }

    // --- monitoring ---
    void setSlowCallbackDuration(double seconds);
    double slowCallbackDuration() const { return double(m_slowNs) / 1e9; }
    // Installs the watchdog's sampler (the loop thread's ThreadState::samplePosition).
    void setPositionSampler(PositionSampler sampler);
    // Samples per blocked step are taken every `intervalMs` (default 2).
    void setSampleInterval(int intervalMs);
    // The 10 ms lag sampler (trace::LoopLag). On by default.
    void setLagSampling(bool on);
    // Called on the loop thread for every blocked step (after its trace events).
    void setBlockedStepHandler(std::function<void(const BlockedStep &)> handler);
    // Runs on the loop thread after every iteration (e.g. drop the GIL before waiting).
    void setIterationEndHook(std::function<void()> hook) { m_iterationEndHook = std::move(hook); }
    // The request of the step running now (-1 outside steps).
    std::int64_t currentRequest() const { return m_currentRequest; }

    // --- pools owned by this loop (created on first use, on the loop thread) ---
    // AnyIO's default thread limiter (40 tokens) and its worker threads.
    CapacityLimiter &defaultLimiter();
    WorkerThreadPool &workerPool();
    // asyncio's default executor: min(32, cpuCount + 4) threads.
    ThreadPoolExecutor &defaultExecutor();
    void setCpuCount(int n) { m_cpuCount = n; }
    int cpuCount() const { return m_cpuCount; }
    // Waits for the default executor's jobs and joins its threads (asyncio.run does this).
    void shutdownDefaultExecutor();
    // Stops worker threads and executors (joins them). Call before destroying the loop.
    void shutdownPools();

protected:
    bool event(QEvent *e) override;

private:
    struct Handle {
        Callback cb;
        StepInfo info;
        std::shared_ptr<TimerHandle> timer; // set for timer callbacks (cancellable)
        bool internal = false;              // the lag sampler: no step events
    };
    struct TimerEntry {
        double when;
        std::uint64_t seq;
        std::shared_ptr<Handle> handle;
        bool operator>(const TimerEntry &o) const
        {
            return when > o.when || (when == o.when && seq > o.seq);
        }
    };

    void postIteration();
    void iterate();
    void scheduleNext();
    void runStep(Handle &h);
    void reportBlocked(Handle &h, std::uint64_t start, std::uint64_t end, std::uint64_t seq,
                       bool sampled);
    void scheduleLagSample();

    std::deque<std::shared_ptr<Handle>> m_ready;
    std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> m_timers;
    std::uint64_t m_timerSeq = 0;

    std::mutex m_threadsafeMutex;
    std::vector<std::shared_ptr<Handle>> m_threadsafe;
    std::atomic<bool> m_iterationPosted{false};

    QTimer m_wakeTimer;
    QTimer m_soonTimer; // zero-interval: the next iteration, asked for from the loop thread
    QEventLoop *m_qloop = nullptr;
    bool m_running = false;
    bool m_inIteration = false;
    std::atomic<bool> m_stopping{false};
    std::atomic<std::uint64_t> m_iteration{0};
    const std::function<bool()> *m_done = nullptr;

    std::uint64_t m_slowNs = 100'000'000;
    std::unique_ptr<LoopWatchdog> m_watchdog;
    std::uint64_t m_watchdogGeneration = 0; // bumped whenever m_watchdog is replaced
    int m_sampleIntervalMs = 2;
    bool m_lagSampling = true;
    bool m_lagScheduled = false;
    std::function<void(const BlockedStep &)> m_blockedHandler;
    std::function<void()> m_iterationEndHook;
    std::int64_t m_currentRequest = -1;
    std::uint64_t m_callbackLabel = 0;

    int m_cpuCount = 0;
    std::unique_ptr<CapacityLimiter> m_limiter;
    std::unique_ptr<WorkerThreadPool> m_workerPool;
    std::unique_ptr<ThreadPoolExecutor> m_defaultExecutor;
};

} // namespace loopscope::runtime
