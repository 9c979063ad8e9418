// BenchRun: fires a BurstPlan at a running engine from the burst client's own threads,
// feeds a SessionBuilder from the trace hub while it runs, waits for every response and
// for the background work they started, and merges the client's records into the session.
#pragma once

#include "http/burstplan.h"
#include "http/burstsummary.h"
#include "http/requestrecord.h"
#include "trace/session.h"

#include <QMetaType>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace loopscope::host {

class Engine;
class EngineCore;

struct BenchResult {
    trace::Session session;
    http::BurstSummary summary;
    std::vector<http::RequestRecord> records;
    bool stopped = false; // ended early by stop()
    std::uint64_t originNs = 0; // trace::now() at the burst's time 0
};

// The whole run, synchronously, on the calling thread (the `bench` verb, tests). The
// plan's port is set to the engine's. `progress(done, total)` is called from this
// thread; `stop` (optional) ends the burst early when it turns true. `settle`: how long
// to keep collecting once the server is idle (late prints, background tasks' ends).
// `traced` false: tracing stays off and nothing is drained (to measure what tracing
// costs); the session then holds the client's records only.
BenchResult runBurst(EngineCore &engine, http::BurstPlan plan, const std::function<void(int, int)> &progress = {},
                     const std::atomic<bool> *stop = nullptr, double settleSeconds = 0.1, bool traced = true);

class BenchRun : public QObject {
    Q_OBJECT
public:
    explicit BenchRun(Engine *engine, QObject *parent = nullptr);
    explicit BenchRun(EngineCore *engine, QObject *parent = nullptr);
    ~BenchRun() override; // stops and joins

    // Returns at once; progress() and finished() follow as queued signals.
    void start(const http::BurstPlan &plan);
    void stop();
    bool isRunning() const { return m_running.load(); }

signals:
    void progress(int done, int total); // at most ~30 times a second
    // Shared, never copied: a 40,000-request session takes milliseconds to copy.
    void finished(std::shared_ptr<const loopscope::host::BenchResult> result);

private:
    EngineCore *m_engine;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_running{false};
};

} // namespace loopscope::host

Q_DECLARE_METATYPE(std::shared_ptr<const loopscope::host::BenchResult>)
