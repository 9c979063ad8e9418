// LoopWatchdog: a thread that samples where the loop thread is while a step runs, so a
// blocked step can be attributed to the line, function and native call that blocked it.
//
// The loop thread only flips an atomic step counter per step (odd = a step runs); the
// watchdog parks while the loop is idle and, while a step runs, samples every few ms.
// A step that outlives the slow-step threshold is reported while it still runs (a
// LoopStall trace event about every 100 ms, with where it has been seen most), so a live
// view can show the loop blocked, and where, before the step ends.
#pragma once

#include "eventloop.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace loopscope::runtime {

class LoopWatchdog {
public:
    LoopWatchdog(PositionSampler sampler, int intervalMs);
    ~LoopWatchdog();

    void setInterval(int intervalMs) { m_intervalMs.store(intervalMs < 1 ? 1 : intervalMs); }
    void setSlowThreshold(std::uint64_t ns) { m_slowNs.store(ns); }

    // Loop thread: a step begins (at trace time `startNs`, on behalf of `request`) / ends.
    // Returns the step's sequence number.
    std::uint64_t stepBegin(std::uint64_t startNs, std::int64_t request);
    void stepEnd();

    // Loop thread, after stepEnd(): the most frequent sample seen during step `seq`.
    // Returns false when no sample was taken. Forgets samples of steps <= seq.
    bool dominant(std::uint64_t seq, StepSample &out, int *samples = nullptr);

private:
    void run();
    void reportStall(std::uint64_t seq);

    PositionSampler m_sampler;
    std::atomic<int> m_intervalMs;
    std::atomic<std::uint64_t> m_seq{0}; // odd while a step runs
    std::atomic<std::uint64_t> m_stepStart{0};
    std::atomic<std::int64_t> m_stepRequest{-1};
    std::atomic<std::uint64_t> m_slowNs{100'000'000};
    std::uint64_t m_lastStall = 0; // watchdog thread: when the running step was last reported
    std::uint64_t m_stallSeq = 0;
    std::atomic<bool> m_parked{false};
    std::atomic<bool> m_quit{false};
    std::mutex m_parkMutex;
    std::condition_variable m_parkCv;

    std::mutex m_samplesMutex;
    struct Counted {
        StepSample sample;
        int count = 0;
    };
    std::map<std::uint64_t, std::map<std::string, Counted>> m_samples; // seq -> key -> count
    // Under m_samplesMutex: step `seq`'s most frequent sample (null when none); `total`
    // gets the number of samples.
    const Counted *mostSeen(std::uint64_t seq, int *total = nullptr) const;

    std::thread m_thread;
};

} // namespace loopscope::runtime
