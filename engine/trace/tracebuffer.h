// Per-thread trace buffers and the hub that drains them.
//
// emit() appends to the calling thread's own buffer: no lock, no allocation except one
// chunk per 4096 events, never a wait on the reader. TraceHub::drain() (one reader at a
// time) collects everything published since its last call. Disabled tracing costs one
// relaxed atomic load per emit().
#pragma once

#include "traceevent.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loopscope::trace {

// Steady-clock nanoseconds.
std::uint64_t now();

bool enabled();
void setEnabled(bool on);

// Names the calling thread in traces ("loop", "worker-3", "client-0"); returns its id.
std::uint32_t setThreadName(std::string_view name);
// The calling thread's id (registers an unnamed thread on first use).
std::uint32_t currentThread();
// Worker (process) index stamped on this thread's events (default 0).
void setCurrentProcess(std::uint16_t process);

// Interns a string (a print's text, a source position, a pool name); returns its id.
// Thread-safe; ids stay valid for the life of the program.
std::uint64_t intern(std::string_view text);
std::string stringAt(std::uint64_t id);

struct ThreadInfo {
    std::uint32_t id;
    std::string name;
};

// Pools are declared once (often before a burst's events are collected): the hub keeps
// every PoolDeclared it saw so a session can name pools whose declaration it missed.
struct PoolInfo {
    std::uint16_t process = 0;
    std::uint64_t id = 0;
    std::uint64_t limit = 0;
    std::string name;
};
std::vector<PoolInfo> declaredPools();

void emitAt(std::uint64_t t, EventKind kind, std::int64_t request = -1, std::uint64_t a = 0,
            std::uint64_t b = 0, std::uint64_t c = 0);

// Records an event now on the calling thread's buffer.
inline void record(EventKind kind, std::int64_t request = -1, std::uint64_t a = 0,
                   std::uint64_t b = 0, std::uint64_t c = 0)
{
    if (enabled())
        emitAt(now(), kind, request, a, b, c);
}

// The time of the calling thread's last recorded event (now() if it has recorded none).
std::uint64_t lastTime();

// Records an event stamped with the time of the calling thread's previous one: for what
// happens together with it (a request named as it is read, a suspension as its run
// ends), without reading the clock again. Only right after that event.
inline void recordWithPrevious(EventKind kind, std::int64_t request = -1, std::uint64_t a = 0,
                               std::uint64_t b = 0, std::uint64_t c = 0)
{
    if (enabled())
        emitAt(lastTime(), kind, request, a, b, c);
}

// Same as record(). Qt defines `emit` as an empty macro: in files that include Qt headers,
// a call `trace::emit(...)` does not compile and an unqualified `emit(...)` silently does
// nothing — call trace::record() there (or build with QT_NO_EMIT and use Q_EMIT).
#ifdef emit
#pragma push_macro("emit")
#undef emit
#define LOOPSCOPE_TRACE_RESTORE_EMIT
#endif
inline void emit(EventKind kind, std::int64_t request = -1, std::uint64_t a = 0,
                 std::uint64_t b = 0, std::uint64_t c = 0)
{
    record(kind, request, a, b, c);
}
#ifdef LOOPSCOPE_TRACE_RESTORE_EMIT
#pragma pop_macro("emit")
#undef LOOPSCOPE_TRACE_RESTORE_EMIT
#endif

class TraceHub {
public:
    static TraceHub &instance();

    // Appends every event published since the previous drain to `out` (per thread in
    // order; threads interleaved). Returns how many were appended.
    std::size_t drain(std::vector<TraceEvent> &out);
    // Drops everything buffered so far (e.g. before a new run starts).
    void discard();
    std::vector<ThreadInfo> threads() const;
    // Bytes held by buffers right now (for the memory benchmark).
    std::size_t bytesBuffered() const;
};

} // namespace loopscope::trace
