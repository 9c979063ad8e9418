// Per-thread chunked single-producer buffers, registered with one hub.
#include "tracebuffer.h"

#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_map>

namespace loopscope::trace {

namespace {

constexpr std::size_t kChunkEvents = 4096;

struct Chunk {
    // Left uninitialised: every slot is written before it is published, and zeroing
    // 192 KiB per chunk would double the cost of the emits that allocate one.
    union {
        TraceEvent events[kChunkEvents];
    };
    std::atomic<std::size_t> published{0};
    std::atomic<Chunk *> next{nullptr};
    Chunk() {}
    ~Chunk() {}
};
static_assert(std::is_trivially_destructible_v<TraceEvent>);

// Written by its thread only; read by the hub. The hub frees chunks it has consumed and,
// once the thread has exited and everything is consumed, the buffer itself.
struct ThreadBuffer {
    std::uint32_t id = 0;
    std::uint16_t process = 0;
    Chunk *head = nullptr;   // producer's current chunk
    Chunk *tail = nullptr;   // reader's current chunk
    std::size_t readPos = 0; // reader's position in tail
    std::atomic<bool> exited{false};
};

std::atomic<bool> g_enabled{true};

struct Registry {
    mutable std::mutex mutex;
    std::vector<ThreadBuffer *> buffers;
    std::vector<ThreadInfo> threads;
    std::mutex drainMutex;

    // Drained chunks are kept for reuse: a fresh chunk costs ~50 page faults.
    std::mutex spareMutex;
    std::vector<Chunk *> spare;

    std::mutex poolMutex;
    std::vector<PoolInfo> pools;

