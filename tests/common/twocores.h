// For tests that show two threads (or processes) running side by side: whether this
// process gets two cores right now. Two spinning threads must get about two seconds of
// CPU per second of wall time; where they do not (a build or another test next door),
// parallelism cannot be shown and such a check skips instead of failing.
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

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

// How many cores everything but this process kept busy, on average, from construction
// to cores(): /proc/stat's busy time of the whole machine (steal included: the host took
// it) less this process's own CPU time. A check that needs two free cores skips when a
// neighbour took a good part of one *while it measured*, which twoCoresFreeNow(), asked
// afterwards, can miss.
class OtherLoad {
public:
    OtherLoad() : m_machine(machineBusy()), m_self(selfBusy()), m_t0(std::chrono::steady_clock::now()) {}

    double cores() const
    {
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
        if (wall <= 0 || m_machine < 0)
            return 0;
        const double others = (machineBusy() - m_machine) - (selfBusy() - m_self);
        return others > 0 ? others / wall : 0;
    }

private:
    static double machineBusy()
    {
        std::ifstream in("/proc/stat");
        std::string cpu;
        long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu")
            return -1;
        return double(user + nice + system + irq + softirq + steal) / double(sysconf(_SC_CLK_TCK));
    }
    static double selfBusy()
    {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }

    double m_machine;
    double m_self;
    std::chrono::steady_clock::time_point m_t0;
};

// Whether a check that two threads ran on two cores at once may skip on a miss: the
// machine was busy while it measured (`during`) or is now.
inline bool tooBusyForTwoCores(const OtherLoad &during)
{
    return during.cores() > 0.3 || !twoCoresFreeNow();
}

} // namespace loopscope::testing
