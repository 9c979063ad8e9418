// Tokens of the endpoint language, as Python's tokenizer produces them, and the
// syntax error record shared by the lexer, the parser and everyone who reports errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loopscope::lang {

// A syntax error, positioned as CPython's SyntaxError: 1-based line, 1-based
// character column (offset) and the end just past the last character.
struct SyntaxErrorInfo {
    std::string type = "SyntaxError"; // "SyntaxError" | "IndentationError" | "TabError"
    std::string message;
    std::string filename;
    int line = 0;
    int column = 0;
    int endLine = 0;
    int endColumn = 0;
    std::string sourceLine; // the text of `line`, with its newline if it had one
};

enum class TokenKind : std::uint8_t {
    EndMarker,
    Newline,
    Indent,
    Dedent,
    Name,   // identifiers and keywords
    Number, // raw text, e.g. 0x_ff, 1e-3, 5j
    String, // one literal with prefix and quotes, e.g. rb'..', f"""..."""
    Op,     // operators and delimiters, incl. '...' and stray characters such as '$'
};

struct Token {
    TokenKind kind = TokenKind::EndMarker;
    std::string_view text;  // a view into the source
    int line = 0;
    int column = 0;         // 1-based character column of the first character
    int endLine = 0;
    int endColumn = 0;      // 1-based column just past the last character
    int level = 0;          // bracket nesting depth at the start of the token
    std::size_t offset = 0; // byte offset of the first character in the source

    bool is(TokenKind k, std::string_view t) const { return kind == k && text == t; }
    bool isOp(std::string_view t) const { return kind == TokenKind::Op && text == t; }
    bool isName(std::string_view t) const { return kind == TokenKind::Name && text == t; }
};

const char *tokenKindName(TokenKind kind);

} // namespace loopscope::lang
