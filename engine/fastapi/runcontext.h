// What the FastAPI layer needs to run Python code for a request: the interpreter (one
// simulated process) and the event loop of the thread that serves it.
#pragma once

#include "lang/value.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace loopscope::lang {
class Interpreter;
}
namespace loopscope::runtime {
class EventLoop;
}

namespace loopscope::fastapi {

struct RunContext {
    std::shared_ptr<lang::Interpreter> interp;
    runtime::EventLoop *loop = nullptr;
};

// The outcome of running Python code: `exception` is None on success. Always called on
// the loop thread; the GIL may or may not be held (take a GilScope).
using Completion = std::function<void(lang::Value result, lang::Value exception)>;

using KeywordList = std::vector<std::pair<std::string, lang::Value>>;

} // namespace loopscope::fastapi
