// Trace benchmarks: cost per emitted event, bytes per event, memory for 1,000,000 events,
// drain throughput and session-building throughput. Prints a table; fails only when a
// budget is broken (≤ 64 bytes per event, well under 200 MB for 1M events).
#include "trace/sessionbuilder.h"
#include "trace/tracebuffer.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace loopscope::trace;

namespace {

double seconds(std::chrono::steady_clock::time_point from)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
}

long rssKb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

} // namespace

int main()
{
    int failures = 0;
    TraceHub &hub = TraceHub::instance();
    hub.discard();
    setThreadName("bench");

    // 1. emit cost, one thread.
    constexpr int kEvents = 1'000'000;
    std::vector<TraceEvent> sink;
    sink.reserve(kEvents);
    for (int round = 0; round < 3; ++round) {
        hub.discard();
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEvents; ++i)
            record(EventKind::LoopLag, i, std::uint64_t(i), 1, 2);
        const double s = seconds(t0);
        std::printf("emit, 1 thread:        %7.1f ns/event (round %d)\n", s * 1e9 / kEvents, round);
    }

    // 2. bytes per event and memory for 1M buffered events.
    const std::size_t bytes = hub.bytesBuffered();
    const double perEvent = double(bytes) / kEvents;
    std::printf("sizeof(TraceEvent):    %7zu bytes\n", sizeof(TraceEvent));
    std::printf("buffered per event:    %7.1f bytes (chunks included)\n", perEvent);
    std::printf("1,000,000 events:      %7.1f MB buffered, RSS %ld MB\n", double(bytes) / 1e6,
                rssKb() / 1024);
    if (sizeof(TraceEvent) > 64 || perEvent > 64) {
        std::printf("FAIL: more than 64 bytes per event\n");
        ++failures;
    }
    if (bytes > 200'000'000) {
        std::printf("FAIL: 1M events take more than 200 MB\n");
        ++failures;
    }

    // 3. drain throughput.
    {
        sink.clear();
        const auto t0 = std::chrono::steady_clock::now();
        const std::size_t n = hub.drain(sink);
        const double s = seconds(t0);
        std::printf("drain:                 %7.1f M events/s (%zu events)\n", double(n) / s / 1e6, n);
        if (n != std::size_t(kEvents)) {
            std::printf("FAIL: drained %zu of %d events\n", n, kEvents);
            ++failures;
        }
    }

    // 4. emit cost with 2 writer threads and a reader draining every millisecond.
    {
        hub.discard();
        std::atomic<bool> running{true};
        std::size_t drained = 0;
        std::thread reader([&] {
            std::vector<TraceEvent> out;
            while (running.load()) {
                out.clear();
                drained += hub.drain(out);
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            out.clear();
            drained += hub.drain(out);
        });
        std::vector<double> perThread(2);
        std::vector<std::thread> writers;
        for (int w = 0; w < 2; ++w)
            writers.emplace_back([&perThread, w] {
                const auto t0 = std::chrono::steady_clock::now();
                for (int i = 0; i < kEvents; ++i)
                    record(EventKind::RunBegin, i, std::uint64_t(i));
                perThread[std::size_t(w)] = seconds(t0) * 1e9 / kEvents;
            });
        for (auto &t : writers)
            t.join();
        running = false;
        reader.join();
        std::printf("emit, 2 threads + drain:%6.1f / %.1f ns/event, %zu drained\n", perThread[0],
                    perThread[1], drained);
        if (drained != std::size_t(2 * kEvents)) {
            std::printf("FAIL: drained %zu of %d events\n", drained, 2 * kEvents);
            ++failures;
        }
    }

    // 5. disabled tracing.
    {
        setEnabled(false);
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kEvents * 10; ++i)
            record(EventKind::RunBegin, i);
        std::printf("emit, disabled:        %7.2f ns/event\n", seconds(t0) * 1e9 / (kEvents * 10));
        setEnabled(true);
    }

    // 6. session building: 20,000 requests of a `def` endpoint (≈12 events each).
    {
        std::vector<TraceEvent> events;
        const std::uint64_t origin = now();
        auto ev = [&](double t, EventKind k, std::int64_t r, std::uint32_t thread,
                      std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0) {
            TraceEvent e;
            e.t = origin + std::uint64_t(t * 1e9);
            e.kind = k;
            e.request = r;
            e.thread = thread;
            e.a = a;
            e.b = b;
            e.c = c;
            events.push_back(e);
        };
        ev(0, EventKind::PoolDeclared, -1, 0, 0, 40, intern("anyio limiter"));
        for (int r = 0; r < 20000; ++r) {
            const double t = r * 0.0005;
            ev(t, EventKind::ClientSent, r, 100, std::uint64_t(r % 50));
            ev(t + 1e-5, EventKind::RequestAccepted, r, 0, std::uint64_t(r % 50));
            ev(t + 2e-5, EventKind::RequestRead, r, 0);
            ev(t + 3e-5, EventKind::TokenWaitBegin, r, 0, 0);
            ev(t + 3e-5, EventKind::TokenAcquired, r, 0, 0);
            ev(t + 3e-5, EventKind::PoolState, -1, 0, 0, std::uint64_t(r % 40), 0);
            ev(t + 4e-5, EventKind::RunBegin, r, 1 + std::uint32_t(r % 40));
            ev(t + 0.01, EventKind::RunEnd, r, 1 + std::uint32_t(r % 40));
            ev(t + 0.01, EventKind::TokenReleased, r, 1 + std::uint32_t(r % 40), 0);
            ev(t + 0.0101, EventKind::ResponseWritten, r, 0, 200, 6);
            ev(t + 0.0102, EventKind::ClientDone, r, 100, 200, 6);
            ev(t, EventKind::LoopLag, -1, 0, 100'000);
        }
        SessionBuilder builder;
        builder.setOrigin(origin);
        const auto t0 = std::chrono::steady_clock::now();
        constexpr std::size_t kBatch = 4096; // roughly one 16 ms frame of a heavy burst
        for (std::size_t i = 0; i < events.size(); i += kBatch) {
            const std::size_t n = std::min(kBatch, events.size() - i);
            builder.add(std::span(events.data() + i, n));
        }
        builder.finish();
        const double applySeconds = seconds(t0);
        const auto t1 = std::chrono::steady_clock::now();
        const Session &s = builder.session();
        const double snapshotSeconds = seconds(t1);
        std::printf("session build:         %7.1f ns/event (%zu events, %zu requests)\n",
                    applySeconds * 1e9 / double(events.size()), events.size(), s.requests.size());
        std::printf("session snapshot:      %7.2f ms (ranks, delays, histogram)\n",
                    snapshotSeconds * 1e3);
    }
    return failures == 0 ? 0 : 1;
}
