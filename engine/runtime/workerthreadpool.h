// WorkerThreadPool: AnyIO's worker threads behind to_thread.run_sync (and so behind every
// `def` endpoint). Threads are created lazily, one job at a time each; a finished job is
// reported to the loop with call_soon_threadsafe, and only then does its worker become
// idle. Idle workers are reused most-recent-first; whenever an idle worker is taken, the
// workers idle for maxIdleSeconds (10 s) or longer are stopped — AnyIO's pruning.
//
// submit() and the accessors are for the loop thread; jobs run on the worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace loopscope::runtime {

class EventLoop;

class WorkerThreadPool {
public:
    explicit WorkerThreadPool(EventLoop *loop, std::string name = "worker");
    ~WorkerThreadPool();
    WorkerThreadPool(const WorkerThreadPool &) = delete;
    WorkerThreadPool &operator=(const WorkerThreadPool &) = delete;

    void setMaxIdleSeconds(double seconds);
    double maxIdleSeconds() const;
    // Run on every worker thread when it starts / before it exits (e.g. attach a
    // ThreadState to the interpreter). Set before the first submit.
    void setThreadHooks(std::function<void()> onStart, std::function<void()> onExit);

    // Runs `job` on a worker thread; `onDone` then runs on the loop thread.
    void submit(std::function<void()> job, std::function<void()> onDone, std::int64_t request = -1);

    int threadCount() const;   // live workers
    int idleCount() const;     // idle workers
    int busyCount() const;
    std::uint64_t poolId() const;

    // Stops every worker, waiting for running jobs to end. Loop thread (or after the loop ended).
    void shutdown();

    // On a worker thread: its index (1, 2, ... in creation order); 0 elsewhere.
    static int currentWorkerIndex();

    struct State;

private:
    std::shared_ptr<State> m_state;
};

} // namespace loopscope::runtime
