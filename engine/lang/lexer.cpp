// The tokenizer: a streaming lexer that follows CPython 3.11's tokenizer closely enough
// that error messages and positions match it for the common mistakes.
#include "lexer.h"

#include <cstdio>
#include <cstring>

namespace loopscope::lang {

const char *tokenKindName(TokenKind kind)
{
    switch (kind) {
    case TokenKind::EndMarker: return "ENDMARKER";
    case TokenKind::Newline: return "NEWLINE";
    case TokenKind::Indent: return "INDENT";
    case TokenKind::Dedent: return "DEDENT";
    case TokenKind::Name: return "NAME";
    case TokenKind::Number: return "NUMBER";
    case TokenKind::String: return "STRING";
    case TokenKind::Op: return "OP";
    }
    return "?";
}

namespace {

bool isIdentStartAscii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(unsigned char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isPotentialIdentifierChar(unsigned char c) { return isIdentStartAscii(c) || isDigit(c) || c >= 0x80; }

// Without a Unicode database: letters of the common scripts are identifier characters;
// punctuation, symbols and spaces are not (CPython: "invalid character").
bool isIdentifierCodePoint(char32_t cp)
{
    if (cp < 0x80)
        return isIdentStartAscii(static_cast<unsigned char>(cp)) || isDigit(static_cast<unsigned char>(cp));
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF) // punctuation, symbols, arrows, math, boxes
        return cp == 0x2071 || cp == 0x207F || (cp >= 0x2090 && cp <= 0x209C) || (cp >= 0x2102 && cp <= 0x2149);
    if (cp >= 0x3000 && cp <= 0x3003)
        return false;
    if (cp >= 0xFF00 && cp <= 0xFF0F)
        return false;
    if (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
        return false;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) // emoji and pictographs
        return false;
    if (cp == 0xFEFF || cp == 0x2028 || cp == 0x2029)
        return false;
    return true;
}

bool isPrintableCodePoint(char32_t cp)
{
    if (cp < 0x20 || cp == 0x7F)
        return false;
    if (cp >= 0x80 && cp < 0xA0)
        return false;
    if (cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E)
        || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xE000 && cp <= 0xF8FF))
        return false;
    if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x205F || cp == 0x3000)
        return false; // separators are not printable for str.isprintable
    return true;
}

std::string hex4(char32_t cp)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(cp));
    return buf;
}

} // namespace

Lexer::Lexer(std::string_view source, int firstLine, int firstColumn)
    : m_src(source), m_lineBase(firstLine - 1), m_colBase(firstColumn - 1)
{
}

unsigned char Lexer::peekByte(std::size_t ahead) const
{
    const std::size_t p = m_pos + ahead;
    return p < m_src.size() ? static_cast<unsigned char>(m_src[p]) : 0;
}

void Lexer::advance()
{
    if (m_pos >= m_src.size())
        return;
    const auto c = static_cast<unsigned char>(m_src[m_pos]);
    ++m_pos;
    if (c == '\n') {
        ++m_line;
        m_col = 1;
    } else if ((c & 0xC0) != 0x80) {
        ++m_col;
    }
}

Token Lexer::make(TokenKind kind, std::size_t start, int line, int column)
{
    Token t;
    t.kind = kind;
    t.text = m_src.substr(start, m_pos - start);
    t.offset = start;
    t.line = line + m_lineBase;
    t.column = column + (line == 1 ? m_colBase : 0);
    t.endLine = m_line + m_lineBase;
    t.endColumn = m_col + (m_line == 1 ? m_colBase : 0);
    t.level = static_cast<int>(m_parens.size());
    if (kind != TokenKind::Newline && kind != TokenKind::Indent && kind != TokenKind::Dedent
        && kind != TokenKind::EndMarker)
        m_lineHasTokens = true;
    return t;
}

void Lexer::fail(std::string message, int line, int column, int endLine, int endColumn, const char *type)
{
    LexError e;
    e.info.type = type;
    e.info.message = std::move(message);
    e.info.line = line + m_lineBase;
    e.info.column = column + (line == 1 && column > 0 ? m_colBase : 0);
    e.info.endLine = endLine + m_lineBase;
    e.info.endColumn = endColumn + (endLine == 1 && endColumn > 0 ? m_colBase : 0);
    throw e;
}

