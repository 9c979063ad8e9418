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

const LoopWatchdog::Counted *LoopWatchdog::mostSeen(std::uint64_t seq, int *total) const
{
    const Counted *best = nullptr;
    int n = 0;
    if (auto it = m_samples.find(seq); it != m_samples.end()) {
        for (const auto &[key, counted] : it->second) {
            n += counted.count;
            if (!best || counted.count > best->count)
                best = &counted;
        }
    }
    if (total)
        *total = n;
    return best;
}

bool LoopWatchdog::dominant(std::uint64_t seq, StepSample &out, int *samples)
{
    std::lock_guard lock(m_samplesMutex);
    const Counted *best = mostSeen(seq, samples);
    if (best)
        out = best->sample;
    m_samples.erase(m_samples.begin(), m_samples.upper_bound(seq));
    return best != nullptr;
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
        const Counted *best = mostSeen(seq);
        if (!best)
            return;
        key = best->sample.key();
    }
    if (m_seq.load() != seq)
        return; // ended meanwhile: its LoopBlocked tells the rest
    m_stallSeq = seq;
    m_lastStall = now;
    trace::emitAt(now, trace::EventKind::LoopStall, m_stepRequest.load(std::memory_order_relaxed), start, 0,
                  trace::intern(key));
}

} // namespace loopscope::runtime