    std::mutex stringMutex;
    std::deque<std::string> strings;
    std::unordered_map<std::string_view, std::uint64_t> stringIds;
};

Registry &registry()
{
    static Registry *r = new Registry; // lives for the whole program, drained by any thread
    return *r;
}

struct ThreadSlot {
    ThreadBuffer *buffer = nullptr;
    ~ThreadSlot()
    {
        if (buffer)
            buffer->exited.store(true, std::memory_order_release);
    }
};
thread_local ThreadSlot t_slot;

constexpr std::size_t kMaxSpareChunks = 64; // 12 MiB

Chunk *newChunk()
{
    Registry &r = registry();
    {
        std::lock_guard lock(r.spareMutex);
        if (!r.spare.empty()) {
            Chunk *c = r.spare.back();
            r.spare.pop_back();
            c->published.store(0, std::memory_order_relaxed);
            c->next.store(nullptr, std::memory_order_relaxed);
            return c;
        }
    }
    return new Chunk;
}

// Only for chunks no producer will touch again (fully published and followed by another,
// or belonging to a thread that has exited).
void recycleChunk(Chunk *c)
{
    Registry &r = registry();
    {
        std::lock_guard lock(r.spareMutex);
        if (r.spare.size() < kMaxSpareChunks) {
            r.spare.push_back(c);
            return;
        }
    }
    delete c;
}

ThreadBuffer *registerThread(std::string_view name)
{
    auto *b = new ThreadBuffer;
    b->head = b->tail = newChunk();
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    b->id = static_cast<std::uint32_t>(r.threads.size());
    r.threads.push_back({b->id, name.empty() ? "thread-" + std::to_string(b->id)
                                             : std::string(name)});
    r.buffers.push_back(b);
    return b;
}

ThreadBuffer *threadBuffer()
{
    if (!t_slot.buffer)
        t_slot.buffer = registerThread({});
    return t_slot.buffer;
}

} // namespace

std::uint64_t now()
{
#if defined(__linux__)
    // What steady_clock reads on Linux, asked for directly: one call less per event.
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
#else
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
#endif
}

bool enabled() { return g_enabled.load(std::memory_order_relaxed); }
void setEnabled(bool on) { g_enabled.store(on, std::memory_order_relaxed); }

std::uint32_t setThreadName(std::string_view name)
{
    if (!t_slot.buffer) {
        t_slot.buffer = registerThread(name);
    } else {
        Registry &r = registry();
        std::lock_guard lock(r.mutex);
        r.threads[t_slot.buffer->id].name = std::string(name);
    }
    return t_slot.buffer->id;
}

std::uint32_t currentThread() { return threadBuffer()->id; }

void setCurrentProcess(std::uint16_t process) { threadBuffer()->process = process; }

namespace {

// A per-thread memo in front of the shared table: the same few strings (a task's label,
// a request's method and path) come again on every request, and the table's mutex would
// be taken for each. Keys view the table's own strings, which never move or go away.
constexpr std::size_t kMemoEntries = 4096;
thread_local bool t_memoGone = false; // plain: still readable while the thread exits
struct InternMemo {
    std::unordered_map<std::string_view, std::uint64_t> ids;
    ~InternMemo() { t_memoGone = true; } // a later intern() (another destructor) goes to the table
};
thread_local InternMemo t_internMemo;

} // namespace

std::uint64_t intern(std::string_view text)
{
    const bool memo = !t_memoGone;
    if (memo) {
        if (auto it = t_internMemo.ids.find(text); it != t_internMemo.ids.end())
            return it->second;
    }
    Registry &r = registry();
    std::uint64_t id;
    std::string_view stored;
    {
        std::lock_guard lock(r.stringMutex);
        if (auto it = r.stringIds.find(text); it != r.stringIds.end()) {
            id = it->second;
            stored = it->first;
        } else {
            r.strings.emplace_back(text);
            id = r.strings.size() - 1;
            stored = r.strings.back();
            r.stringIds.emplace(stored, id);
        }
    }
    if (memo) {
        if (t_internMemo.ids.size() >= kMemoEntries) // unique strings (prints, paths with {i}) would pile up
            t_internMemo.ids.clear();
        t_internMemo.ids.emplace(stored, id);
    }
    return id;
}

std::string stringAt(std::uint64_t id)
{
    Registry &r = registry();
    std::lock_guard lock(r.stringMutex);
    return id < r.strings.size() ? r.strings[id] : std::string();
}

namespace {

void rememberPool(std::uint16_t process, std::uint64_t id, std::uint64_t limit, std::uint64_t name)
{
    std::string text = stringAt(name);
    Registry &r = registry();
    std::lock_guard lock(r.poolMutex);
    for (PoolInfo &p : r.pools) {
        if (p.process == process && p.id == id) {
            p.limit = limit;
            p.name = std::move(text);
            return;
        }
    }
    r.pools.push_back({process, id, limit, std::move(text)});
}

} // namespace

std::vector<PoolInfo> declaredPools()
{
    Registry &r = registry();
    std::lock_guard lock(r.poolMutex);
    return r.pools;
}

void emitAt(std::uint64_t t, EventKind kind, std::int64_t request, std::uint64_t a,
            std::uint64_t b, std::uint64_t c)
{
    ThreadBuffer *buf = threadBuffer();
    if (kind == EventKind::PoolDeclared) [[unlikely]]
        rememberPool(buf->process, a, b, c);
    Chunk *chunk = buf->head;
    std::size_t n = chunk->published.load(std::memory_order_relaxed);
    if (n == kChunkEvents) {
        Chunk *fresh = newChunk();
        chunk->next.store(fresh, std::memory_order_release);
        buf->head = chunk = fresh;
        n = 0;
    }
    TraceEvent &e = chunk->events[n];
    e.t = t;
    e.request = request;
    e.a = a;
    e.b = b;
    e.c = c;
    e.kind = kind;
    e.process = buf->process;
    e.thread = buf->id;
    chunk->published.store(n + 1, std::memory_order_release);
}

std::uint64_t lastTime()
{
    // The head chunk is written by this thread only; a fresh one has nothing yet.
    const Chunk *chunk = threadBuffer()->head;
    const std::size_t n = chunk->published.load(std::memory_order_relaxed);
    return n > 0 ? chunk->events[n - 1].t : now();
}

TraceHub &TraceHub::instance()
{
    static TraceHub hub;
    return hub;
}

std::size_t TraceHub::drain(std::vector<TraceEvent> &out)
{
    Registry &r = registry();
    std::lock_guard drainLock(r.drainMutex);
    std::vector<ThreadBuffer *> buffers;
    {
        std::lock_guard lock(r.mutex);
        buffers = r.buffers;
    }
    std::size_t appended = 0;
    std::vector<ThreadBuffer *> finished;
    for (ThreadBuffer *b : buffers) {
        // Read `exited` before the data: if the thread had exited, everything it wrote
        // is visible now and the buffer can go once drained.
        const bool exited = b->exited.load(std::memory_order_acquire);
        for (;;) {
            Chunk *chunk = b->tail;
            const std::size_t published = chunk->published.load(std::memory_order_acquire);
            if (b->readPos < published) {
                out.insert(out.end(), chunk->events + b->readPos, chunk->events + published);
                appended += published - b->readPos;
                b->readPos = published;
            }
            Chunk *next = chunk->next.load(std::memory_order_acquire);
            if (published == kChunkEvents && next) {
                b->tail = next;
                b->readPos = 0;
                recycleChunk(chunk);
                continue;
            }
            break;
        }
        if (exited)
            finished.push_back(b);
    }
    if (!finished.empty()) {
        std::lock_guard lock(r.mutex);
        for (ThreadBuffer *b : finished) {
            std::erase(r.buffers, b);
            recycleChunk(b->tail);
            delete b;
        }
    }
    return appended;
}

void TraceHub::discard()
{
    std::vector<TraceEvent> sink;
    drain(sink);
}

std::vector<ThreadInfo> TraceHub::threads() const
{
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    return r.threads;
}

std::size_t TraceHub::bytesBuffered() const
{
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    std::size_t bytes = 0;
    for (ThreadBuffer *b : r.buffers) {
        for (Chunk *c = b->tail; c; c = c->next.load(std::memory_order_acquire))
            bytes += sizeof(Chunk);
    }
    return bytes;
}

} // namespace loopscope::trace