// Measures the indentation of the line at m_pos as CPython does: `col` with tabs to
// the next multiple of 8, `altcol` with tabs as 1 (TabError when they disagree).
// Returns false for blank and comment-only lines.
bool Lexer::computeIndentation(int &col, int &altcol)
{
    col = 0;
    altcol = 0;
    for (;;) {
        const unsigned char c = peekByte();
        if (c == ' ') {
            ++col;
            ++altcol;
        } else if (c == '\t') {
            col = (col / 8 + 1) * 8;
            altcol = altcol + 1;
        } else if (c == '\f') {
            col = altcol = 0;
        } else if (c == '\r') {
            // stray carriage return: whitespace
        } else {
            break;
        }
        advance();
    }
    const unsigned char c = peekByte();
    return !(c == '#' || c == '\n' || m_pos >= m_src.size() || (c == '\\' && peekByte(1) == '\n'));
}

Token Lexer::next()
{
    for (;;) {
        if (m_pendingDedents > 0) {
            --m_pendingDedents;
            return make(TokenKind::Dedent, m_pos, m_line, m_col);
        }
        if (m_done)
            return make(TokenKind::EndMarker, m_pos, m_line, m_col);

        if (m_atLineStart) {
            m_atLineStart = false;
            if (m_parens.empty()) {
                int col = 0, altcol = 0;
                const int lineOfIndent = m_line;
                if (computeIndentation(col, altcol)) {
                    const int top = m_indents.back();
                    const int altTop = m_altIndents.back();
                    if (col == top) {
                        if (altcol != altTop)
                            fail("inconsistent use of tabs and spaces in indentation", lineOfIndent, 1,
                                 lineOfIndent, 0, "TabError");
                    } else if (col > top) {
                        if (static_cast<int>(m_indents.size()) >= kMaxIndent)
                            fail("too many levels of indentation", lineOfIndent, m_col, lineOfIndent, m_col,
                                 "IndentationError");
                        if (altcol <= altTop)
                            fail("inconsistent use of tabs and spaces in indentation", lineOfIndent, 1,
                                 lineOfIndent, 0, "TabError");
                        m_indents.push_back(col);
                        m_altIndents.push_back(altcol);
                        Token t = make(TokenKind::Indent, m_pos, m_line, m_col);
                        // CPython reports an unexpected indent at the indentation width.
                        t.column = m_col - 1 + (m_line == 1 ? m_colBase : 0);
                        return t;
                    } else {
                        int dedents = 0;
                        while (m_indents.size() > 1 && col < m_indents.back()) {
                            m_indents.pop_back();
                            m_altIndents.pop_back();
                            ++dedents;
                        }
                        if (col != m_indents.back()) {
                            std::size_t eol = m_src.find('\n', m_pos);
                            if (eol == std::string_view::npos)
                                eol = m_src.size();
                            int width = m_col;
                            for (std::size_t k = m_pos; k < eol; ++k)
                                if ((static_cast<unsigned char>(m_src[k]) & 0xC0) != 0x80)
                                    ++width;
                            fail("unindent does not match any outer indentation level", lineOfIndent, width,
                                 lineOfIndent, -1, "IndentationError");
                        }
                        if (altcol != m_altIndents.back())
                            fail("inconsistent use of tabs and spaces in indentation", lineOfIndent, 1,
                                 lineOfIndent, 0, "TabError");
                        m_pendingDedents = dedents;
                        continue;
                    }
                }
            }
        }

        // Skip spaces, comments and line continuations.
        for (;;) {
            const unsigned char c = peekByte();
            if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
                advance();
            } else if (c == '#') {
                while (m_pos < m_src.size() && peekByte() != '\n')
                    advance();
            } else if (c == '\\') {
                if (peekByte(1) == '\n') {
                    advance();
                    advance();
                    if (m_pos >= m_src.size())
                        fail("unexpected EOF while parsing", m_line, m_col, m_line, m_col);
                } else if (m_pos + 1 >= m_src.size()) {
                    advance();
                    fail("unexpected EOF while parsing", m_line, m_col, m_line, m_col);
                } else {
                    advance();
                    fail("unexpected character after line continuation character", m_line, m_col - 1, m_line,
                         m_col - 1);
                }
            } else {
                break;
            }
        }

        const std::size_t start = m_pos;
        const int line = m_line;
        const int column = m_col;

        if (m_pos >= m_src.size()) {
            if (!m_parens.empty()) {
                const Paren &p = m_parens.back();
                LexError e;
                e.info.message = std::string("'") + p.ch + "' was never closed";
                e.info.line = p.line + m_lineBase;
                e.info.column = p.column + (p.line == 1 ? m_colBase : 0);
                e.info.endLine = e.info.line;
                e.info.endColumn = 0;
                e.info.type = "SyntaxError";
                e.unclosedParenLine = e.info.line;
                throw e;
            }
            if (m_lineHasTokens) {
                m_lineHasTokens = false;
                Token t = make(TokenKind::Newline, start, line, column);
                t.text = std::string_view();
                return t;
            }
            m_done = true;
            m_pendingDedents = static_cast<int>(m_indents.size()) - 1;
            m_indents.resize(1);
            m_altIndents.resize(1);
            continue;
        }

        const unsigned char c = peekByte();
        if (c == '\n') {
            advance();
            m_atLineStart = true;
            if (!m_parens.empty() || !m_lineHasTokens)
                continue; // implicit joining, or a blank line
            m_lineHasTokens = false;
            Token t = make(TokenKind::Newline, start, line, column);
            t.endLine = t.line;
            t.endColumn = t.column;
            return t;
        }

        // Identifiers, keywords and string prefixes.
        if (isIdentStartAscii(c) || c >= 0x80) {
            bool invalid = false;
            char32_t bad = 0;
            const std::size_t len = identifierLength(m_pos, &invalid, &bad);
            if (invalid) {
                // Advance to the bad character to report its column.
                std::size_t at = m_pos;
                while (at < m_src.size()) {
                    char32_t cp = 0;
                    const int n = decodeUtf8(m_src, at, &cp);
                    if (n == 0 || !isIdentifierCodePoint(cp) || cp == bad)
                        break;
                    at += n;
                }
                while (m_pos < at)
                    advance();
                if (!isPrintableCodePoint(bad))
                    fail("invalid non-printable character U+" + hex4(bad), m_line, m_col, m_line, m_col);
                std::string msg = "invalid character '";
                appendUtf8(msg, bad);
                msg += "' (U+" + hex4(bad) + ")";
                fail(msg, m_line, m_col, m_line, m_col);
            }
            // String prefix?
            const unsigned char q = peekByte(len);
            if ((q == '"' || q == '\'') && len <= 2) {
                std::string p(m_src.substr(m_pos, len));
                for (auto &ch : p)
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (p == "r" || p == "b" || p == "f" || p == "u" || p == "rb" || p == "br" || p == "fr"
                    || p == "rf") {
                    for (std::size_t k = 0; k < len; ++k)
                        advance();
                    return lexString(start, line, column);
                }
            }
            for (std::size_t k = 0; k < len; ++k)
                advance();
            return make(TokenKind::Name, start, line, column);
        }

        if (isDigit(c) || (c == '.' && isDigit(peekByte(1))))
            return lexNumber(start, line, column);

        if (c == '"' || c == '\'')
            return lexString(start, line, column);

        // Brackets.
        if (c == '(' || c == '[' || c == '{') {
            advance();
            if (static_cast<int>(m_parens.size()) >= kMaxParenLevel)
                fail("too many nested parentheses", line, column, line, column);
            Token t = make(TokenKind::Op, start, line, column);
            m_parens.push_back({static_cast<char>(c), line, column});
            return t;
        }
        if (c == ')' || c == ']' || c == '}') {
            advance();
            if (m_parens.empty())
                fail(std::string("unmatched '") + static_cast<char>(c) + "'", line, column, line, column);
            const Paren open = m_parens.back();
            const char expected = open.ch == '(' ? ')' : open.ch == '[' ? ']' : '}';
            if (c != static_cast<unsigned char>(expected)) {
                std::string msg = std::string("closing parenthesis '") + static_cast<char>(c)
                    + "' does not match opening parenthesis '" + open.ch + "'";
                if (open.line != line)
                    msg += " on line " + std::to_string(open.line + m_lineBase);
                fail(msg, line, column, line, column);
            }
            m_parens.pop_back();
            return make(TokenKind::Op, start, line, column);
        }

        // Operators: longest match first.
        static const char *const three[] = {"**=", "//=", ">>=", "<<=", "...", "!=", nullptr};
        static const char *const two[] = {"**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", ":=", "+=",
                                          "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<>", nullptr};
        const std::string_view rest = m_src.substr(m_pos);
        for (int k = 0; three[k]; ++k) {
            const std::size_t n = std::strlen(three[k]);
            if (rest.substr(0, n) == three[k]) {
                for (std::size_t j = 0; j < n; ++j)
                    advance();
                return make(TokenKind::Op, start, line, column);
            }
        }
        for (int k = 0; two[k]; ++k) {
            if (rest.substr(0, 2) == two[k]) {
                advance();
                advance();
                return make(TokenKind::Op, start, line, column);
            }
        }
        if (std::strchr("+-*/%&|^~<>=.,:;@!", c) && c != 0) {
            advance();
            return make(TokenKind::Op, start, line, column);
        }
        if (c < 0x20 || c == 0x7F) {
            if (c == 0)
                fail("source code cannot contain null bytes", line, 0, line, 0);
            fail("invalid non-printable character U+" + hex4(c), line, column, line, column + 1);
        }
        // '$', '?', '`': an error token the parser rejects with "invalid syntax".
        advance();
        return make(TokenKind::Op, start, line, column);
    }
}

