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

using KeywordList = std::vector<std::pair<std::string, lang::Value>>;

} // namespace loopscope::fastapi
