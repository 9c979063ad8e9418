// runFile: `loopscope run FILE.py` — runs a module like `python FILE.py` (top-level code,
// asyncio.run), with CPython's stdout/stderr and exit codes.
#pragma once

#include "capacitylimiter.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loopscope::lang {
class Interpreter;
}

namespace loopscope::runtime {

struct RunOptions {
    bool gil = true;                 // --gil on|off
    double switchInterval = 0.005;   // sys.setswitchinterval
    CapacityLimiter::WakeOrder limiterOrder = CapacityLimiter::WakeOrder::Fifo; // --limiter
    int threads = 40;                // --threads: the default thread limiter's tokens
    int cpuCount = 0;                // 0 = the machine's
    std::vector<std::string> args;   // sys.argv[1:]
    // Registers more native modules (fastapi, ...) in the interpreter and in every
    // process-pool worker interpreter.
    std::function<void(lang::Interpreter &)> configureInterpreter;
    // Where print() and tracebacks go (default: the process's stdout/stderr).
    std::function<void(std::string_view text, bool isStderr)> output;
};

// Exit status as CPython's: 0, 1 after an uncaught exception (traceback on stderr), 2 when
// the file cannot be opened, SystemExit's code.
int runFile(const std::string &path, const RunOptions &options = {});

} // namespace loopscope::runtime
