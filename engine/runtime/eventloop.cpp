// The event loop: iterations driven by one posted Qt event at a time, timers by one
// precise QTimer armed for the earliest deadline.
#include "eventloop.h"

#include "capacitylimiter.h"
#include "loopwatchdog.h"
#include "threadpoolexecutor.h"
#include "workerthreadpool.h"

#include "trace/tracebuffer.h"

#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QThread>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <thread>

namespace loopscope::runtime {

namespace {

const QEvent::Type kIterateEvent = QEvent::Type(QEvent::registerEventType());

thread_local EventLoop *t_current = nullptr;

// Timers due within this much are waited for on the loop thread instead of through Qt,
// whose timers have millisecond resolution: it keeps sleeps ≈0.1 ms late, not ≈1 ms.
constexpr double kSpinWindow = 0.0015;

class IterateEvent : public QEvent {
public:
    IterateEvent() : QEvent(kIterateEvent) {}
};

std::string formatSeconds(double s)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", s);
    return buf;
}

} // namespace

std::string StepSample::key() const
{
    return filename + ":" + std::to_string(line) + "|" + function + "|" + nativeCall;
}

EventLoop::EventLoop(QObject *parent)
    : QObject(parent)
    , m_wakeTimer(this)
    , m_soonTimer(this)
{
    m_wakeTimer.setSingleShot(true);
    m_wakeTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_wakeTimer, &QTimer::timeout, this, [this] { iterate(); });
    m_soonTimer.setSingleShot(true);
    m_soonTimer.setInterval(0);
    connect(&m_soonTimer, &QTimer::timeout, this, [this] {
        m_iterationPosted.store(false);
        iterate();
    });
    m_callbackLabel = trace::intern("callback");
    m_cpuCount = int(std::thread::hardware_concurrency());
    if (m_cpuCount <= 0)
        m_cpuCount = 1;
}

EventLoop::~EventLoop()
{
    shutdownPools();
}

double EventLoop::time()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

EventLoop *EventLoop::current()
{
    return t_current;
}

bool EventLoop::isLoopThread() const
{
    return QThread::currentThread() == thread();
}

void EventLoop::callSoon(Callback cb, StepInfo info)
{
    if (!isLoopThread()) { // asyncio would corrupt its queue; Loopscope hands it over
        callSoonThreadsafe(std::move(cb), std::move(info));
        return;
    }
    auto h = std::make_shared<Handle>();
    h->cb = std::move(cb);
    h->info = std::move(info);
    m_ready.push_back(std::move(h));
    if (!m_inIteration)
        postIteration();
}

std::shared_ptr<TimerHandle> EventLoop::callLater(double delaySeconds, Callback cb, StepInfo info)
{
    return callAt(time() + (delaySeconds > 0 ? delaySeconds : 0), std::move(cb), std::move(info));
}

std::shared_ptr<TimerHandle> EventLoop::callAt(double when, Callback cb, StepInfo info)
{
    auto h = std::make_shared<Handle>();
    h->cb = std::move(cb);
    h->info = std::move(info);
    h->timer = std::make_shared<TimerHandle>();
    h->timer->m_when = when;
    auto timer = h->timer;
    if (!isLoopThread()) {
        callSoonThreadsafe([this, when, h] { m_timers.push(TimerEntry{when, ++m_timerSeq, h}); });
        return timer;
    }
    m_timers.push(TimerEntry{when, ++m_timerSeq, std::move(h)});
    if (!m_inIteration)
        postIteration();
    return timer;
}

void EventLoop::callSoonThreadsafe(Callback cb, StepInfo info)
{
    auto h = std::make_shared<Handle>();
    h->cb = std::move(cb);
    h->info = std::move(info);
    {
        std::lock_guard lock(m_threadsafeMutex);
        m_threadsafe.push_back(std::move(h));
    }
    postIteration();
}

void EventLoop::postIteration()
{
    if (m_iterationPosted.exchange(true))
        return;
    // From the loop thread a zero timer: a posted event would also wake the dispatcher,
    // and GLib's writes its eventfd for every one (two syscalls per iteration).
    if (isLoopThread())
        m_soonTimer.start();
    else
        QCoreApplication::postEvent(this, new IterateEvent, Qt::HighEventPriority);
}

bool EventLoop::event(QEvent *e)
{
    if (e->type() == kIterateEvent) {
        m_iterationPosted.store(false);
        iterate();
        return true;
    }
    return QObject::event(e);
}

void EventLoop::runForever()
{
    runUntil([] { return false; });
}