// Length in bytes of the identifier at `at`; flags the first character that cannot be
// part of an identifier when it is non-ASCII (CPython's "invalid character").
std::size_t Lexer::identifierLength(std::size_t at, bool *invalidChar, char32_t *badChar) const
{
    std::size_t i = at;
    while (i < m_src.size()) {
        const auto c = static_cast<unsigned char>(m_src[i]);
        if (c < 0x80) {
            if (!isIdentStartAscii(c) && !isDigit(c))
                break;
            ++i;
            continue;
        }
        char32_t cp = 0;
        const int n = decodeUtf8(m_src, i, &cp);
        if (n == 0) {
            *invalidChar = true;
            *badChar = c;
            return i - at;
        }
        if (!isIdentifierCodePoint(cp)) {
            *invalidChar = true;
            *badChar = cp;
            return i - at;
        }
        i += n;
    }
    return i - at;
}

Token Lexer::lexNumber(std::size_t start, int line, int column)
{
    // Error columns follow CPython: the number of characters before the current one.
    auto failHere = [&](const std::string &msg) { fail(msg, m_line, m_col - 1, m_line, m_col - 1); };
    auto decimalTail = [&]() {
        for (;;) {
            while (isDigit(peekByte()))
                advance();
            if (peekByte() != '_')
                break;
            advance();
            if (!isDigit(peekByte()))
                failHere("invalid decimal literal");
        }
    };
    auto verifyEnd = [&](const char *kind) {
        const unsigned char c = peekByte();
        // Keywords that may follow a number in valid code: 1if x else 2, 0or 1.
        auto ahead = [&](const char *word) {
            const std::size_t n = std::strlen(word);
            return m_src.substr(m_pos, n) == word;
        };
        if (ahead("and") || ahead("else") || ahead("for") || ahead("if") || ahead("in") || ahead("is")
            || ahead("or") || ahead("not"))
            return;
        if (isPotentialIdentifierChar(c)) {
            failHere(std::string("invalid ") + kind + " literal");
        }
    };
    auto exponentAndImaginary = [&](bool allowExponent) {
        if (allowExponent && (peekByte() == 'e' || peekByte() == 'E')) {
            const std::size_t save = m_pos;
            const int saveLine = m_line, saveCol = m_col;
            advance();
            if (peekByte() == '+' || peekByte() == '-') {
                advance();
                if (!isDigit(peekByte()))
                    failHere("invalid decimal literal");
            } else if (!isDigit(peekByte())) {
                m_pos = save;
                m_line = saveLine;
                m_col = saveCol;
                failHere("invalid decimal literal");
            }
            decimalTail();
        }
        if (peekByte() == 'j' || peekByte() == 'J') {
            advance();
            verifyEnd("imaginary");
            return;
        }
        verifyEnd("decimal");
    };

    const unsigned char c = peekByte();
    if (c == '0' && (peekByte(1) == 'x' || peekByte(1) == 'X' || peekByte(1) == 'o' || peekByte(1) == 'O'
                     || peekByte(1) == 'b' || peekByte(1) == 'B')) {
        const char kindCh = static_cast<char>(std::tolower(peekByte(1)));
        advance();
        advance();
        const char *kind = kindCh == 'x' ? "hexadecimal" : kindCh == 'o' ? "octal" : "binary";
        auto ok = [&](unsigned char d) {
            return kindCh == 'x' ? isHexDigit(d) : kindCh == 'o' ? (d >= '0' && d <= '7') : (d == '0' || d == '1');
        };
        do {
            if (peekByte() == '_')
                advance();
            if (!ok(peekByte())) {
                if (kindCh != 'x' && isDigit(peekByte())) {
                    advance();
                    fail(std::string("invalid digit '") + static_cast<char>(m_src[m_pos - 1]) + "' in " + kind
                             + " literal",
                         m_line, m_col - 1, m_line, m_col - 1);
                }
                failHere(std::string("invalid ") + kind + " literal");
            }
            while (ok(peekByte()))
                advance();
        } while (peekByte() == '_');
        if (kindCh != 'x' && isDigit(peekByte())) {
            advance();
            fail(std::string("invalid digit '") + static_cast<char>(m_src[m_pos - 1]) + "' in " + kind + " literal",
                 m_line, m_col - 1, m_line, m_col - 1);
        }
        verifyEnd(kind);
        return make(TokenKind::Number, start, line, column);
    }

    if (c == '.') {
        advance();
        decimalTail();
        exponentAndImaginary(true);
        return make(TokenKind::Number, start, line, column);
    }

    if (c == '0') {
        bool nonzero = false;
        while (peekByte() == '0') {
            advance();
            if (peekByte() == '_') {
                advance();
                if (!isDigit(peekByte()))
                    failHere("invalid decimal literal");
            }
        }
        const int zerosEndCol = m_col;
        if (isDigit(peekByte())) {
            nonzero = true;
            decimalTail();
        }
        const unsigned char d = peekByte();
        if (d == '.') {
            advance();
            decimalTail();
            exponentAndImaginary(true);
        } else if (d == 'e' || d == 'E' || d == 'j' || d == 'J') {
            exponentAndImaginary(true);
        } else if (nonzero) {
            fail("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                 line, column, line, zerosEndCol);
        } else {
            verifyEnd("decimal");
        }
        return make(TokenKind::Number, start, line, column);
    }

    decimalTail();
    if (peekByte() == '.') {
        advance();
        if (isDigit(peekByte()))
            decimalTail();
    }
    exponentAndImaginary(true);
    return make(TokenKind::Number, start, line, column);
}

Token Lexer::lexString(std::size_t start, int line, int column)
{
    const unsigned char q = peekByte();
    const bool triple = peekByte(1) == q && peekByte(2) == q;
    advance();
    if (triple) {
        advance();
        advance();
    }
    for (;;) {
        if (m_pos >= m_src.size()) {
            // At the end of the input CPython counts the last line that has text.
            const int detected = m_line + m_lineBase - (!m_src.empty() && m_src.back() == '\n' ? 1 : 0);
            if (triple)
                fail("unterminated triple-quoted string literal (detected at line " + std::to_string(detected) + ")",
                     line, column, line, column);
            fail("unterminated string literal (detected at line " + std::to_string(detected) + ")", line, column,
                 line, column);
        }
        const unsigned char c = peekByte();
        if (c == '\n' && !triple)
            fail("unterminated string literal (detected at line " + std::to_string(m_line + m_lineBase) + ")", line,
                 column, line, column);
        if (c == '\\') {
            advance();
            if (m_pos < m_src.size())
                advance();
            continue;
        }
        if (c == q) {
            if (!triple) {
                advance();
                break;
            }
            if (peekByte(1) == q && peekByte(2) == q) {
                advance();
                advance();
                advance();
                break;
            }
        }
        advance();
    }
    return make(TokenKind::String, start, line, column);
}

DecodedString splitStringToken(std::string_view text)
{
    DecodedString d;
    std::size_t i = 0;
    while (i < text.size() && text[i] != '"' && text[i] != '\'') {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        if (c == 'r')
            d.isRaw = true;
        else if (c == 'b')
            d.isBytes = true;
        else if (c == 'f')
            d.isFString = true;
        ++i;
    }
    const char q = i < text.size() ? text[i] : '"';
    const bool triple = text.size() >= i + 6 && text[i + 1] == q && text[i + 2] == q;
    const std::size_t qlen = triple ? 3 : 1;
    d.bodyOffset = i + qlen;
    d.bodyLength = text.size() >= d.bodyOffset + qlen ? text.size() - d.bodyOffset - qlen : 0;
    return d;
}

std::string decodeEscapes(std::string_view body, bool isBytes, bool *ok, std::string *error)
{
    *ok = true;
    std::string out;
    out.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c != '\\' || i + 1 >= body.size()) {
            out += c;
            continue;
        }
        const char e = body[++i];
        switch (e) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            unsigned v = static_cast<unsigned>(e - '0');
            int n = 1;
            while (n < 3 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7') {
                v = v * 8 + static_cast<unsigned>(body[++i] - '0');
                ++n;
            }
            if (isBytes)
                out += static_cast<char>(v & 0xFF);
            else
                appendUtf8(out, v);
            break;
        }
        case 'x': {
            unsigned v = 0;
            int n = 0;
            while (n < 2 && i + 1 < body.size() && isHexDigit(static_cast<unsigned char>(body[i + 1]))) {
                const char h = body[++i];
                v = v * 16 + static_cast<unsigned>(isDigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
                ++n;
            }
            if (n != 2) {
                *ok = false;
                const std::string from = std::to_string(i - static_cast<std::size_t>(n) - 1);
                if (isBytes) {
                    *error = "(value error) invalid \\x escape at position " + from;
                } else {
                    *error = "(unicode error) 'unicodeescape' codec can't decode bytes in position " + from;
                    *error += '-';
                    *error += std::to_string(i);
                    *error += ": truncated \\xXX escape";
                }
                return out;
            }
            if (isBytes)
                out += static_cast<char>(v);
            else
                appendUtf8(out, v);
            break;
        }
        case 'u':
        case 'U': {
            if (isBytes) {
                out += '\\';
                out += e;
                break;
            }
            const int want = e == 'u' ? 4 : 8;
            char32_t v = 0;
            int n = 0;
            const std::size_t escStart = i - 1;
            while (n < want && i + 1 < body.size() && isHexDigit(static_cast<unsigned char>(body[i + 1]))) {
                const char h = body[++i];
                v = v * 16 + static_cast<char32_t>(isDigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
                ++n;
            }
            if (n != want || v > 0x10FFFF) {
                *ok = false;
                *error = "(unicode error) 'unicodeescape' codec can't decode bytes in position "
                    + std::to_string(escStart) + "-" + std::to_string(i)
                    + (n != want ? std::string(": truncated \\") + e + (e == 'u' ? "XXXX" : "XXXXXXXX") + " escape"
                                 : ": illegal Unicode character");
                return out;
            }
            if (v >= 0xD800 && v <= 0xDFFF)
                v = 0xFFFD; // lone surrogates cannot be represented in UTF-8
            appendUtf8(out, v);
            break;
        }
        case 'N':
            if (!isBytes) {
                *ok = false;
                *error = "(unicode error) \\N{...} escapes are not supported by Loopscope";
                return out;
            }
            out += "\\N";
            break;
        default:
            out += '\\';
            out += e;
            break;
        }
    }
    return out;
}

std::vector<Token> tokenize(std::string_view source, std::optional<SyntaxErrorInfo> *error)
{
    std::vector<Token> out;
    Lexer lexer(source);
    try {
        for (;;) {
            out.push_back(lexer.next());
            if (out.back().kind == TokenKind::EndMarker)
                break;
        }
    } catch (const LexError &e) {
        if (error)
            *error = e.info;
    }
    return out;
}

} // namespace loopscope::lang
