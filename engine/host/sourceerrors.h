// Turning the language's errors (compile errors, import-time exceptions, static-check
// findings) into SourceError, the host's one shape for "something is wrong at line N".
#pragma once

#include "enginesettings.h"

#include "lang/value.h"

#include <string>

namespace loopscope::lang {
class ThreadState;
struct CompileError;
} // namespace loopscope::lang

namespace loopscope::host {

SourceError sourceErrorFromCompile(const lang::CompileError &error);
// The traceback as CPython prints it; the line is the innermost frame in `fileName`.
SourceError sourceErrorFromException(lang::ThreadState &ts, const lang::Value &exception, const std::string &fileName);
// From a traceback's text alone: message = its last line, line = the innermost
// `File "<fileName>", line N`.
SourceError sourceErrorFromTraceback(const QString &traceback, const QString &fileName);

// The one line a command prints for it: `File "app.py", line 3: SyntaxError: expected ':'`.
QString oneLine(const SourceError &error, const QString &fileName);

} // namespace loopscope::host
