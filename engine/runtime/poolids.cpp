// Pool ids and their trace events.
#include "poolids.h"

#include "trace/tracebuffer.h"

#include <atomic>

namespace loopscope::runtime {

std::uint64_t declarePool(std::string_view name, int limit)
{
    static std::atomic<std::uint64_t> next{1};
    const std::uint64_t id = next.fetch_add(1);
    trace::emit(trace::EventKind::PoolDeclared, -1, id, std::uint64_t(limit < 0 ? 0 : limit),
                trace::intern(name));
    return id;
}

void emitPoolState(std::uint64_t poolId, int busy, int waiting, std::int64_t request)
{
    trace::emit(trace::EventKind::PoolState, request, poolId, std::uint64_t(busy), std::uint64_t(waiting));
}

} // namespace loopscope::runtime