void EventLoop::runUntil(const std::function<bool()> &done)
{
    Q_ASSERT(isLoopThread());
    if (m_running) {
        std::fputs("RuntimeError: This event loop is already running\n", stderr);
        return;
    }
    if (done())
        return;
    QEventLoop qloop;
    m_qloop = &qloop;
    m_done = &done;
    m_running = true;
    m_stopping.store(false);
    EventLoop *previous = t_current;
    t_current = this;
    if (m_lagSampling && !m_lagScheduled)
        scheduleLagSample();
    postIteration();
    qloop.exec();
    t_current = previous;
    m_running = false;
    m_done = nullptr;
    m_qloop = nullptr;
    m_stopping.store(false);
}

void EventLoop::stop()
{
    m_stopping.store(true);
    postIteration();
}

void EventLoop::iterate()
{
    if (!m_running || m_inIteration)
        return; // callbacks queue up until the loop runs; no re-entry from nested event loops
    m_wakeTimer.stop();
    m_inIteration = true;

    {
        std::lock_guard lock(m_threadsafeMutex);
        for (auto &h : m_threadsafe)
            m_ready.push_back(std::move(h));
        m_threadsafe.clear();
    }

    // A timer due within the spin window while nothing else is ready: wait for it here.
    if (m_ready.empty() && !m_timers.empty()) {
        const double wait = m_timers.top().when - time();
        if (wait > 0 && wait <= kSpinWindow)
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }

    const double now = time();
    while (!m_timers.empty() && m_timers.top().when <= now) {
        auto h = m_timers.top().handle;
        m_timers.pop();
        if (!h->timer->cancelled())
            m_ready.push_back(std::move(h));
    }

    // Only what was ready when the iteration began runs now.
    std::size_t ntodo = m_ready.size();
    while (ntodo-- > 0 && !m_ready.empty()) {
        auto h = std::move(m_ready.front());
        m_ready.pop_front();
        if (h->timer && h->timer->cancelled())
            continue;
        runStep(*h);
    }
    m_iteration.fetch_add(1, std::memory_order_relaxed);
    m_inIteration = false;
    if (m_iterationEndHook)
        m_iterationEndHook();

    if (m_stopping.load() || (m_done && (*m_done)())) {
        m_qloop->quit();
        return;
    }
    scheduleNext();
}

void EventLoop::scheduleNext()
{
    bool threadsafePending;
    {
        std::lock_guard lock(m_threadsafeMutex);
        threadsafePending = !m_threadsafe.empty();
    }
    if (!m_ready.empty() || threadsafePending) {
        postIteration();
        return;
    }
    while (!m_timers.empty() && m_timers.top().handle->timer->cancelled())
        m_timers.pop();
    if (m_timers.empty())
        return; // sleep until Qt delivers I/O or a thread-safe call posts an iteration
    const double wait = m_timers.top().when - time();
    if (wait <= kSpinWindow) {
        postIteration();
        return;
    }
    // Wake up to one spin window early; iterate() waits the rest precisely.
    const int ms = int(std::floor((wait - kSpinWindow) * 1000.0));
    m_wakeTimer.start(ms < 1 ? 1 : ms); // never 0: that would spin until the window
}

void EventLoop::runStep(Handle &h)
{
    if (h.internal) {
        h.cb();
        return;
    }
    const std::int64_t request = h.info.request;
    const std::uint64_t label = h.info.label ? h.info.label : m_callbackLabel;
    // The step may install or replace the watchdog (bindLoop runs inside a step): only
    // the watchdog that saw this step begin may see it end, or its step parity flips.
    std::uint64_t seq = 0;
    const bool watched = m_watchdog != nullptr;
    const std::uint64_t generation = m_watchdogGeneration;
    const std::uint64_t start = trace::now();
    if (watched)
        seq = m_watchdog->stepBegin(start, request);
    m_currentRequest = request;
    const bool tracing = trace::enabled();
    if (tracing)
        trace::emitAt(start, trace::EventKind::LoopStepBegin, request, label);
    try {
        h.cb();
    } catch (const std::exception &ex) {
        std::fprintf(stderr, "Exception in callback: %s\n", ex.what());
    } catch (...) {
        std::fputs("Exception in callback\n", stderr);
    }
    const std::uint64_t end = trace::now();
    const bool sameWatchdog = watched && generation == m_watchdogGeneration;
    if (sameWatchdog)
        m_watchdog->stepEnd();
    if (tracing)
        trace::emitAt(end, trace::EventKind::LoopStepEnd, request, label);
    m_currentRequest = -1;
    if (end - start >= m_slowNs)
        reportBlocked(h, start, end, seq, sameWatchdog);
    else if (sameWatchdog) {
        StepSample dropped; // forget the samples of a step that did not block
        m_watchdog->dominant(seq, dropped);
    }
}

