// For tests that show two threads (or processes) running side by side: whether this
// process gets two cores right now. Two spinning threads must get about two seconds of
// CPU per second of wall time; where they do not (a build or another test next door),
// parallelism cannot be shown and such a check skips instead of failing.
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>

namespace loopscope::testing {

inline bool twoCoresFreeNow()
{
    std::atomic<bool> stop{false};
    double cpu[2] = {0, 0};
    auto spin = [&stop](double *out) {
        timespec a{}, b{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        volatile unsigned long x = 0;
        while (!stop.load(std::memory_order_relaxed))
            x = x + 1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        *out = double(b.tv_sec - a.tv_sec) + double(b.tv_nsec - a.tv_nsec) / 1e9;
    };
    const auto t0 = std::chrono::steady_clock::now();
    std::thread t1(spin, &cpu[0]), t2(spin, &cpu[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
    t1.join();
    t2.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return (cpu[0] + cpu[1]) / wall > 1.6;
}

} // namespace loopscope::testing
