// The tokenizer of the endpoint language: Python 3.11's rules for the subset Loopscope
// runs (indentation, implicit and explicit line joining, all string prefixes, numbers,
// operators) and CPython's tokenizer error messages.
#pragma once

#include "token.h"
#include "utf8.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loopscope::lang {

// Thrown by Lexer::next() and by the parser; carries CPython's type, message and
// position. The parser fills in the file name and the source line.
struct LexError {
    SyntaxErrorInfo info;
    // For "'(' was never closed" at the end of the input: the line of the bracket.
    int unclosedParenLine = 0;
};

class Lexer {
public:
    // `source` must outlive the lexer and every token it returns. Newlines are '\n'
    // (the parser normalises "\r\n" and '\r' before lexing). firstLine/firstColumn
    // shift every position (used for expressions inside f-strings).
    explicit Lexer(std::string_view source, int firstLine = 1, int firstColumn = 1);

    // The next token; ENDMARKER forever once the end is reached. Throws LexError.
    Token next();

    // Parentheses nesting limit, as CPython's tokenizer (MAXLEVEL).
    static constexpr int kMaxParenLevel = 200;
    // Indentation nesting limit, as CPython's tokenizer (MAXINDENT).
    static constexpr int kMaxIndent = 100;

private:
    struct Paren {
        char ch;
        int line;
        int column;
    };

    unsigned char peekByte(std::size_t ahead = 0) const;
    void advance();
    Token make(TokenKind kind, std::size_t start, int line, int column);
    [[noreturn]] void fail(std::string message, int line, int column, int endLine, int endColumn,
                           const char *type = "SyntaxError");
    Token lexNumber(std::size_t start, int line, int column);
    Token lexString(std::size_t start, int line, int column);
    std::size_t identifierLength(std::size_t at, bool *invalidChar, char32_t *badChar) const;
    bool computeIndentation(int &col, int &altcol);

    std::string_view m_src;
    std::size_t m_pos = 0;
    int m_line = 1;
    int m_col = 1;
    int m_lineBase = 0;
    int m_colBase = 0;
    bool m_atLineStart = true;
    bool m_lineHasTokens = false; // a token other than NEWLINE was produced on this logical line
    bool m_done = false;
    int m_pendingDedents = 0;
    std::vector<int> m_indents{0};
    std::vector<int> m_altIndents{0};
    std::vector<Paren> m_parens;
};

// Decodes one string literal token (prefix, quotes, escapes) into UTF-8 text (or bytes).
// Not for f-strings (the parser splits those). Throws LexError for bad escapes.
struct DecodedString {
    std::string value;
    bool isBytes = false;
    bool isRaw = false;
    bool isFString = false;
    std::size_t bodyOffset = 0; // byte offset of the body within the token text
    std::size_t bodyLength = 0;
};
DecodedString splitStringToken(std::string_view tokenText);
// Decodes backslash escapes of a non-raw body; `isBytes` restricts to bytes escapes.
std::string decodeEscapes(std::string_view body, bool isBytes, bool *ok, std::string *error);

// Tokenizes a whole source (tests and tools): the tokens, or the first error.
std::vector<Token> tokenize(std::string_view source, std::optional<SyntaxErrorInfo> *error);

} // namespace loopscope::lang
