// Compiler: syntax tree (ast.h) to Code. Resolves scopes (locals in slots, cells for
// closures, globals, class namespaces) and emits the stack bytecode of code.h.
#pragma once

#include "ast.h"
#include "code.h"

#include <memory>
#include <optional>
#include <string>

namespace loopscope::lang {

struct CompileIssue {
    std::string message;
    int line = 0, column = 0, endLine = 0, endColumn = 0;
};

struct CompiledModule {
    std::shared_ptr<const Code> code;
    std::optional<CompileIssue> error;
};

CompiledModule compileModule(const ast::Module &module, const std::string &filename);

} // namespace loopscope::lang
