// The parser of the endpoint language: source text to the syntax tree of ast.h, with
// CPython 3.11's syntax error messages and positions for the common mistakes.
#pragma once

#include "ast.h"
#include "token.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace loopscope::lang {

struct ParseResult {
    std::unique_ptr<ast::Module> module; // null when there is an error
    std::optional<SyntaxErrorInfo> error;
};

// Parses a whole module. Never throws, never crashes on bad input: any source gives a
// module or a SyntaxError/IndentationError/TabError positioned as CPython positions it,
// including the errors CPython reports while compiling ('return' outside function,
// 'await' outside function, 'break' outside loop, duplicate argument names...).
ParseResult parseModule(std::string_view source, std::string filename);

// What CPython prints for an uncaught SyntaxError in a script:
//   File "x.py", line 3
//     if x
//         ^
// SyntaxError: expected ':'
// Every line ends with '\n'.
std::string formatSyntaxError(const SyntaxErrorInfo &error);

// The tree in the exact format of Python's `ast.dump(tree)` (3.11), for tests and
// debugging: `Module(body=[Expr(value=Constant(value=1))], type_ignores=[])`.
// With `positions`, also the node attributes (lineno, col_offset, end_lineno,
// end_col_offset) as `ast.dump(tree, include_attributes=True)`.
std::string dumpModule(const ast::Module &module, bool positions = false);
std::string dumpExpr(const ast::Expr &expr);

// Python's repr() of a float (shortest round-trip digits, '1e-05', 'inf', '100.0').
std::string floatRepr(double value);
// Python's repr() of a str given as UTF-8 (quote choice and escapes as CPython).
std::string stringRepr(std::string_view utf8);
// Python's repr() of a bytes value.
std::string bytesRepr(std::string_view bytes);

} // namespace loopscope::lang
