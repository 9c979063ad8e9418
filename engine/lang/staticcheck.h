// Static checks of an endpoint file: the concurrency mistakes the seeds warn about,
// found in the tree before anything runs (blocking calls inside async def, helpers
// that block although they are awaited, coroutines that are never awaited, imports of
// modules Loopscope does not emulate).
#pragma once

#include "ast.h"

#include <string>
#include <vector>

namespace loopscope::lang {

struct Diagnostic {
    enum Severity { Warning, Error };
    Severity severity = Warning;
    std::string message;
    int line = 0;
    int column = 0; // 1-based, as ast::Span
    int endLine = 0;
    int endColumn = 0;
    // "blocking-call", "blocking-helper", "loop-without-await", "not-awaited",
    // "asyncio-run-in-loop", "unknown-module", "partial-module", "relative-import"
    std::string code;
};

// All findings, in source order.
std::vector<Diagnostic> checkModule(const ast::Module &module);

} // namespace loopscope::lang