void EventLoop::reportBlocked(Handle &h, std::uint64_t start, std::uint64_t end, std::uint64_t seq,
                              bool sampled)
{
    BlockedStep b;
    b.startNs = start;
    b.endNs = end;
    b.request = h.info.request;
    if (sampled)
        b.attributed = m_watchdog->dominant(seq, b.where);
    std::string what = h.info.describe ? h.info.describe(b.attributed ? &b.where : nullptr)
                                       : std::string("<Handle callback>");
    b.warning = "Executing " + what + " took " + formatSeconds(double(end - start) / 1e9) + " seconds";
    if (trace::enabled()) {
        trace::emitAt(end, trace::EventKind::LoopBlocked, b.request, start, end,
                      trace::intern(b.attributed ? b.where.key() : std::string("?:0||")));
        trace::emitAt(end, trace::EventKind::LoopWarning, b.request, trace::intern(b.warning));
    }
    if (m_blockedHandler)
        m_blockedHandler(b);
}

void EventLoop::setPositionSampler(PositionSampler sampler)
{
    m_watchdog.reset();
    ++m_watchdogGeneration;
    if (sampler) {
        m_watchdog = std::make_unique<LoopWatchdog>(std::move(sampler), m_sampleIntervalMs);
        m_watchdog->setSlowThreshold(m_slowNs);
    }
}

void EventLoop::setSlowCallbackDuration(double seconds)
{
    m_slowNs = std::uint64_t(seconds * 1e9);
    if (m_watchdog)
        m_watchdog->setSlowThreshold(m_slowNs);
}

void EventLoop::setSampleInterval(int intervalMs)
{
    m_sampleIntervalMs = intervalMs;
    if (m_watchdog)
        m_watchdog->setInterval(intervalMs);
}

void EventLoop::setLagSampling(bool on)
{
    m_lagSampling = on;
    if (on && m_running && !m_lagScheduled)
        scheduleLagSample();
}

void EventLoop::setBlockedStepHandler(std::function<void(const BlockedStep &)> handler)
{
    m_blockedHandler = std::move(handler);
}

void EventLoop::scheduleLagSample()
{
    // Node's monitorEventLoopDelay: a 10 ms timer reports how late it fired.
    constexpr double kInterval = 0.010;
    auto h = std::make_shared<Handle>();
    h->internal = true;
    h->timer = std::make_shared<TimerHandle>();
    const double when = time() + kInterval;
    h->timer->m_when = when;
    h->cb = [this, when] {
        m_lagScheduled = false;
        const double lag = time() - when;
        trace::emit(trace::EventKind::LoopLag, -1, std::uint64_t(lag > 0 ? lag * 1e9 : 0));
        if (m_lagSampling && m_running && !m_stopping.load())
            scheduleLagSample();
    };
    m_lagScheduled = true;
    m_timers.push(TimerEntry{when, ++m_timerSeq, std::move(h)});
    if (!m_inIteration)
        postIteration();
}

CapacityLimiter &EventLoop::defaultLimiter()
{
    if (!m_limiter)
        m_limiter = std::make_unique<CapacityLimiter>(this, 40, CapacityLimiter::WakeOrder::Fifo,
                                                      "threadpool");
    return *m_limiter;
}

WorkerThreadPool &EventLoop::workerPool()
{
    if (!m_workerPool)
        m_workerPool = std::make_unique<WorkerThreadPool>(this);
    return *m_workerPool;
}

ThreadPoolExecutor &EventLoop::defaultExecutor()
{
    if (!m_defaultExecutor)
        m_defaultExecutor = std::make_unique<ThreadPoolExecutor>(
            ThreadPoolExecutor::defaultMaxWorkers(m_cpuCount), "default-executor");
    return *m_defaultExecutor;
}

void EventLoop::shutdownDefaultExecutor()
{
    if (m_defaultExecutor)
        m_defaultExecutor->shutdown(true);
}

void EventLoop::shutdownPools()
{
    if (m_defaultExecutor)
        m_defaultExecutor->shutdown(true);
    if (m_workerPool)
        m_workerPool->shutdown();
}

} // namespace loopscope::runtime
