// The session model: what one burst (or one live run) looked like, built from trace events
// by SessionBuilder (sessionbuilder.h) and read by the diagnosis, the exporters and the charts.
// Times are seconds from the session's origin (SessionBuilder::setOrigin).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loopscope::trace {

// One stretch of a request's life on the server, drawn as one bar of the request timeline.
enum class Phase : std::uint8_t {
    Reading,      // accepted → whole request parsed
    Queued,       // parsed, waiting for the loop to start the handler
    WaitingToken, // waiting for a thread token (pool in `pool`)
    Running,      // handler code running (thread in `thread`)
    Suspended,    // suspended at an await (on `detail`)
    WaitingLoop,  // finished on a worker thread, waiting for the loop to take it back
    Background,   // a background task after the response (name in `detail`)
    Count
};

const char *phaseName(Phase phase);

inline constexpr double kOpen = std::numeric_limits<double>::infinity();

struct PhaseSpan {
    Phase phase = Phase::Running;
    double start = 0;
    double end = kOpen; // kOpen while it lasts
    std::uint32_t thread = 0;
    std::int64_t pool = -1;
    std::string detail;

    bool open() const { return end == kOpen; }
    double duration() const { return open() ? 0.0 : end - start; }
};

struct Interval {
    double start = 0;
    double end = kOpen;
};

inline constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

struct RequestTimeline {
    std::int64_t id = -1;
    std::string method;
    std::string path;
    std::int64_t connection = -1;       // server connection id
    std::int64_t clientConnection = -1; // burst client's connection index
    std::uint16_t process = 0;

    // client side
    double sent = kUnknown;
    double firstByte = kUnknown;
    double clientDone = kUnknown;
    int status = 0;
    std::int64_t bytes = -1;
    std::string body;

    // server side
    double accepted = kUnknown;
    double read = kUnknown;
    double responseWritten = kUnknown;
    std::vector<PhaseSpan> phases; // in the order they began

    // derived by SessionBuilder::session()
    int sentRank = -1; // 0 = sent first
    int doneRank = -1; // 0 = completed first
    std::vector<int> delayedBy; // indexes into LoopModel::blocked

    // When the handler started: first Running span, else read/accepted.
    double start() const;
    // Completed as the client saw it, else when the server wrote the last byte.
    double done() const;
    // From sent (else accepted) to done; NaN when unknown.
    double latency() const;
    double total(Phase phase) const;
    bool finished() const { return done() == done(); }
};

struct LagSample {
    double t = 0;
    double ms = 0;
};

struct LagHistogram {
    std::size_t count = 0;
    double min = 0, mean = 0, max = 0, p50 = 0, p90 = 0, p99 = 0, stddev = 0;
};

struct BlockedSpan {
    double start = 0;
    double end = 0;
    std::string where;    // "app.py:14"
    std::string function; // "async_block"
    std::string call;     // "time.sleep"
    std::int64_t request = -1; // whose code blocked, if known
    std::uint16_t process = 0;
    std::vector<std::int64_t> delayed; // requests that waited behind it (derived)

    double duration() const { return end - start; }
    std::string file() const; // "app.py"
    int line() const;         // 14, or 0
};

struct UtilisationBin {
    double t = 0;    // bin start
    double busy = 0; // fraction 0..1 of the bin the loop spent running steps
};

struct LoopWarningLine {
    double t = 0;
    std::string text;
};

struct LoopModel {
    std::vector<LagSample> lag;
    LagHistogram histogram;                // of lag (ms); percentiles within 2 %
    double binSeconds = 0.1;
    std::vector<UtilisationBin> utilisation;
    std::vector<BlockedSpan> blocked;
    // Live sessions: steps running right now for longer than the slow-step threshold, up to
    // the session's end, with where they have been seen most so far (empty until the loop's
    // watchdog reports it). Each becomes one of `blocked` when its step ends.
    std::vector<BlockedSpan> blocking;
    std::vector<LoopWarningLine> warnings;
    std::size_t steps = 0;
};

struct PoolPoint {
    double t = 0;
    int busy = 0;
    int waiting = 0;
};

struct TokenWait {
    std::int64_t request = -1;
    double start = 0;
    double end = kOpen;
    double duration() const { return end == kOpen ? 0.0 : end - start; }
};

struct PoolModel {
    std::int64_t id = -1;
    std::string name;
    int limit = 0;
    std::uint16_t process = 0;
    std::vector<PoolPoint> series;
    std::vector<TokenWait> waits;
    int peakBusy = 0;
    int peakWaiting = 0;
    std::size_t requestsServed = 0; // distinct requests that took a token
};

struct PrintLine {
    double t = 0;
    std::string thread;
    std::int64_t request = -1;
    std::string text;
    int stream = 0; // trace::PrintStream: 0 stdout, 1 stderr, 2 the server's error log
};

struct GilWait {
    std::int64_t request = -1;
    std::uint32_t thread = 0;
    double start = 0;
    double end = kOpen;
    std::string where;
};

struct LatencySummary {
    double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0; // ms
};

struct Session {
    double end = 0; // time of the last event seen
    std::vector<RequestTimeline> requests; // sorted by id
    LoopModel loop;
    std::vector<PoolModel> pools; // in the order declared
    std::vector<PrintLine> prints;
    std::vector<GilWait> gilWaits;
    std::map<std::uint32_t, std::string> threads;
    std::vector<std::uint32_t> loopThreads; // threads that ran an event loop

    const RequestTimeline *request(std::int64_t id) const;
    const PoolModel *pool(std::int64_t id) const;
    // The AnyIO-like limiter in front of `def` handlers ("threadpool", "anyio limiter",
    // or another "...limiter" that is not the exit limiter), else the busiest pool.
    const PoolModel *mainLimiter() const;
    std::string threadName(std::uint32_t id) const;
    bool isLoopThread(std::uint32_t id) const;

    int errors() const;        // requests with status >= 400 or none at all once finished
    double wall() const;       // first sent/accepted → last done
    LatencySummary latency() const;
};

// "loop", "loop-2", "loop 2", "loop2": the name an event-loop thread gets (not "loop-watchdog").
bool isLoopThreadName(std::string_view name);

// Percentile (0..100) of unsorted values, nearest-rank with linear interpolation.
double percentile(std::vector<double> values, double p);

} // namespace loopscope::trace
