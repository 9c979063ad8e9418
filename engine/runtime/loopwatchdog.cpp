// The sampling thread behind blocked-step attribution.
#include "loopwatchdog.h"

#include "trace/tracebuffer.h"

#include <chrono>

namespace loopscope::runtime {

LoopWatchdog::LoopWatchdog(PositionSampler sampler, int intervalMs)
    : m_sampler(std::move(sampler))
    , m_intervalMs(intervalMs < 1 ? 1 : intervalMs)
{
    m_thread = std::thread([this] { run(); });
}

LoopWatchdog::~LoopWatchdog()
{
    {
        std::lock_guard lock(m_parkMutex);
        m_quit.store(true);
    }
    m_parkCv.notify_all();
    m_thread.join();
}

std::uint64_t LoopWatchdog::stepBegin(std::uint64_t startNs, std::int64_t request)
{
    // Published before the counter turns odd: the watchdog reads them once it sees it odd.
    m_stepStart.store(startNs, std::memory_order_relaxed);
    m_stepRequest.store(request, std::memory_order_relaxed);
    m_process.store(trace::currentProcess(), std::memory_order_relaxed);
    const std::uint64_t seq = m_seq.fetch_add(1) + 1; // now odd
    if (m_parked.load()) {
        std::lock_guard lock(m_parkMutex);
        m_parkCv.notify_one();
    }
    return seq;
}

void LoopWatchdog::stepEnd()
{
    m_seq.fetch_add(1);
}

bool LoopWatchdog::dominant(std::uint64_t seq, StepSample &out, int *samples)
{
    std::lock_guard lock(m_samplesMutex);
    bool found = false;
    int best = 0;
    int total = 0;
    auto it = m_samples.find(seq);
    if (it != m_samples.end()) {
        for (auto &[key, counted] : it->second) {
            total += counted.count;
            if (counted.count > best) {
                best = counted.count;
                out = counted.sample;
                found = true;
            }
        }
    }
    m_samples.erase(m_samples.begin(), m_samples.upper_bound(seq));
    if (samples)
        *samples = total;
    return found;
}

void LoopWatchdog::run()
{
    trace::setThreadName("loop-watchdog");
    while (!m_quit.load()) {
        std::uint64_t seq = m_seq.load();
        if ((seq & 1) == 0) {
            std::unique_lock lock(m_parkMutex);
            m_parked.store(true);
            m_parkCv.wait(lock, [this] { return m_quit.load() || (m_seq.load() & 1) != 0; });
            m_parked.store(false);
            continue;
        }
        // A step runs: look again after one interval; only steps that outlive it are
        // sampled (short steps cost the loop nothing but the counter).
        std::this_thread::sleep_for(std::chrono::milliseconds(m_intervalMs.load()));
        if (m_seq.load() != seq)
            continue;
        StepSample sample;
        if (!m_sampler || !m_sampler(sample))
            continue;
        if (m_seq.load() != seq)
            continue; // the step ended while we sampled: the sample may belong to the next
        {
            std::lock_guard lock(m_samplesMutex);
            auto &counted = m_samples[seq][sample.key()];
            if (counted.count++ == 0)
                counted.sample = std::move(sample);
        }
        reportStall(seq);
    }
}

void LoopWatchdog::reportStall(std::uint64_t seq)
{
    constexpr std::uint64_t kEvery = 100'000'000;
    const std::uint64_t start = m_stepStart.load(std::memory_order_relaxed);
    if (!trace::enabled() || start == 0)
        return;
    const std::uint64_t now = trace::now();
    if (now < start + m_slowNs.load() || (seq == m_stallSeq && now < m_lastStall + kEvery))
        return;
    std::string key;
    {
        std::lock_guard lock(m_samplesMutex);
        auto it = m_samples.find(seq);
        if (it == m_samples.end())
            return;
        int best = 0;
        for (const auto &[k, counted] : it->second) {
            if (counted.count > best) {
                best = counted.count;
                key = k;
            }
        }
    }
    if (m_seq.load() != seq)
        return; // ended meanwhile: its LoopBlocked tells the rest
    m_stallSeq = seq;
    m_lastStall = now;
    trace::setCurrentProcess(m_process.load(std::memory_order_relaxed)); // stamped as the loop's
    trace::emitAt(now, trace::EventKind::LoopStall, m_stepRequest.load(std::memory_order_relaxed), start, 0,
                  trace::intern(key));
}

} // namespace loopscope::runtime
