// concurrent.futures.ThreadPoolExecutor's thread management.
#include "threadpoolexecutor.h"

#include "poolids.h"

#include "lang/threadstate.h"
#include "trace/tracebuffer.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace loopscope::runtime {

ThreadPoolExecutor::ThreadPoolExecutor(int maxWorkers, std::string name)
    : m_maxWorkers(maxWorkers < 1 ? 1 : maxWorkers)
    , m_name(std::move(name))
{
    m_poolId = declarePool(m_name, m_maxWorkers);
}

ThreadPoolExecutor::~ThreadPoolExecutor()
{
    shutdown(true);
}

void ThreadPoolExecutor::setThreadHooks(std::function<void()> onStart, std::function<void()> onExit)
{
    std::lock_guard lock(m_mutex);
    m_onStart = std::move(onStart);
    m_onExit = std::move(onExit);
}

bool ThreadPoolExecutor::submit(std::function<void()> job, std::int64_t request)
{
    int started = 0; // index of the thread this call started
    {
        std::lock_guard lock(m_mutex);
        if (m_shutdown)
            return false;
        m_queue.push_back(Job{std::move(job), request});
        // _adjust_thread_count: an idle thread takes it, else start one while below the max.
        if (m_idle > 0) {
            --m_idle;
        } else if (int(m_threads.size()) < m_maxWorkers) {
            started = int(m_threads.size()) + 1;
            m_threads.emplace_back([this, index = started] { workerMain(index); });
        }
        publishLocked(request);
    }
    m_cv.notify_one();
    if (started > 0) {
        // Thread.start() returns once the thread runs, the caller's GIL dropped meanwhile:
        // the jobs submitted before get their turn at the GIL first.
        std::optional<lang::GilRelease> unlock;
        if (lang::ThreadState *ts = lang::ThreadState::current())
            unlock.emplace(*ts);
        // bounded, as WorkerThreadPool's: the queue hands the job over whenever it starts
        std::unique_lock lock(m_mutex);
        m_startedCv.wait_for(lock, std::chrono::seconds(1), [this, started] { return m_started >= started || m_shutdown; });
    }
    return true;
}

void ThreadPoolExecutor::workerMain(int index)
{
    trace::setThreadName(m_name + "-" + std::to_string(index));
    std::function<void()> onStart, onExit;
    {
        std::lock_guard lock(m_mutex);
        onStart = m_onStart;
        onExit = m_onExit;
    }
    if (onStart)
        onStart();
    std::unique_lock lock(m_mutex);
    m_started = std::max(m_started, index);
    m_startedCv.notify_all();
    for (;;) {
        m_cv.wait(lock, [this] { return m_shutdown || !m_queue.empty(); });
        if (m_queue.empty())
            break; // shut down and nothing left
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        ++m_busy;
        publishLocked(job.request);
        lock.unlock();
        job.fn();
        job.fn = nullptr;
        lock.lock();
        --m_busy;
        ++m_idle;
        publishLocked(job.request);
    }
    lock.unlock();
    if (onExit)
        onExit();
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancelPending)
{
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
        if (cancelPending)
            m_queue.clear();
        if (wait && !m_joined) {
            m_joined = true;
            threads.swap(m_threads);
        }
    }
    m_cv.notify_all();
    for (auto &t : threads)
        t.join();
}

int ThreadPoolExecutor::threadCount() const
{
    std::lock_guard lock(m_mutex);
    return int(m_threads.size());
}

int ThreadPoolExecutor::busyCount() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

int ThreadPoolExecutor::queuedCount() const
{
    std::lock_guard lock(m_mutex);
    return int(m_queue.size());
}

bool ThreadPoolExecutor::isShutdown() const
{
    std::lock_guard lock(m_mutex);
    return m_shutdown;
}

void ThreadPoolExecutor::publishLocked(std::int64_t request)
{
    emitPoolState(m_poolId, m_busy, int(m_queue.size()), request);
}

} // namespace loopscope::runtime
