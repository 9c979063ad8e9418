// AnyIO's WorkerThread set, one std::thread per worker.
#include "workerthreadpool.h"

#include "eventloop.h"
#include "poolids.h"

#include "lang/threadstate.h"
#include "trace/tracebuffer.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace loopscope::runtime {

namespace {
thread_local int t_workerIndex = 0;
}

struct Worker {
    int index = 0;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable cv;
    std::condition_variable startedCv;
    std::function<void()> job; // guarded by mutex
    bool hasJob = false;
    bool stop = false;
    bool started = false;      // guarded by mutex
    double idleSince = 0; // loop thread
};

struct WorkerThreadPool::State : std::enable_shared_from_this<WorkerThreadPool::State> {
    EventLoop *loop = nullptr;
    std::string name;
    std::uint64_t poolId = 0;
    double maxIdle = 10.0;
    std::function<void()> onStart;
    std::function<void()> onExit;
    int nextIndex = 1;
    int busy = 0;
    std::vector<std::unique_ptr<Worker>> workers; // live ones
    std::deque<Worker *> idle;                   // back = most recently idle
    bool shutDown = false;

    void retire(Worker *w)
    {
        {
            std::lock_guard lock(w->mutex);
            w->stop = true;
        }
        w->cv.notify_one();
        if (w->thread.joinable())
            w->thread.join();
        for (auto it = workers.begin(); it != workers.end(); ++it) {
            if (it->get() == w) {
                workers.erase(it);
                break;
            }
        }
    }
};

namespace {

// CPython's Thread.start() returns only once the new thread runs, and starting needs the
// GIL: the caller drops it while it waits. Workers handed a job before then (their wakes
// wait for the GIL to be free) take their turn at it first, so a burst's `def` handlers
// start in their requests' order, as in real FastAPI, rather than in whatever order a
// crowd of new threads reaches the lock.
void waitUntilStarted(Worker &w)
{
    std::optional<lang::GilRelease> unlock;
    if (lang::ThreadState *ts = lang::ThreadState::current())
        unlock.emplace(*ts);
    // Bounded: the job reaches the worker through its slot whenever it starts, so a start
    // held up (a GIL this thread holds under another ThreadState) only costs time.
    std::unique_lock lock(w.mutex);
    w.startedCv.wait_for(lock, std::chrono::seconds(1), [&w] { return w.started; });
}

} // namespace

WorkerThreadPool::WorkerThreadPool(EventLoop *loop, std::string name)
    : m_state(std::make_shared<State>())
{
    m_state->loop = loop;
    m_state->name = std::move(name);
    m_state->poolId = declarePool(m_state->name + "-threads", 0);
}

WorkerThreadPool::~WorkerThreadPool()
{
    shutdown();
}

void WorkerThreadPool::setMaxIdleSeconds(double seconds)
{
    m_state->maxIdle = seconds;
}

double WorkerThreadPool::maxIdleSeconds() const
{
    return m_state->maxIdle;
}

void WorkerThreadPool::setThreadHooks(std::function<void()> onStart, std::function<void()> onExit)
{
    m_state->onStart = std::move(onStart);
    m_state->onExit = std::move(onExit);
}

int WorkerThreadPool::threadCount() const
{
    return int(m_state->workers.size());
}

int WorkerThreadPool::idleCount() const
{
    return int(m_state->idle.size());
}

int WorkerThreadPool::busyCount() const
{
    return m_state->busy;
}

std::uint64_t WorkerThreadPool::poolId() const
{
    return m_state->poolId;
}

int WorkerThreadPool::currentWorkerIndex()
{
    return t_workerIndex;
}

void WorkerThreadPool::submit(std::function<void()> job, std::function<void()> onDone, std::int64_t request)
{
    State &s = *m_state;
    if (s.shutDown)
        return;
    Worker *w = nullptr;
    if (s.idle.empty()) {
        auto owned = std::make_unique<Worker>();
        w = owned.get();
        w->index = s.nextIndex++;
        auto onStart = s.onStart;
        auto onExit = s.onExit;
        const std::string threadName = s.name + "-" + std::to_string(w->index);
        w->thread = std::thread([w, onStart, onExit, threadName] {
            t_workerIndex = w->index;
            trace::setThreadName(threadName);
            if (onStart)
                onStart();
            {
                std::lock_guard lock(w->mutex);
                w->started = true;
            }
            w->startedCv.notify_one();
            for (;;) {
                std::function<void()> job;
                {
                    std::unique_lock lock(w->mutex);
                    w->cv.wait(lock, [w] { return w->stop || w->hasJob; });
                    if (!w->hasJob)
                        break;
                    job = std::move(w->job);
                    w->hasJob = false;
                }
                job();
            }
            if (onExit)
                onExit();
        });
        s.workers.push_back(std::move(owned));
        waitUntilStarted(*w);
    } else {
        w = s.idle.back();
        s.idle.pop_back();
        // AnyIO prunes the workers idle for too long whenever it takes an idle one.
        const double now = EventLoop::time();
        while (!s.idle.empty() && now - s.idle.front()->idleSince >= s.maxIdle) {
            Worker *expired = s.idle.front();
            s.idle.pop_front();
            s.retire(expired);
        }
    }
    ++s.busy;
    emitPoolState(s.poolId, s.busy, 0, request);

    std::weak_ptr<State> weak = m_state;
    EventLoop *loop = s.loop;
    auto wrapped = [job = std::move(job), onDone = std::move(onDone), weak, loop, w, request]() mutable {
        job();
        job = nullptr; // release what the job captured on the worker thread
        EventLoop::StepInfo info;
        info.request = request;
        loop->callSoonThreadsafe(
            [weak, w, onDone = std::move(onDone), request]() mutable {
                if (auto state = weak.lock()) {
                    --state->busy;
                    emitPoolState(state->poolId, state->busy, 0, request);
                    if (!state->shutDown) { // after shutdown `w` is gone
                        w->idleSince = EventLoop::time();
                        state->idle.push_back(w);
                    }
                }
                if (onDone)
                    onDone();
            },
            std::move(info));
    };
    {
        std::lock_guard lock(w->mutex);
        w->job = std::move(wrapped);
        w->hasJob = true;
    }
    // The job's first act is to take the GIL: while the loop thread holds it, the worker
    // is woken once the loop drops it (see ThreadState::wakeWhenGilFree).
    auto wake = [weak = std::weak_ptr<State>(m_state), w] {
        auto state = weak.lock();
        if (state && !state->shutDown) // shutdown() woke and joined every worker
            w->cv.notify_one();
    };
    if (lang::ThreadState *ts = lang::ThreadState::current())
        ts->wakeWhenGilFree(std::move(wake));
    else
        wake();
}

void WorkerThreadPool::shutdown()
{
    State &s = *m_state;
    if (s.shutDown)
        return;
    s.shutDown = true;
    s.idle.clear();
    while (!s.workers.empty())
        s.retire(s.workers.back().get());
}

} // namespace loopscope::runtime
