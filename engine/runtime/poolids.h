// Pool identities for traces: every limiter, worker pool and executor gets one id and
// announces itself (trace::PoolDeclared) so the session model can name its series.
#pragma once

#include <cstdint>
#include <string_view>

namespace loopscope::runtime {

// Allocates a pool id and emits PoolDeclared(id, limit, name).
std::uint64_t declarePool(std::string_view name, int limit);
// Emits PoolState(id, busy, waiting).
void emitPoolState(std::uint64_t poolId, int busy, int waiting, std::int64_t request = -1);

} // namespace loopscope::runtime
