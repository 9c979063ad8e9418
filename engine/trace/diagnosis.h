// Diagnosis: plain-language findings drawn from a session's data (blocked loop, thread
// tokens exhausted, GIL contention, keep-alive serialisation, responses held by the loop).
#pragma once

#include "session.h"

#include <string>
#include <vector>

namespace loopscope::trace {

struct Finding {
    enum class Severity { Info, Warning, Critical };
    Severity severity = Severity::Info;
    std::string text;  // one or two sentences, with the fix when there is one
    std::string where; // "app.py:14", or empty
    std::string file;  // "app.py", or empty
    int line = 0;      // 0 when unknown
    std::string rule;  // stable id: "loop-blocked", "pool-exhausted", ...
};

const char *severityName(Finding::Severity severity);

// Most severe first; within a severity, by the order the rules run.
std::vector<Finding> diagnose(const Session &session);

} // namespace loopscope::trace
