// ThreadpoolCall: Starlette's run_in_threadpool / AnyIO's to_thread.run_sync. The call
// waits on the loop for a limiter token (none when `limiter` is null: the unlimited
// exit of a `def` dependency with yield), runs on a worker thread with the token held,
// and completes on the loop thread, where the token is given back.
#pragma once

#include "runcontext.h"

#include <vector>

namespace loopscope::runtime {
class CapacityLimiter;
}

namespace loopscope::fastapi {

class ThreadpoolCall {
public:
    static void run(const RunContext &ctx, runtime::CapacityLimiter *limiter, lang::Value callable,
                    std::vector<lang::Value> args, KeywordList kwargs, std::int64_t request, Completion done);
};

} // namespace loopscope::fastapi
