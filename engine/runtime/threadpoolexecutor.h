// ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor (and asyncio's default
// executor, which is one with min(32, cpu_count + 4) threads). Threads start lazily like
// CPython's _adjust_thread_count: a submit starts a new thread unless an idle one is
// available, up to maxWorkers; jobs beyond that queue. Thread-safe: submit from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loopscope::runtime {

class ThreadPoolExecutor {
public:
    explicit ThreadPoolExecutor(int maxWorkers, std::string name = "executor");
    ~ThreadPoolExecutor();
    ThreadPoolExecutor(const ThreadPoolExecutor &) = delete;
    ThreadPoolExecutor &operator=(const ThreadPoolExecutor &) = delete;

    // asyncio's / CPython's default: min(32, cpuCount + 4).
    static int defaultMaxWorkers(int cpuCount) { return std::min(32, cpuCount + 4); }

    void setThreadHooks(std::function<void()> onStart, std::function<void()> onExit);

    // Queues a job; false once shut down ("cannot schedule new futures after shutdown").
    bool submit(std::function<void()> job, std::int64_t request = -1);
    // Stops accepting jobs; with wait, runs the queued ones and joins the threads
    // (without wait, queued jobs are dropped when cancelPending).
    void shutdown(bool wait = true, bool cancelPending = false);

    int maxWorkers() const { return m_maxWorkers; }
    int threadCount() const;
    int busyCount() const;
    int queuedCount() const;
    bool isShutdown() const;
    std::uint64_t poolId() const { return m_poolId; }
    const std::string &name() const { return m_name; }

private:
    struct Job {
        std::function<void()> fn;
        std::int64_t request;
    };
    void workerMain(int index);
    void publishLocked(std::int64_t request);

    const int m_maxWorkers;
    const std::string m_name;
    std::uint64_t m_poolId = 0;
    std::function<void()> m_onStart;
    std::function<void()> m_onExit;

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_startedCv;
    int m_started = 0; // threads past their start (onStart hook run)
    std::deque<Job> m_queue;
    std::vector<std::thread> m_threads;
    int m_idle = 0; // CPython's _idle_semaphore
    int m_busy = 0;
    bool m_shutdown = false;
    bool m_joined = false;
};

} // namespace loopscope::runtime
