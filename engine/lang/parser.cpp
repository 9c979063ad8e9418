// Recursive-descent parser with precedence climbing for binary operators. Errors are
// thrown internally (ParseError) and turned into SyntaxErrorInfo at the API boundary.
#include "parser.h"

#include "lexer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace loopscope::lang {

using namespace ast;

namespace {

std::string lineOf(std::string_view src, int line);

struct ParseError {
    SyntaxErrorInfo info;
    bool fromLexer = false;
    int unclosedParenLine = 0;
};

// Bounds the recursion of the parser (and so the depth of the tree the compiler walks).
constexpr int kMaxDepth = 1000;

const std::set<std::string_view> &keywords()
{
    static const std::set<std::string_view> k = {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
        "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
        "with", "yield"};
    return k;
}

bool isKeyword(std::string_view s) { return keywords().count(s) != 0; }

Span spanOf(const Token &t) { return {t.line, t.column, t.endLine, t.endColumn}; }
Span join(const Span &a, const Span &b) { return {a.line, a.column, b.endLine, b.endColumn}; }

ExprPtr makeExpr(ExprKind k, Span s) { return std::make_unique<Expr>(k, s); }

const char *exprName(const Expr &e)
{
    switch (e.kind) {
    case ExprKind::Attribute: return "attribute";
    case ExprKind::Subscript: return "subscript";
    case ExprKind::Starred: return "starred";
    case ExprKind::Name: return "name";
    case ExprKind::List: return "list";
    case ExprKind::Tuple: return "tuple";
    case ExprKind::Lambda: return "lambda";
    case ExprKind::Call: return "function call";
    case ExprKind::BoolOp:
    case ExprKind::BinOp:
    case ExprKind::UnaryOp: return "expression";
    case ExprKind::GeneratorExp: return "generator expression";
    case ExprKind::Yield:
    case ExprKind::YieldFrom: return "yield expression";
    case ExprKind::Await: return "await expression";
    case ExprKind::ListComp: return "list comprehension";
    case ExprKind::SetComp: return "set comprehension";
    case ExprKind::DictComp: return "dict comprehension";
    case ExprKind::Dict: return "dict literal";
    case ExprKind::Set: return "set display";
    case ExprKind::JoinedStr:
    case ExprKind::FormattedValue: return "f-string expression";
    case ExprKind::Constant:
        switch (e.constant.kind) {
        case Constant::Kind::None: return "None";
        case Constant::Kind::True: return "True";
        case Constant::Kind::False: return "False";
        case Constant::Kind::Ellipsis: return "ellipsis";
        default: return "literal";
        }
    case ExprKind::Compare: return "comparison";
    case ExprKind::IfExp: return "conditional expression";
    case ExprKind::NamedExpr: return "named expression";
    case ExprKind::Slice: return "slice";
    }
    return "expression";
}

// ---- integers of any size, as decimal text --------------------------------------

std::string toDecimal(std::string_view digits, int base)
{
    std::vector<std::uint32_t> limbs; // base 1e9, little-endian
    for (char ch : digits) {
        if (ch == '_')
            continue;
        std::uint32_t d = 0;
        if (ch >= '0' && ch <= '9')
            d = static_cast<std::uint32_t>(ch - '0');
        else
            d = static_cast<std::uint32_t>(std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
        std::uint64_t carry = d;
        for (auto &limb : limbs) {
            const std::uint64_t v = static_cast<std::uint64_t>(limb) * static_cast<std::uint64_t>(base) + carry;
            limb = static_cast<std::uint32_t>(v % 1000000000u);
            carry = v / 1000000000u;
        }
        while (carry) {
            limbs.push_back(static_cast<std::uint32_t>(carry % 1000000000u));
            carry /= 1000000000u;
        }
    }
    if (limbs.empty())
        return "0";
    std::string out = std::to_string(limbs.back());
    for (std::size_t i = limbs.size() - 1; i-- > 0;) {
        std::string part = std::to_string(limbs[i]);
        out += std::string(9 - part.size(), '0') + part;
    }
    return out;
}

Constant numberConstant(std::string_view text)
{
    Constant c;
    std::string clean;
    clean.reserve(text.size());
    for (char ch : text)
        if (ch != '_')
            clean += ch;
    if (!clean.empty() && (clean.back() == 'j' || clean.back() == 'J')) {
        c.kind = Constant::Kind::Float;
        c.imaginary = true;
        clean.pop_back();
        std::from_chars(clean.data(), clean.data() + clean.size(), c.floatValue);
        c.text = clean;
        return c;
    }
    const bool prefixed = clean.size() > 1 && clean[0] == '0' && std::strchr("xXoObB", clean[1]);
    if (!prefixed && clean.find_first_of(".eE") != std::string::npos) {
        c.kind = Constant::Kind::Float;
        const auto r = std::from_chars(clean.data(), clean.data() + clean.size(), c.floatValue);
        if (r.ec == std::errc::result_out_of_range) {
            // Overflow is inf; underflow is 0.0 (as CPython's float()).
            const auto e = clean.find_first_of("eE");
            const bool negExp = e != std::string::npos && e + 1 < clean.size() && clean[e + 1] == '-';
            c.floatValue = negExp ? 0.0 : HUGE_VAL;
        }
        c.text = clean;
        return c;
    }
    c.kind = Constant::Kind::Int;
    if (prefixed) {
        const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(clean[1])));
        c.text = toDecimal(std::string_view(clean).substr(2), p == 'x' ? 16 : p == 'o' ? 8 : 2);
    } else {
        const auto nz = clean.find_first_not_of('0');
        c.text = nz == std::string::npos ? "0" : clean.substr(nz);
    }
    static const std::string kMax = "9223372036854775807";
    c.intFits = c.text.size() < kMax.size() || (c.text.size() == kMax.size() && c.text <= kMax);
    if (c.intFits) {
        std::from_chars(c.text.data(), c.text.data() + c.text.size(), c.intValue);
    }
    return c;
}

struct Scope {
    enum Kind { Module, Function, Class, Lambda } kind = Module;
    bool isAsync = false;
    int loopDepth = 0;
    bool hasYield = false;
    std::optional<Span> returnWithValue;
};

class Parser {
public:
    Parser(std::string_view source, std::string filename, int depth = 0)
        : m_source(source), m_filename(std::move(filename)), m_lexer(m_source), m_depth(depth)
    {
    }
    // For an expression inside an f-string: `source` is "(expr)", positioned so that
    // its first character sits at (line, column).
    Parser(std::string source, int line, int column, int depth)
        : m_source(std::move(source)), m_lexer(m_source, line, column), m_depth(depth), m_inFString(true)
    {
    }

    std::unique_ptr<Module> parseFile();
    ExprPtr parseFStringExpr();
    std::optional<ParseError> deferred() const { return m_deferred; }

    // After a parser error: read the rest of the input, as CPython does, because an
    // error of the tokenizer further on takes precedence.
    std::optional<ParseError> tokenizerErrorAfter(int errorLine);
    int furthestLine() const { return m_tokens.empty() ? 0 : m_tokens.back().line; }

private:
    friend struct DepthGuard;

    // -- tokens
    const Token &peek(std::size_t k = 0);
    Token take();
    bool atOp(std::string_view op) { return peek().isOp(op); }
    bool atName(std::string_view kw) { return peek().isName(kw); }
    bool acceptOp(std::string_view op);
    bool acceptName(std::string_view kw);
    Token expectOp(std::string_view op);
    Token expectIdentifier();
    bool atNewline() { return peek().kind == TokenKind::Newline; }
    bool atComprehension() { return atName("for") || (atName("async") && peek(1).isName("for")); }
    std::size_t mark() { return m_index; }
    void reset(std::size_t m) { m_index = m; }

    [[noreturn]] void errorAt(const Token &t, const std::string &msg, const char *type = "SyntaxError");
    [[noreturn]] void errorSpan(const Span &s, const std::string &msg, const char *type = "SyntaxError");
    [[noreturn]] void invalidSyntax() { errorAt(peek(), "invalid syntax"); }
    void deferError(const Span &s, const std::string &msg);

    // -- statements
    void parseStatement(StmtList &out);
    void parseSimpleStatements(StmtList &out);
    StmtPtr parseSimpleStatement();
    StmtPtr parseExpressionStatement();
    StmtList parseBlock(const std::string &what, int headerLine);
    void expectColon(bool forced);
    StmtPtr parseIf(bool isElif);
    StmtPtr parseWhile();
    void parseLoopBlocks(Stmt &s, const char *what, int headerLine);
    void parseElseBlock(Stmt &s);
    StmtPtr parseFor(const Token *asyncTok);
    StmtPtr parseWith(const Token *asyncTok);
    StmtPtr parseTry();
    StmtPtr parseFunctionDef(ExprList decorators, const Token *asyncTok, const Token &first);
    StmtPtr parseClassDef(ExprList decorators, const Token &first);
    StmtPtr parseDecorated();
    StmtPtr parseImport();
    StmtPtr parseFromImport();
    std::unique_ptr<Arguments> parseParameters(std::string_view closer, bool annotations);

    // -- expressions
    ExprPtr parseStarExpressions();
    ExprPtr parseStarExpression();
    ExprPtr parseStarredBitwiseOr();
    ExprPtr makeStarred(const Token &star, ExprPtr value);
    ExprPtr parseStarNamedExpression();
    ExprPtr parseNamedExpression(bool equalsHint = false);
    ExprPtr parseExpression();
    ExprPtr parseDisjunction();
    ExprPtr parseConjunction();
    ExprPtr parseBoolOp(std::string_view keyword, BoolOperator op, ExprPtr (Parser::*operand)());
    ExprPtr parseInversion();
    ExprPtr parseComparison();
    ExprPtr parseBinary(int minPrec);
    ExprPtr parseFactor();
    ExprPtr parsePower();
    ExprPtr parseAwaitPrimary();
    ExprPtr parsePrimary();
    ExprPtr parseAtom();
    ExprPtr parseStrings();
    ExprPtr parseParenthesized();
    ExprPtr parseListDisplay();
    ExprPtr parseBraceDisplay();
    ExprPtr parseLambda();
    ExprPtr parseYield();
    ExprPtr parseSlices();
    ExprPtr parseSlice();
    ExprPtr parseTargetList(bool allowTrailingComma, bool *bareTuple = nullptr);
    void parseCallArgs(Expr &call, const Token &open);
    std::vector<Comprehension> parseComprehensions();
    bool startsExpression(const Token &t);
    void checkAdjacent(const Expr &a);
    template <typename Rule>
    std::optional<Span> attempt(Rule rule);

    // -- f-strings
    void parseFString(const Token &tok, const DecodedString &d, ExprList &values, std::string &pending,
                      Span whole);
    void parseFStringBody(const Token &tok, std::string_view body, std::size_t bodyOffset, bool raw,
                          ExprList &values, std::string &pending, Span whole, int nesting);

    // -- targets and checks
    void setContext(Expr &e, Context ctx, bool forDelete, bool assignStmt);
    void checkAssignmentTargets(const ExprList &chain, const std::vector<bool> &parenthesized);
    void checkEqualsInCondition(const Expr &a);
    void checkStarredValue(const Expr &e);
    void checkStarredTarget(const Expr &e);
    const Expr *invalidTarget(const Expr &e, bool forDelete);
    Scope &scope() { return m_scopes->back(); }
    bool inFunction();

    std::string m_source;
    std::string m_filename;
    Lexer m_lexer;
    std::vector<Token> m_tokens;
    std::size_t m_index = 0;
    int m_marks = 0;
    int m_depth = 0;
    bool m_inFString = false;
    bool m_noInvalidRules = false;
    std::vector<Scope> m_ownScopes{Scope{}};
    std::vector<Scope> *m_scopes = &m_ownScopes;
    std::optional<ParseError> m_deferred;
    Token m_lastTaken;
    std::set<const Expr *> m_bareTuples; // tuples written without parentheses
    struct FStringCursor {
        const char *text = nullptr;
        std::size_t offset = 0;
        int line = 0;
        int column = 0;
    };
    FStringCursor m_fstringCursor;
    // Spans including the parentheses around an expression: a parent node starts and
    // ends at its first and last token, as in CPython.
    std::map<const Expr *, Span> m_parenSpans;
    Span sp(const Expr &e) const;
    Span sp(const ExprPtr &e) const { return sp(*e); }
    static Span sp(const StmtPtr &s) { return s->span; }
    std::vector<std::pair<Span, std::string>> m_pendingAwaits;
    void flushAwaits()
    {
        for (const auto &a : m_pendingAwaits)
            deferError(a.first, a.second);
        m_pendingAwaits.clear();
    }
    void finishComprehension(const Expr &comp);
    ExprPtr parseComprehensionRest(ExprPtr comp, std::string_view close);
    ExprPtr parseDisplayRest(ExprPtr display, std::string_view close);
};

struct DepthGuard {
    explicit DepthGuard(Parser &p, int extra = 0) : m_p(p), m_extra(extra + 1)
    {
        m_p.m_depth += m_extra;
        if (m_p.m_depth > kMaxDepth) {
            m_p.m_depth -= m_extra; // the destructor does not run when the constructor throws
            m_p.errorAt(m_p.peek(), "too many nested expressions: Python source too complex to parse");
        }
    }
    ~DepthGuard() { m_p.m_depth -= m_extra; }
    DepthGuard(const DepthGuard &) = delete;
    DepthGuard &operator=(const DepthGuard &) = delete;
    Parser &m_p;
    int m_extra;
};

// ---- tokens --------------------------------------------------------------------

Span Parser::sp(const Expr &e) const
{
    const auto it = m_parenSpans.find(&e);
    return it == m_parenSpans.end() ? e.span : it->second;
}

const Token &Parser::peek(std::size_t k)
{
    while (m_index + k >= m_tokens.size()) {
        if (!m_tokens.empty() && m_tokens.back().kind == TokenKind::EndMarker) {
            return m_tokens.back();
        }
        try {
            m_tokens.push_back(m_lexer.next());
        } catch (LexError &e) {
            ParseError pe;
            pe.info = std::move(e.info);
            pe.fromLexer = true;
            pe.unclosedParenLine = e.unclosedParenLine;
            throw pe;
        }
    }
    return m_tokens[m_index + k];
}

Token Parser::take()
{
    const Token t = peek();
    if (t.kind != TokenKind::EndMarker)
        ++m_index;
    m_lastTaken = t;
    // Drop consumed tokens when no one can backtrack to them.
    if (m_marks == 0 && m_index > 4096) {
        m_tokens.erase(m_tokens.begin(), m_tokens.begin() + static_cast<std::ptrdiff_t>(m_index));
        m_index = 0;
    }
    return t;
}

bool Parser::acceptOp(std::string_view op)
{
    if (!atOp(op))
        return false;
    take();
    return true;
}

bool Parser::acceptName(std::string_view kw)
{
    if (!atName(kw))
        return false;
    take();
    return true;
}

Token Parser::expectOp(std::string_view op)
{
    if (!atOp(op))
        invalidSyntax();
    return take();
}

Token Parser::expectIdentifier()
{
    const Token t = peek();
    if (t.kind != TokenKind::Name || isKeyword(t.text))
        invalidSyntax();
    return take();
}

void Parser::errorAt(const Token &t, const std::string &msg, const char *type)
{
    Span s = spanOf(t);
    if (t.kind == TokenKind::Newline || t.kind == TokenKind::EndMarker || t.kind == TokenKind::Dedent) {
        s.endLine = s.line;
        s.endColumn = s.column;
    }
    errorSpan(s, msg, type);
}

void Parser::errorSpan(const Span &s, const std::string &msg, const char *type)
{
    ParseError e;
    e.info.type = type;
    e.info.message = msg;
    e.info.line = s.line;
    e.info.column = s.column;
    e.info.endLine = s.endLine;
    e.info.endColumn = s.endColumn;
    throw e;
}

void Parser::deferError(const Span &s, const std::string &msg)
{
    // CPython's compiler reports the first problem in source order.
    if (m_deferred
        && (m_deferred->info.line < s.line || (m_deferred->info.line == s.line && m_deferred->info.column <= s.column)))
        return;
    ParseError e;
    e.info.type = "SyntaxError";
    e.info.message = msg;
    e.info.line = s.line;
    e.info.column = s.column;
    e.info.endLine = s.endLine;
    e.info.endColumn = s.endColumn;
    m_deferred = e;
}

bool Parser::inFunction()
{
    for (auto it = m_scopes->rbegin(); it != m_scopes->rend(); ++it) {
        if (it->kind == Scope::Function || it->kind == Scope::Lambda)
            return true;
        if (it->kind == Scope::Class)
            return false;
    }
    return false;
}

std::optional<ParseError> Parser::tokenizerErrorAfter(int errorLine)
{
    try {
        for (int guard = 0; guard < 100000000; ++guard) {
            if (peek().kind == TokenKind::EndMarker)
                break;
            ++m_index;
            if (m_index > 4096) {
                m_tokens.erase(m_tokens.begin(), m_tokens.begin() + static_cast<std::ptrdiff_t>(m_index));
                m_index = 0;
            }
        }
    } catch (const ParseError &e) {
        if (e.unclosedParenLine) {
            if (errorLine > e.unclosedParenLine)
                return e;
            return std::nullopt;
        }
        if (e.info.type == "SyntaxError")
            return e;
    }
    return std::nullopt;
}

// ---- statements ----------------------------------------------------------------

std::unique_ptr<Module> Parser::parseFile()
{
    auto module = std::make_unique<Module>();
    module->filename = m_filename;
    while (peek().kind != TokenKind::EndMarker) {
        if (peek().kind == TokenKind::Newline) {
            take();
            continue;
        }
        parseStatement(module->body);
    }
    flushAwaits();
    return module;
}

void Parser::parseStatement(StmtList &out)
{
    const Token t = peek();
    if (t.kind == TokenKind::Indent) {
        Span s = spanOf(t);
        s.endColumn = -1;
        errorSpan(s, "unexpected indent", "IndentationError");
    }
    if (t.kind == TokenKind::Dedent)
        errorAt(t, "unexpected unindent", "IndentationError");
    if (t.kind == TokenKind::Name) {
        const std::string_view k = t.text;
        if (k == "if") {
            out.push_back(parseIf(false));
            return;
        }
        if (k == "while") {
            out.push_back(parseWhile());
            return;
        }
        if (k == "for") {
            out.push_back(parseFor(nullptr));
            return;
        }
        if (k == "with") {
            out.push_back(parseWith(nullptr));
            return;
        }
        if (k == "try") {
            out.push_back(parseTry());
            return;
        }
        if (k == "def") {
            const Token first = peek();
            out.push_back(parseFunctionDef({}, nullptr, first));
            return;
        }
        if (k == "class") {
            const Token first = peek();
            out.push_back(parseClassDef({}, first));
            return;
        }
        if (k == "async") {
            const Token n = peek(1);
            if (n.isName("def") || n.isName("for") || n.isName("with")) {
                const Token asyncTok = take();
                if (n.isName("def"))
                    out.push_back(parseFunctionDef({}, &asyncTok, asyncTok));
                else if (peek().isName("for"))
                    out.push_back(parseFor(&asyncTok));
                else
                    out.push_back(parseWith(&asyncTok));
                return;
            }
            take(); // CPython points at what follows 'async'
            invalidSyntax();
        }
    } else if (t.isOp("@")) {
        out.push_back(parseDecorated());
        return;
    }
    parseSimpleStatements(out);
}

void Parser::parseSimpleStatements(StmtList &out)
{
    for (;;) {
        out.push_back(parseSimpleStatement());
        flushAwaits();
        if (acceptOp(";")) {
            if (atNewline())
                break;
            continue;
        }
        break;
    }
    if (!atNewline())
        invalidSyntax();
    take();
}

StmtList Parser::parseBlock(const std::string &what, int headerLine)
{
    flushAwaits();
    StmtList body;
    if (!atNewline()) {
        if (peek().kind == TokenKind::EndMarker)
            invalidSyntax();
        parseSimpleStatements(body);
        return body;
    }
    take();
    if (peek().kind != TokenKind::Indent) {
        const std::string msg = "expected an indented block after " + what + " on line " + std::to_string(headerLine);
        std::size_t k = 0;
        while (peek(k).kind == TokenKind::Dedent)
            ++k;
        if (peek(k).kind != TokenKind::EndMarker)
            errorAt(peek(k), msg, "IndentationError");
        // At the end of the input CPython reports the last line, without a column.
        const int lastLine = static_cast<int>(std::count(m_source.begin(), m_source.end(), '\n'))
            + (!m_source.empty() && m_source.back() != '\n' ? 1 : 0);
        errorSpan({lastLine, 0, lastLine, -1}, msg, "IndentationError");
    }
    take();
    while (peek().kind != TokenKind::Dedent && peek().kind != TokenKind::EndMarker)
        parseStatement(body);
    if (peek().kind == TokenKind::Dedent)
        take();
    return body;
}

void Parser::expectColon(bool forced)
{
    if (acceptOp(":"))
        return;
    if (forced || atNewline())
        errorAt(peek(), "expected ':'");
    invalidSyntax();
}

StmtPtr Parser::parseIf(bool isElif)
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::If, spanOf(kw));
    s->test = parseNamedExpression(true);
    expectColon(false);
    s->body = parseBlock(isElif ? "'elif' statement" : "'if' statement", kw.line);
    if (atName("elif")) {
        s->orelse.push_back(parseIf(true));
        s->span = join(sp(s), sp(s->orelse.back()));
    } else {
        parseElseBlock(*s);
    }
    return s;
}

// An optional `else:` block after if, while and for; the statement then ends with its
// last block.
void Parser::parseElseBlock(Stmt &s)
{
    if (atName("else")) {
        const Token e = take();
        expectColon(true);
        s.orelse = parseBlock("'else' statement", e.line);
    }
    s.span = join(s.span, s.orelse.empty() ? sp(s.body.back()) : sp(s.orelse.back()));
}

// A loop's body (where break and continue are allowed) and its optional else block.
void Parser::parseLoopBlocks(Stmt &s, const char *what, int headerLine)
{
    scope().loopDepth++;
    s.body = parseBlock(what, headerLine);
    scope().loopDepth--;
    parseElseBlock(s);
}

StmtPtr Parser::parseWhile()
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::While, spanOf(kw));
    s->test = parseNamedExpression(true);
    expectColon(false);
    parseLoopBlocks(*s, "'while' statement", kw.line);
    return s;
}

StmtPtr Parser::parseFor(const Token *asyncTok)
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::For, spanOf(asyncTok ? *asyncTok : kw));
    s->isAsync = asyncTok != nullptr;
    const bool asyncOutside = asyncTok && !(scope().kind == Scope::Function && scope().isAsync);
    s->target = parseTargetList(true);
    if (const Expr *bad = invalidTarget(*s->target, false))
        errorSpan(bad->span, std::string("cannot assign to ") + exprName(*bad));
    setContext(*s->target, Context::Store, false, false);
    checkStarredTarget(*s->target);
    if (!acceptName("in"))
        invalidSyntax();
    s->iter = parseStarExpressions();
    expectColon(false);
    parseLoopBlocks(*s, "'for' statement", kw.line);
    if (asyncOutside)
        deferError(s->span, "'async for' outside async function");
    return s;
}

StmtPtr Parser::parseWith(const Token *asyncTok)
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::With, spanOf(asyncTok ? *asyncTok : kw));
    s->isAsync = asyncTok != nullptr;
    const bool asyncOutside = asyncTok && !(scope().kind == Scope::Function && scope().isAsync);
    auto parseItem = [&]() {
        WithItem item;
        item.contextExpr = parseExpression();
        if (acceptName("as")) {
            item.optionalVars = parseBinary(1);
            if (const Expr *bad = invalidTarget(*item.optionalVars, false))
                errorSpan(bad->span, std::string("cannot assign to ") + exprName(*bad));
            setContext(*item.optionalVars, Context::Store, false, false);
        }
        return item;
    };
    bool done = false;
    if (atOp("(")) {
        // `with (a as b, c as d):` — try the parenthesized form first, as CPython does.
        const std::size_t m = mark();
        ++m_marks;
        try {
            take();
            std::vector<WithItem> items;
            items.push_back(parseItem());
            while (acceptOp(",")) {
                if (atOp(")"))
                    break;
                items.push_back(parseItem());
            }
            expectOp(")");
            if (!atOp(":"))
                invalidSyntax();
            s->items = std::move(items);
            done = true;
        } catch (const ParseError &e) {
            if (e.fromLexer) {
                --m_marks;
                throw;
            }
            reset(m);
            m_parenSpans.clear();
            m_bareTuples.clear();
        }
        --m_marks;
    }
    if (!done) {
        s->items.push_back(parseItem());
        while (acceptOp(","))
            s->items.push_back(parseItem());
    }
    expectColon(false);
    s->body = parseBlock("'with' statement", kw.line);
    s->span = join(sp(s), sp(s->body.back()));
    if (asyncOutside)
        deferError(s->span, "'async with' outside async function");
    return s;
}

StmtPtr Parser::parseTry()
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::Try, spanOf(kw));
    expectColon(true);
    s->body = parseBlock("'try' statement", kw.line);
    while (atName("except")) {
        const Token ex = take();
        ExceptHandler h;
        h.span = spanOf(ex);
        if (atOp("*")) {
            // Python 3.11's except* is not part of the endpoint language: say what to write.
            errorSpan(spanOf(peek()), "'except*' is not supported: catch the group with 'except ExceptionGroup as eg:' "
                                      "and pick its parts with eg.subgroup() or eg.split()");
        }
        if (!atOp(":")) {
            h.type = parseExpression();
            if (atOp(",")) {
                // except A, B:
                const std::size_t m = mark();
                take();
                ExprPtr second = parseExpression();
                reset(m);
                errorSpan(join(sp(h.type), sp(second)), "multiple exception types must be parenthesized");
            }
            if (acceptName("as")) {
                const Token n = expectIdentifier();
                h.name = std::string(n.text);
            }
        }
        expectColon(false);
        h.body = parseBlock("'except' statement", ex.line);
        h.span = join(h.span, sp(h.body.back()));
        s->handlers.push_back(std::move(h));
    }
    if (atName("else")) {
        if (s->handlers.empty())
            invalidSyntax();
        const Token e = take();
        expectColon(true);
        s->orelse = parseBlock("'else' statement", e.line);
    }
    if (atName("finally")) {
        const Token f = take();
        expectColon(true);
        s->finalbody = parseBlock("'finally' statement", f.line);
    }
    if (s->handlers.empty() && s->finalbody.empty()) {
        if (peek().kind == TokenKind::EndMarker) {
            const int lastLine = static_cast<int>(std::count(m_source.begin(), m_source.end(), '\n'))
                + (!m_source.empty() && m_source.back() != '\n' ? 1 : 0);
            errorSpan({lastLine, 0, lastLine, -1}, "expected 'except' or 'finally' block");
        }
        errorAt(peek(), "expected 'except' or 'finally' block");
    }
    const StmtList &last = !s->finalbody.empty() ? s->finalbody
        : !s->orelse.empty()                     ? s->orelse
                                                 : s->handlers.empty() ? s->body : s->handlers.back().body;
    s->span = join(sp(s), sp(last.back()));
    return s;
}

StmtPtr Parser::parseDecorated()
{
    ExprList decorators;
    while (atOp("@")) {
        take();
        decorators.push_back(parseNamedExpression());
        if (!atNewline())
            invalidSyntax();
        take();
    }
    const Token first = peek();
    if (atName("def"))
        return parseFunctionDef(std::move(decorators), nullptr, first);
    if (atName("class"))
        return parseClassDef(std::move(decorators), first);
    if (atName("async") && peek(1).isName("def")) {
        const Token asyncTok = take();
        return parseFunctionDef(std::move(decorators), &asyncTok, asyncTok);
    }
    invalidSyntax();
}

StmtPtr Parser::parseFunctionDef(ExprList decorators, const Token *asyncTok, const Token &first)
{
    const Token kw = take(); // def
    auto s = std::make_unique<Stmt>(StmtKind::FunctionDef, spanOf(first));
    s->isAsync = asyncTok != nullptr;
    s->decorators = std::move(decorators);
    const Token name = expectIdentifier();
    s->name = std::string(name.text);
    if (!atOp("("))
        errorAt(peek(), "expected '('");
    take();
    s->args = parseParameters(")", true);
    expectOp(")");
    if (acceptOp("->"))
        s->returns = parseExpression();
    expectColon(true);
    Scope sc;
    sc.kind = Scope::Function;
    sc.isAsync = s->isAsync;
    m_scopes->push_back(sc);
    s->body = parseBlock("function definition", kw.line);
    const Scope done = m_scopes->back();
    m_scopes->pop_back();
    if (done.isAsync && done.hasYield && done.returnWithValue)
        deferError(*done.returnWithValue, "'return' with value in async generator");
    s->span = join(sp(s), sp(s->body.back()));
    return s;
}

StmtPtr Parser::parseClassDef(ExprList decorators, const Token &first)
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::ClassDef, spanOf(first));
    s->decorators = std::move(decorators);
    s->name = std::string(expectIdentifier().text);
    if (atOp("(")) {
        const Token open = take();
        Expr call(ExprKind::Call);
        parseCallArgs(call, open);
        s->bases = std::move(call.elts);
        s->classKeywords = std::move(call.keywords);
    }
    expectColon(false);
    { Scope sc; sc.kind = Scope::Class; m_scopes->push_back(sc); }
    s->body = parseBlock("class definition", kw.line);
    m_scopes->pop_back();
    s->span = join(sp(s), sp(s->body.back()));
    return s;
}

std::unique_ptr<Arguments> Parser::parseParameters(std::string_view closer, bool annotations)
{
    auto a = std::make_unique<Arguments>();
    bool seenDefault = false;
    bool seenStar = false;
    bool seenKwarg = false;
    std::set<std::string> names;
    std::vector<Span> order;
    auto parseArg = [&](bool allowAnnotation) {
        const Token n = expectIdentifier();
        Arg arg;
        arg.name = std::string(n.text);
        arg.span = spanOf(n);
        if (allowAnnotation && annotations && acceptOp(":")) {
            arg.annotation = parseExpression();
            arg.span = join(arg.span, sp(arg.annotation));
        }
        if (!names.insert(arg.name).second)
            deferError(spanOf(n), "duplicate argument '" + arg.name + "' in function definition");
        return arg;
    };
    while (!atOp(closer)) {
        if (seenKwarg)
            errorAt(peek(), "arguments cannot follow var-keyword argument");
        if (acceptOp("/")) {
            if (seenStar)
                errorAt(m_lastTaken, "/ must be ahead of *");
            if (!a->posonlyargs.empty() || !a->args.empty()) {
                for (auto &arg : a->args)
                    a->posonlyargs.push_back(std::move(arg));
                a->args.clear();
            } else {
                errorAt(m_lastTaken, "at least one argument must precede /");
            }
        } else if (atOp("*")) {
            const Token star = take();
            if (seenStar)
                errorAt(star, "* argument may appear only once");
            seenStar = true;
            if (atOp(",") || atOp(closer)) {
                if (atOp(closer) || peek(1).isOp(closer) || peek(1).isOp("**"))
                    errorAt(star, "named arguments must follow bare *");
            } else {
                a->vararg = parseArg(true);
            }
        } else if (atOp("**")) {
            take();
            a->kwarg = parseArg(true);
            seenKwarg = true;
        } else {
            Arg arg = parseArg(true);
            ExprPtr def;
            if (acceptOp("="))
                def = parseExpression();
            if (seenStar) {
                a->kwonlyargs.push_back(std::move(arg));
                a->kwDefaults.push_back(std::move(def));
            } else {
                if (def) {
                    seenDefault = true;
                    a->defaults.push_back(std::move(def));
                } else if (seenDefault) {
                    errorSpan(arg.span, "non-default argument follows default argument");
                }
                a->args.push_back(std::move(arg));
            }
        }
        if (!acceptOp(","))
            break;
    }
    if (!atOp(closer)) {
        if (closer == ":" && atNewline())
            errorAt(peek(), "expected ':'");
        invalidSyntax();
    }
    return a;
}

StmtPtr Parser::parseSimpleStatement()
{
    const Token t = peek();
    if (t.kind == TokenKind::Name) {
        const std::string_view k = t.text;
        if (k == "pass" || k == "break" || k == "continue") {
            const Token kw = take();
            const StmtKind kind = k == "pass" ? StmtKind::Pass : k == "break" ? StmtKind::Break : StmtKind::Continue;
            auto s = std::make_unique<Stmt>(kind, spanOf(kw));
            if (kind == StmtKind::Break && scope().loopDepth == 0)
                deferError(s->span, "'break' outside loop");
            if (kind == StmtKind::Continue && scope().loopDepth == 0)
                deferError(s->span, "'continue' not properly in loop");
            return s;
        }
        if (k == "return") {
            const Token kw = take();
            auto s = std::make_unique<Stmt>(StmtKind::Return, spanOf(kw));
            if (!atNewline() && !atOp(";")) {
                s->value = parseStarExpressions();
                s->span = join(sp(s), sp(s->value));
                checkStarredValue(*s->value);
            }
            if (!inFunction() || scope().kind != Scope::Function)
                deferError(s->span, "'return' outside function");
            else if (s->value && !scope().returnWithValue)
                scope().returnWithValue = s->span;
            return s;
        }
        if (k == "raise") {
            const Token kw = take();
            auto s = std::make_unique<Stmt>(StmtKind::Raise, spanOf(kw));
            if (!atNewline() && !atOp(";")) {
                s->value = parseExpression();
                s->span = join(sp(s), sp(s->value));
                if (acceptName("from")) {
                    s->cause = parseExpression();
                    s->span = join(sp(s), sp(s->cause));
                }
            }
            return s;
        }
        if (k == "global" || k == "nonlocal") {
            const Token kw = take();
            auto s = std::make_unique<Stmt>(k == "global" ? StmtKind::Global : StmtKind::Nonlocal, spanOf(kw));
            do {
                const Token n = expectIdentifier();
                s->identifiers.emplace_back(n.text);
                s->span = join(sp(s), spanOf(n));
            } while (acceptOp(","));
            if (s->kind == StmtKind::Nonlocal && m_scopes->size() == 1)
                deferError(s->span, "nonlocal declaration not allowed at module level");
            return s;
        }
        if (k == "del") {
            const Token kw = take();
            auto s = std::make_unique<Stmt>(StmtKind::Delete, spanOf(kw));
            bool bare = false;
            ExprPtr targets = parseTargetList(true, &bare);
            if (const Expr *bad = invalidTarget(*targets, true))
                errorSpan(bad->span, std::string("cannot delete ") + exprName(*bad));
            s->span = join(sp(s), sp(targets));
            if (bare) {
                for (auto &e : targets->elts) {
                    setContext(*e, Context::Del, true, false);
                    s->targets.push_back(std::move(e));
                }
            } else {
                setContext(*targets, Context::Del, true, false);
                s->targets.push_back(std::move(targets));
            }
            return s;
        }
        if (k == "assert") {
            const Token kw = take();
            auto s = std::make_unique<Stmt>(StmtKind::Assert, spanOf(kw));
            s->test = parseExpression();
            s->span = join(sp(s), sp(s->test));
            if (acceptOp(",")) {
                s->value = parseExpression();
                s->span = join(sp(s), sp(s->value));
            }
            return s;
        }
        if (k == "import")
            return parseImport();
        if (k == "from")
            return parseFromImport();
    }
    return parseExpressionStatement();
}

StmtPtr Parser::parseImport()
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::Import, spanOf(kw));
    do {
        Alias a;
        const Token first = expectIdentifier();
        a.name = std::string(first.text);
        a.span = spanOf(first);
        while (acceptOp(".")) {
            const Token n = expectIdentifier();
            a.name += '.';
            a.name += n.text;
            a.span = join(a.span, spanOf(n));
        }
        if (acceptName("as")) {
            const Token n = expectIdentifier();
            a.asname = std::string(n.text);
            a.span = join(a.span, spanOf(n));
        }
        s->span = join(sp(s), a.span);
        s->names.push_back(std::move(a));
    } while (acceptOp(","));
    return s;
}

StmtPtr Parser::parseFromImport()
{
    const Token kw = take();
    auto s = std::make_unique<Stmt>(StmtKind::ImportFrom, spanOf(kw));
    for (;;) {
        if (acceptOp("."))
            s->level += 1;
        else if (acceptOp("..."))
            s->level += 3;
        else
            break;
    }
    if (!atName("import")) {
        s->module = std::string(expectIdentifier().text);
        while (acceptOp("."))
            {
            s->module += '.';
            s->module += expectIdentifier().text;
        }
    } else if (s->level == 0) {
        invalidSyntax();
    }
    if (!acceptName("import"))
        invalidSyntax();
    if (atOp("*")) {
        const Token star = take();
        Alias a;
        a.name = "*";
        a.span = spanOf(star);
        s->names.push_back(std::move(a));
        s->span = join(sp(s), spanOf(star));
        return s;
    }
    const bool paren = acceptOp("(");
    for (;;) {
        Alias a;
        const Token n = expectIdentifier();
        a.name = std::string(n.text);
        a.span = spanOf(n);
        if (acceptName("as")) {
            const Token as = expectIdentifier();
            a.asname = std::string(as.text);
            a.span = join(a.span, spanOf(as));
        }
        s->span = join(sp(s), a.span);
        s->names.push_back(std::move(a));
        if (!atOp(","))
            break;
        take();
        if (paren && atOp(")"))
            break;
        if (!paren && atNewline())
            errorAt(peek(), "trailing comma not allowed without surrounding parentheses");
    }
    if (paren)
        s->span = join(sp(s), spanOf(expectOp(")")));
    return s;
}

StmtPtr Parser::parseExpressionStatement()
{
    m_bareTuples.clear();
    m_parenSpans.clear();
    const Token first = peek();
    ExprPtr e = atName("yield") ? parseYield() : parseStarExpressions();

    if (atOp("=")) {
        auto s = std::make_unique<Stmt>(StmtKind::Assign, sp(e));
        ExprList chain;
        std::vector<bool> parenthesized; // the element starts with '(' (for `(yield) = 1`)
        parenthesized.push_back(first.isOp("("));
        chain.push_back(std::move(e));
        while (acceptOp("=")) {
            parenthesized.push_back(peek().isOp("("));
            chain.push_back(atName("yield") ? parseYield() : parseStarExpressions());
        }
        checkAssignmentTargets(chain, parenthesized);
        for (std::size_t i = 0; i + 1 < chain.size(); ++i)
            setContext(*chain[i], Context::Store, false, true);
        for (std::size_t i = 0; i + 1 < chain.size(); ++i)
            checkStarredTarget(*chain[i]);
        checkStarredValue(*chain.back());
        s->value = std::move(chain.back());
        chain.pop_back();
        s->targets = std::move(chain);
        s->span = join(spanOf(first), sp(s->value));
        return s;
    }

    static const char *const augOps[] = {"+=", "-=", "*=", "@=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**=", "//="};
    static const Operator augKinds[] = {Operator::Add, Operator::Sub, Operator::Mult, Operator::MatMult,
                                        Operator::Div, Operator::Mod, Operator::BitAnd, Operator::BitOr,
                                        Operator::BitXor, Operator::LShift, Operator::RShift, Operator::Pow,
                                        Operator::FloorDiv};
    for (int i = 0; i < 13; ++i) {
        if (!atOp(augOps[i]))
            continue;
        take();
        if (e->kind != ExprKind::Name && e->kind != ExprKind::Attribute && e->kind != ExprKind::Subscript)
            errorSpan(e->span, std::string("'") + exprName(*e) + "' is an illegal expression for augmented assignment");
        auto s = std::make_unique<Stmt>(StmtKind::AugAssign, sp(e));
        s->op = augKinds[i];
        setContext(*e, Context::Store, false, false);
        s->value = atName("yield") ? parseYield() : parseStarExpressions();
        s->span = join(sp(e), sp(s->value));
        s->target = std::move(e);
        return s;
    }

    if (atOp(":")) {
        if (!startsExpression(peek(1))) {
            // After a valid target CPython expects the annotation; otherwise the ':' is wrong.
            if (e->kind == ExprKind::Name || e->kind == ExprKind::Attribute || e->kind == ExprKind::Subscript)
                take();
            invalidSyntax();
        }
        if (e->kind == ExprKind::Tuple)
            errorSpan(e->elts.empty() ? e->span : e->elts.front()->span, "only single target (not tuple) can be annotated");
        if (e->kind == ExprKind::List)
            errorSpan(e->span, "only single target (not list) can be annotated");
        if (e->kind != ExprKind::Name && e->kind != ExprKind::Attribute && e->kind != ExprKind::Subscript)
            errorSpan(e->span, "illegal target for annotation");
        take();
        auto s = std::make_unique<Stmt>(StmtKind::AnnAssign, sp(e));
        s->annotation = parseExpression();
        s->span = join(sp(e), sp(s->annotation));
        if (acceptOp("=")) {
            s->value = atName("yield") ? parseYield() : parseStarExpressions();
            s->span = join(sp(e), sp(s->value));
        }
        setContext(*e, Context::Store, false, false);
        s->target = std::move(e);
        return s;
    }

    checkStarredValue(*e);
    auto s = std::make_unique<Stmt>(StmtKind::ExprStmt, sp(e));
    s->value = std::move(e);
    return s;
}

// ---- targets --------------------------------------------------------------------


// The targets of `a = b = value` (all but the last of `chain`), reported as CPython's
// second parser pass reports them.
namespace {
// Expressions at the level of Python's `bitwise_or` rule (no comparison, not, and/or...).
bool isBitwiseLevel(const Expr &e)
{
    switch (e.kind) {
    case ExprKind::Compare:
    case ExprKind::BoolOp:
    case ExprKind::IfExp:
    case ExprKind::Lambda:
    case ExprKind::NamedExpr:
    case ExprKind::Starred:
    case ExprKind::Yield:
    case ExprKind::YieldFrom:
        return false;
    case ExprKind::UnaryOp:
        return e.unaryOp != UnaryOperator::Not;
    default:
        return true;
    }
}
bool isNamedConstant(const Expr &e)
{
    return e.kind == ExprKind::Constant
        && (e.constant.kind == Constant::Kind::True || e.constant.kind == Constant::Kind::False
            || e.constant.kind == Constant::Kind::None);
}
} // namespace

// Reads what `rule` reads (it returns the span) as CPython's second pass does, with the
// invalid_* rules off: the span, or nothing where the rule failed. Tokenizer errors still
// propagate. The caller resets the position.
template <typename Rule>
std::optional<Span> Parser::attempt(Rule rule)
{
    ++m_marks;
    m_noInvalidRules = true;
    std::optional<Span> span;
    try {
        span = rule();
    } catch (const ParseError &e) {
        if (e.fromLexer) {
            m_noInvalidRules = false;
            --m_marks;
            throw;
        }
    }
    m_noInvalidRules = false;
    --m_marks;
    return span;
}

// `if x = 1:` — CPython suggests '==' (or ':=') when '=' follows an expression in a
// place that only takes expressions.
void Parser::checkEqualsInCondition(const Expr &a)
{
    const std::size_t m = mark();
    bool followedByEquals = false;
    const std::optional<Span> b = attempt([&] {
        take(); // '='
        const Span rhs = sp(parseBinary(1));
        followedByEquals = atOp("=") || atOp(":=");
        return rhs;
    });
    if (b && !followedByEquals) {
        if (a.kind == ExprKind::Name)
            errorSpan(join(sp(a), *b), "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
        if (isBitwiseLevel(a) && a.kind != ExprKind::List && a.kind != ExprKind::Tuple
            && a.kind != ExprKind::GeneratorExp && !isNamedConstant(a))
            errorSpan(a.span, std::string("cannot assign to ") + exprName(a) + " here. Maybe you meant '==' instead of '='?");
    }
    reset(m);
    invalidSyntax();
}

// What CPython's compiler rejects about starred expressions.
void Parser::checkStarredValue(const Expr &e)
{
    if (e.kind == ExprKind::Starred)
        deferError(e.span, "can't use starred expression here");
}

void Parser::checkStarredTarget(const Expr &e)
{
    if (e.kind == ExprKind::Starred) {
        deferError(e.span, "starred assignment target must be in a list or tuple");
        return;
    }
    if (e.kind != ExprKind::Tuple && e.kind != ExprKind::List)
        return;
    int starred = 0;
    for (const auto &x : e.elts) {
        if (x->kind == ExprKind::Starred)
            ++starred;
        else
            checkStarredTarget(*x);
    }
    if (starred > 1)
        deferError(e.span, "multiple starred expressions in assignment");
}

void Parser::checkAssignmentTargets(const ExprList &chain, const std::vector<bool> &parenthesized)
{
    const Expr *firstBad = nullptr;
    for (std::size_t i = 0; i + 1 < chain.size() && !firstBad; ++i) {
        const Expr &t = *chain[i];
        if (t.kind == ExprKind::Yield || t.kind == ExprKind::YieldFrom) {
            if (parenthesized[i])
                errorSpan(t.span, "cannot assign to yield expression");
            errorSpan(t.span, "assignment to yield expression not possible");
        }
        firstBad = invalidTarget(t, false);
    }
    if (!firstBad)
        return;
    // The last element of the first target, directly followed by '='.
    const Expr &t0 = *chain[0];
    const Expr &last = (t0.kind == ExprKind::Tuple && m_bareTuples.count(&t0) && !t0.elts.empty()) ? *t0.elts.back() : t0;
    const Expr &next = *chain[1];
    const bool nextIsBare = next.kind == ExprKind::Tuple && m_bareTuples.count(&next) && !next.elts.empty();
    const Expr &lead = nextIsBare ? *next.elts.front() : next;
    const bool leadFollowedByEquals = !nextIsBare && chain.size() > 2;
    if (!leadFollowedByEquals && isBitwiseLevel(lead)) {
        if (last.kind == ExprKind::Name)
            errorSpan(join(last.span, lead.span), "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
        if (isBitwiseLevel(last) && invalidTarget(last, false) == &last && last.kind != ExprKind::List
            && last.kind != ExprKind::Tuple && last.kind != ExprKind::GeneratorExp && !isNamedConstant(last))
            errorSpan(last.span, std::string("cannot assign to ") + exprName(last)
                                     + " here. Maybe you meant '==' instead of '='?");
    }
    errorSpan(firstBad->span, std::string("cannot assign to ") + exprName(*firstBad));
}

const Expr *Parser::invalidTarget(const Expr &e, bool forDelete)
{
    switch (e.kind) {
    case ExprKind::Name:
    case ExprKind::Attribute:
    case ExprKind::Subscript:
        return nullptr;
    case ExprKind::Starred:
        if (forDelete)
            return &e;
        return invalidTarget(*e.value, forDelete);
    case ExprKind::Tuple:
    case ExprKind::List:
        for (const auto &x : e.elts)
            if (const Expr *bad = invalidTarget(*x, forDelete))
                return bad;
        return nullptr;
    case ExprKind::Compare:
        // `a in b` as a for target: CPython points at the left operand.
        if (!forDelete && e.cmpOps.size() == 1 && e.cmpOps[0] == CmpOperator::In)
            return invalidTarget(*e.left, forDelete);
        return &e;
    default:
        return &e;
    }
}

void Parser::setContext(Expr &e, Context ctx, bool forDelete, bool assignStmt)
{
    e.ctx = ctx;
    if (e.kind == ExprKind::Starred)
        setContext(*e.value, ctx, forDelete, assignStmt);
    if (e.kind == ExprKind::Tuple || e.kind == ExprKind::List)
        for (auto &x : e.elts)
            setContext(*x, ctx, forDelete, assignStmt);
}

// star_targets at the bitwise_or level (so `for x in y` does not read `x in y`).
ExprPtr Parser::parseTargetList(bool allowTrailingComma, bool *bareTuple)
{
    if (bareTuple)
        *bareTuple = false;
    auto one = [&]() -> ExprPtr { return atOp("*") ? parseStarredBitwiseOr() : parseBinary(1); };
    ExprPtr first = one();
    if (!atOp(","))
        return first;
    if (bareTuple)
        *bareTuple = true;
    auto tuple = makeExpr(ExprKind::Tuple, sp(first));
    tuple->elts.push_back(std::move(first));
    while (atOp(",")) {
        const Token comma = take();
        if (!startsExpression(peek()) && !atOp("*")) {
            if (!allowTrailingComma)
                invalidSyntax();
            tuple->span = join(sp(tuple), spanOf(comma));
            break;
        }
        tuple->elts.push_back(one());
        tuple->span = join(sp(tuple), sp(tuple->elts.back()));
    }
    return tuple;
}

// ---- expressions ----------------------------------------------------------------

void Parser::finishComprehension(const Expr &comp)
{
    if (scope().kind == Scope::Function && scope().isAsync)
        return;
    auto inside = [&](const Span &a) {
        const auto before = [](int l1, int c1, int l2, int c2) { return l1 < l2 || (l1 == l2 && c1 <= c2); };
        return before(comp.span.line, comp.span.column, a.line, a.column)
            && before(a.endLine, a.endColumn, comp.span.endLine, comp.span.endColumn);
    };
    bool isAsync = false;
    for (const auto &g : comp.generators)
        isAsync = isAsync || g.isAsync;
    for (auto it = m_pendingAwaits.begin(); it != m_pendingAwaits.end();) {
        if (inside(it->first)) {
            isAsync = true;
            it = m_pendingAwaits.erase(it);
        } else {
            ++it;
        }
    }
    if (isAsync && comp.kind != ExprKind::GeneratorExp) {
        flushAwaits();
        deferError(comp.span, "asynchronous comprehension outside of an asynchronous function");
    }
}

bool Parser::startsExpression(const Token &t)
{
    switch (t.kind) {
    case TokenKind::Name:
        if (!isKeyword(t.text))
            return true;
        return t.text == "None" || t.text == "True" || t.text == "False" || t.text == "not" || t.text == "lambda"
            || t.text == "await";
    case TokenKind::Number:
    case TokenKind::String:
        return true;
    case TokenKind::Op:
        return t.text == "(" || t.text == "[" || t.text == "{" || t.text == "-" || t.text == "+" || t.text == "~"
            || t.text == "...";
    default:
        return false;
    }
}

ExprPtr Parser::parseStarExpressions()
{
    ExprPtr first = parseStarExpression();
    if (!atOp(","))
        return first;
    auto tuple = makeExpr(ExprKind::Tuple, sp(first));
    m_bareTuples.insert(tuple.get());
    tuple->elts.push_back(std::move(first));
    while (atOp(",")) {
        const Token comma = take();
        if (!startsExpression(peek()) && !atOp("*")) {
            tuple->span = join(sp(tuple), spanOf(comma));
            break;
        }
        tuple->elts.push_back(parseStarExpression());
        tuple->span = join(sp(tuple), sp(tuple->elts.back()));
    }
    return tuple;
}

ExprPtr Parser::parseStarExpression()
{
    return atOp("*") ? parseStarredBitwiseOr() : parseExpression();
}

// `*` and what it unpacks, at the bitwise_or level.
ExprPtr Parser::parseStarredBitwiseOr()
{
    const Token star = take();
    return makeStarred(star, parseBinary(1));
}

ExprPtr Parser::makeStarred(const Token &star, ExprPtr value)
{
    auto s = makeExpr(ExprKind::Starred, join(spanOf(star), sp(value)));
    s->value = std::move(value);
    return s;
}

ExprPtr Parser::parseStarNamedExpression()
{
    if (atOp("*"))
        return parseStarExpression();
    return parseNamedExpression(true);
}

ExprPtr Parser::parseNamedExpression(bool equalsHint)
{
    if (peek().kind == TokenKind::Name && !isKeyword(peek().text) && peek(1).isOp(":=")) {
        const Token n = take();
        take();
        auto target = makeExpr(ExprKind::Name, spanOf(n));
        target->id = std::string(n.text);
        target->ctx = Context::Store;
        ExprPtr v = parseExpression();
        auto e = makeExpr(ExprKind::NamedExpr, join(sp(target), sp(v)));
        e->left = std::move(target);
        e->value = std::move(v);
        return e;
    }
    ExprPtr e = parseExpression();
    if (atOp(":="))
        errorSpan(e->span, std::string("cannot use assignment expressions with ") + exprName(*e));
    if (equalsHint && atOp("=") && !m_noInvalidRules)
        checkEqualsInCondition(*e);
    return e;
}

// Two expressions side by side: CPython's "Perhaps you forgot a comma?" inside
// brackets, a plain "invalid syntax" elsewhere.
void Parser::checkAdjacent(const Expr &a)
{
    if (m_noInvalidRules)
        return;
    const Token t = peek();
    if (!startsExpression(t))
        return;
    const bool legacy = a.kind == ExprKind::Name && (a.id == "print" || a.id == "exec");
    const bool nameString = a.kind == ExprKind::Name && t.kind == TokenKind::String;
    if (legacy) {
        const std::size_t m = mark();
        if (const std::optional<Span> b = attempt([&] { return parseStarExpressions()->span; })) {
            errorSpan(join(a.span, *b),
                      "Missing parentheses in call to '" + a.id + "'. Did you mean " + a.id + "(...)?");
        }
        reset(m);
        invalidSyntax();
    }
    if (nameString)
        invalidSyntax();
    // CPython's second pass reads the second expression even outside brackets, which
    // matters for which later tokenizer error (an unclosed bracket) takes precedence.
    const bool inBrackets = t.level > 0;
    const std::size_t m = mark();
    const std::optional<Span> b = attempt([&] { return parseExpression()->span; });
    if (b && inBrackets)
        errorSpan(join(a.span, *b), "invalid syntax. Perhaps you forgot a comma?");
    reset(m);
    invalidSyntax();
}

ExprPtr Parser::parseExpression()
{
    DepthGuard guard(*this);
    if (atName("lambda"))
        return parseLambda();
    ExprPtr a = parseDisjunction();
    if (atName("if")) {
        take();
        ExprPtr test = parseDisjunction();
        if (!atName("else")) {
            if (atOp(":") ) // a conditional statement, not an expression: generic error
                invalidSyntax();
            errorSpan(join(sp(a), sp(test)), "expected 'else' after 'if' expression");
        }
        take();
        ExprPtr orelse = parseExpression();
        auto e = makeExpr(ExprKind::IfExp, join(sp(a), sp(orelse)));
        e->body = std::move(a);
        e->test = std::move(test);
        e->orelse = std::move(orelse);
        return e;
    }
    checkAdjacent(*a);
    return a;
}

ExprPtr Parser::parseDisjunction() { return parseBoolOp("or", BoolOperator::Or, &Parser::parseConjunction); }

ExprPtr Parser::parseConjunction() { return parseBoolOp("and", BoolOperator::And, &Parser::parseInversion); }

// `a or b or c` (one BoolOp with all operands, as CPython's AST has it); likewise `and`.
ExprPtr Parser::parseBoolOp(std::string_view keyword, BoolOperator op, ExprPtr (Parser::*operand)())
{
    ExprPtr first = (this->*operand)();
    if (!atName(keyword))
        return first;
    auto e = makeExpr(ExprKind::BoolOp, sp(first));
    e->boolOp = op;
    e->elts.push_back(std::move(first));
    while (acceptName(keyword))
        e->elts.push_back((this->*operand)());
    e->span = join(sp(e), sp(e->elts.back()));
    return e;
}

ExprPtr Parser::parseInversion()
{
    if (atName("not")) {
        DepthGuard guard(*this);
        const Token n = take();
        ExprPtr v = parseInversion();
        auto e = makeExpr(ExprKind::UnaryOp, join(spanOf(n), sp(v)));
        e->unaryOp = UnaryOperator::Not;
        e->value = std::move(v);
        return e;
    }
    return parseComparison();
}

ExprPtr Parser::parseComparison()
{
    ExprPtr left = parseBinary(1);
    ExprPtr e;
    for (;;) {
        CmpOperator op;
        const Token t = peek();
        if (t.isOp("=="))
            op = CmpOperator::Eq;
        else if (t.isOp("!="))
            op = CmpOperator::NotEq;
        else if (t.isOp("<"))
            op = CmpOperator::Lt;
        else if (t.isOp("<="))
            op = CmpOperator::LtE;
        else if (t.isOp(">"))
            op = CmpOperator::Gt;
        else if (t.isOp(">="))
            op = CmpOperator::GtE;
        else if (t.isName("in"))
            op = CmpOperator::In;
        else if (t.isName("is"))
            op = peek(1).isName("not") ? CmpOperator::IsNot : CmpOperator::Is;
        else if (t.isName("not") && peek(1).isName("in"))
            op = CmpOperator::NotIn;
        else
            break;
        take();
        if (op == CmpOperator::IsNot || op == CmpOperator::NotIn)
            take();
        if (!e) {
            e = makeExpr(ExprKind::Compare, sp(left));
            e->left = std::move(left);
        }
        e->cmpOps.push_back(op);
        e->elts.push_back(parseBinary(1));
        e->span = join(sp(e), sp(e->elts.back()));
    }
    return e ? std::move(e) : std::move(left);
}

namespace {
struct BinInfo {
    const char *text;
    int prec;
    Operator op;
};
const BinInfo kBinOps[] = {
    {"|", 1, Operator::BitOr},      {"^", 2, Operator::BitXor}, {"&", 3, Operator::BitAnd},
    {"<<", 4, Operator::LShift},    {">>", 4, Operator::RShift}, {"+", 5, Operator::Add},
    {"-", 5, Operator::Sub},        {"*", 6, Operator::Mult},    {"/", 6, Operator::Div},
    {"//", 6, Operator::FloorDiv},  {"%", 6, Operator::Mod},     {"@", 6, Operator::MatMult},
};
} // namespace

ExprPtr Parser::parseBinary(int minPrec)
{
    ExprPtr left = parseFactor();
    int chain = 0;
    for (;;) {
        const Token t = peek();
        if (t.kind != TokenKind::Op)
            break;
        const BinInfo *info = nullptr;
        for (const auto &b : kBinOps)
            if (t.text == b.text) {
                info = &b;
                break;
            }
        if (!info || info->prec < minPrec)
            break;
        take();
        if (++chain + m_depth > kMaxDepth)
            errorAt(peek(), "too many nested expressions: Python source too complex to parse");
        ExprPtr right;
        {
            DepthGuard guard(*this);
            right = parseBinary(info->prec + 1);
        }
        auto e = makeExpr(ExprKind::BinOp, join(sp(left), sp(right)));
        e->op = info->op;
        e->left = std::move(left);
        e->right = std::move(right);
        left = std::move(e);
    }
    return left;
}

ExprPtr Parser::parseFactor()
{
    const Token t = peek();
    if (t.isOp("-") || t.isOp("+") || t.isOp("~")) {
        DepthGuard guard(*this);
        const Token op = take();
        ExprPtr v = parseFactor();
        auto e = makeExpr(ExprKind::UnaryOp, join(spanOf(op), sp(v)));
        e->unaryOp = op.text == "-" ? UnaryOperator::USub : op.text == "+" ? UnaryOperator::UAdd : UnaryOperator::Invert;
        e->value = std::move(v);
        return e;
    }
    return parsePower();
}

ExprPtr Parser::parsePower()
{
    ExprPtr base = parseAwaitPrimary();
    if (!atOp("**"))
        return base;
    take();
    DepthGuard guard(*this);
    ExprPtr exp = parseFactor();
    auto e = makeExpr(ExprKind::BinOp, join(sp(base), sp(exp)));
    e->op = Operator::Pow;
    e->left = std::move(base);
    e->right = std::move(exp);
    return e;
}

ExprPtr Parser::parseAwaitPrimary()
{
    if (atName("await")) {
        DepthGuard guard(*this);
        const Token a = take();
        ExprPtr v = parsePrimary();
        auto e = makeExpr(ExprKind::Await, join(spanOf(a), sp(v)));
        e->value = std::move(v);
        // Judged later: inside a comprehension the error is about the comprehension.
        if (!inFunction())
            m_pendingAwaits.push_back({e->span, "'await' outside function"});
        else if (!(scope().kind == Scope::Function && scope().isAsync))
            m_pendingAwaits.push_back({e->span, "'await' outside async function"});
        return e;
    }
    return parsePrimary();
}

ExprPtr Parser::parsePrimary()
{
    ExprPtr e = parseAtom();
    int chain = 0;
    for (;;) {
        if (atOp(".")) {
            take();
            const Token n = expectIdentifier();
            auto a = makeExpr(ExprKind::Attribute, join(sp(e), spanOf(n)));
            a->id = std::string(n.text);
            a->value = std::move(e);
            e = std::move(a);
        } else if (atOp("(")) {
            const Token open = take();
            auto c = makeExpr(ExprKind::Call, sp(e));
            c->value = std::move(e);
            parseCallArgs(*c, open);
            c->span = join(sp(c), spanOf(m_lastTaken));
            e = std::move(c);
        } else if (atOp("[")) {
            take();
            auto s = makeExpr(ExprKind::Subscript, sp(e));
            s->value = std::move(e);
            s->slice = parseSlices();
            s->span = join(sp(s), spanOf(expectOp("]")));
            e = std::move(s);
        } else {
            break;
        }
        if (++chain + m_depth > kMaxDepth)
            errorAt(peek(), "too many nested expressions: Python source too complex to parse");
    }
    return e;
}

void Parser::parseCallArgs(Expr &call, const Token &open)
{
    bool seenKeyword = false;     // name=value
    bool seenKwUnpack = false;    // **x
    std::string lateError;        // reported at the closing parenthesis, as CPython
    while (!atOp(")")) {
        if (atOp("*")) {
            const Token star = take();
            ExprPtr s = makeStarred(star, parseExpression());
            if (seenKwUnpack)
                errorAt(star, "iterable argument unpacking follows keyword argument unpacking");
            call.elts.push_back(std::move(s));
        } else if (atOp("**")) {
            const Token star = take();
            Keyword k;
            k.value = parseExpression();
            k.span = join(spanOf(star), sp(k.value));
            seenKwUnpack = true;
            call.keywords.push_back(std::move(k));
        } else if (peek().kind == TokenKind::Name && peek(1).isOp("=")) {
            const Token n = take();
            if (isKeyword(n.text)) {
                if (n.text == "True" || n.text == "False" || n.text == "None")
                    errorAt(n, "cannot assign to " + std::string(n.text));
                errorAt(n, "invalid syntax");
            }
            take();
            Keyword k;
            k.arg = std::string(n.text);
            k.value = parseExpression();
            k.span = join(spanOf(n), sp(k.value));
            for (const auto &other : call.keywords)
                if (other.arg && *other.arg == *k.arg)
                    deferError(k.span, "keyword argument repeated: " + *k.arg);
            seenKeyword = true;
            call.keywords.push_back(std::move(k));
        } else {
            ExprPtr v = parseNamedExpression();
            if (atComprehension()) {
                auto g = makeExpr(ExprKind::GeneratorExp, sp(v));
                g->elt = std::move(v);
                g->generators = parseComprehensions();
                const Span inner = join(sp(g), g->generators.back().ifs.empty()
                                                     ? g->generators.back().iter->span
                                                     : g->generators.back().ifs.back()->span);
                if (!call.elts.empty() || !call.keywords.empty() || !atOp(")"))
                    errorSpan(inner, "Generator expression must be parenthesized");
                g->span = join(spanOf(open), peek().kind == TokenKind::Op ? spanOf(peek()) : inner);
        finishComprehension(*g);
                call.elts.push_back(std::move(g));
                continue;
            }
            if (atOp("=")) {
                errorSpan(join(sp(v), spanOf(peek())),
                          "expression cannot contain assignment, perhaps you meant \"==\"?");
            }
            if (lateError.empty() && seenKwUnpack)
                lateError = "positional argument follows keyword argument unpacking";
            if (lateError.empty() && seenKeyword)
                lateError = "positional argument follows keyword argument";
            call.elts.push_back(std::move(v));
        }
        if (!acceptOp(","))
            break;
    }
    if (!atOp(")"))
        invalidSyntax();
    if (!lateError.empty())
        errorAt(peek(), lateError);
    take();
}

ExprPtr Parser::parseSlices()
{
    ExprPtr first = parseSlice();
    if (!atOp(",")) {
        if (first->kind == ExprKind::Starred) {
            // a[*b] indexes with a one-element tuple
            auto t = makeExpr(ExprKind::Tuple, sp(first));
            t->elts.push_back(std::move(first));
            return t;
        }
        return first;
    }
    auto t = makeExpr(ExprKind::Tuple, sp(first));
    t->elts.push_back(std::move(first));
    while (acceptOp(",")) {
        if (atOp("]")) {
            t->span = join(sp(t), spanOf(m_lastTaken)); // a trailing comma belongs to the tuple
            break;
        }
        t->elts.push_back(parseSlice());
        t->span = join(sp(t), sp(t->elts.back()));
    }
    return t;
}

ExprPtr Parser::parseSlice()
{
    if (atOp("*"))
        return parseStarExpression();
    ExprPtr lower;
    const Token start = peek();
    if (!atOp(":")) {
        lower = parseNamedExpression();
        if (!atOp(":"))
            return lower;
    }
    auto s = makeExpr(ExprKind::Slice, spanOf(start));
    take(); // ':'
    s->span = join(sp(s), spanOf(m_lastTaken));
    s->lower = std::move(lower);
    if (!atOp(":") && !atOp("]") && !atOp(",")) {
        s->upper = parseExpression();
        s->span = join(sp(s), sp(s->upper));
    }
    if (acceptOp(":")) {
        s->span = join(sp(s), spanOf(m_lastTaken));
        if (!atOp("]") && !atOp(",")) {
            s->step = parseExpression();
            s->span = join(sp(s), sp(s->step));
        }
    }
    return s;
}

std::vector<Comprehension> Parser::parseComprehensions()
{
    std::vector<Comprehension> gens;
    while (atComprehension()) {
        Comprehension c;
        if (atName("async")) {
            take();
            c.isAsync = true;
        }
        take(); // for
        c.target = parseTargetList(true);
        if (const Expr *bad = invalidTarget(*c.target, false))
            errorSpan(bad->span, std::string("cannot assign to ") + exprName(*bad));
        setContext(*c.target, Context::Store, false, false);
        if (!atName("in") && !m_noInvalidRules && startsExpression(peek()) && peek().level > 0) {
            // `[x for x ixn y]`: two expressions side by side inside brackets
            const std::size_t m = mark();
            if (const std::optional<Span> b = attempt([&] { return sp(parseExpression()); }))
                errorSpan(join(sp(c.target), *b), "invalid syntax. Perhaps you forgot a comma?");
            reset(m);
        }
        if (!acceptName("in"))
            invalidSyntax();
        c.iter = parseDisjunction();
        while (atName("if")) {
            take();
            c.ifs.push_back(parseDisjunction());
        }
        gens.push_back(std::move(c));
    }
    return gens;
}

ExprPtr Parser::parseLambda()
{
    const Token kw = take();
    auto e = makeExpr(ExprKind::Lambda, spanOf(kw));
    e->args = parseParameters(":", false);
    expectOp(":");
    { Scope sc; sc.kind = Scope::Lambda; m_scopes->push_back(sc); }
    e->body = parseExpression();
    m_scopes->pop_back();
    e->span = join(sp(e), sp(e->body));
    return e;
}

ExprPtr Parser::parseYield()
{
    const Token kw = take();
    ExprPtr e;
    if (acceptName("from")) {
        ExprPtr v = parseExpression();
        e = makeExpr(ExprKind::YieldFrom, join(spanOf(kw), sp(v)));
        e->value = std::move(v);
        if (scope().kind == Scope::Function && scope().isAsync)
            deferError(e->span, "'yield from' inside async function");
    } else {
        e = makeExpr(ExprKind::Yield, spanOf(kw));
        if (startsExpression(peek()) || atOp("*")) {
            e->value = parseStarExpressions();
            e->span = join(sp(e), sp(e->value));
        }
    }
    if (!inFunction())
        deferError(e->span, "'yield' outside function");
    else
        scope().hasYield = true;
    return e;
}

ExprPtr Parser::parseAtom()
{
    const Token t = peek();
    switch (t.kind) {
    case TokenKind::Name: {
        if (t.text == "None" || t.text == "True" || t.text == "False") {
            const Token k = take();
            auto e = makeExpr(ExprKind::Constant, spanOf(k));
            e->constant.kind = k.text == "None" ? Constant::Kind::None
                : k.text == "True"              ? Constant::Kind::True
                                                : Constant::Kind::False;
            return e;
        }
        if (isKeyword(t.text))
            invalidSyntax();
        const Token n = take();
        auto e = makeExpr(ExprKind::Name, spanOf(n));
        e->id = std::string(n.text);
        return e;
    }
    case TokenKind::Number: {
        const Token n = take();
        auto e = makeExpr(ExprKind::Constant, spanOf(n));
        e->constant = numberConstant(n.text);
        return e;
    }
    case TokenKind::String:
        return parseStrings();
    case TokenKind::Op:
        if (t.text == "(")
            return parseParenthesized();
        if (t.text == "[")
            return parseListDisplay();
        if (t.text == "{")
            return parseBraceDisplay();
        if (t.text == "...") {
            const Token d = take();
            auto e = makeExpr(ExprKind::Constant, spanOf(d));
            e->constant.kind = Constant::Kind::Ellipsis;
            return e;
        }
        break;
    default:
        break;
    }
    invalidSyntax();
}

ExprPtr Parser::parseParenthesized()
{
    DepthGuard guard(*this);
    const Token open = take();
    if (atOp(")")) {
        const Token close = take();
        return makeExpr(ExprKind::Tuple, join(spanOf(open), spanOf(close)));
    }
    if (atName("yield")) {
        ExprPtr y = parseYield();
        m_parenSpans[y.get()] = join(spanOf(open), spanOf(expectOp(")")));
        return y;
    }
    ExprPtr first = parseStarNamedExpression();
    if (atComprehension()) {
        auto g = makeExpr(ExprKind::GeneratorExp, spanOf(open));
        g->elt = std::move(first);
        return parseComprehensionRest(std::move(g), ")");
    }
    if (atOp(")")) {
        const Token close = take();
        if (first->kind == ExprKind::Starred)
            errorSpan(first->span, "cannot use starred expression here");
        m_parenSpans[first.get()] = join(spanOf(open), spanOf(close));
        return first;
    }
    if (!atOp(","))
        invalidSyntax();
    auto tuple = makeExpr(ExprKind::Tuple, spanOf(open));
    tuple->elts.push_back(std::move(first));
    return parseDisplayRest(std::move(tuple), ")");
}

ExprPtr Parser::parseListDisplay()
{
    DepthGuard guard(*this);
    const Token open = take();
    auto list = makeExpr(ExprKind::List, spanOf(open));
    if (atOp("]")) {
        list->span = join(sp(list), spanOf(take()));
        return list;
    }
    ExprPtr first = parseStarNamedExpression();
    if (atComprehension()) {
        auto c = makeExpr(ExprKind::ListComp, spanOf(open));
        c->elt = std::move(first);
        return parseComprehensionRest(std::move(c), "]");
    }
    list->elts.push_back(std::move(first));
    return parseDisplayRest(std::move(list), "]");
}

ExprPtr Parser::parseBraceDisplay()
{
    DepthGuard guard(*this);
    const Token open = take();
    if (atOp("}")) {
        auto d = makeExpr(ExprKind::Dict, join(spanOf(open), spanOf(take())));
        return d;
    }
    auto parseDictItem = [&](Expr &dict) {
        if (acceptOp("**")) {
            dict.keys.push_back(nullptr);
            dict.elts.push_back(parseBinary(1));
            return;
        }
        m_noInvalidRules = true;
        ExprPtr k;
        try {
            k = parseExpression();
        } catch (...) {
            m_noInvalidRules = false;
            throw;
        }
        m_noInvalidRules = false;
        if (!atOp(":"))
            errorSpan({k->span.line, k->span.endColumn - 1, k->span.endLine, 0}, "':' expected after dictionary key");
        const Token colon = take();
        if (atOp("}") || atOp(","))
            errorAt(colon, "expression expected after dictionary key and ':'");
        dict.keys.push_back(std::move(k));
        dict.elts.push_back(parseExpression());
    };
    // the items after the first, up to the closing brace
    auto finishDict = [&](ExprPtr d) {
        while (acceptOp(",")) {
            if (atOp("}"))
                break;
            parseDictItem(*d);
        }
        d->span = join(sp(d), spanOf(expectOp("}")));
        return d;
    };
    if (atOp("**")) {
        auto d = makeExpr(ExprKind::Dict, spanOf(open));
        parseDictItem(*d);
        return finishDict(std::move(d));
    }
    ExprPtr first = parseStarNamedExpression();
    if (atOp(":") && first->kind != ExprKind::Starred) {
        const Token colon = take();
        if (atOp("}") || atOp(","))
            errorAt(colon, "expression expected after dictionary key and ':'");
        ExprPtr value = parseExpression();
        if (atComprehension()) {
            auto c = makeExpr(ExprKind::DictComp, spanOf(open));
            c->left = std::move(first);
            c->value = std::move(value);
            return parseComprehensionRest(std::move(c), "}");
        }
        auto d = makeExpr(ExprKind::Dict, spanOf(open));
        d->keys.push_back(std::move(first));
        d->elts.push_back(std::move(value));
        return finishDict(std::move(d));
    }
    if (atComprehension()) {
        auto c = makeExpr(ExprKind::SetComp, spanOf(open));
        c->elt = std::move(first);
        return parseComprehensionRest(std::move(c), "}");
    }
    auto set = makeExpr(ExprKind::Set, spanOf(open));
    set->elts.push_back(std::move(first));
    return parseDisplayRest(std::move(set), "}");
}

// A comprehension whose element is read: its for/if clauses and the closing bracket.
ExprPtr Parser::parseComprehensionRest(ExprPtr comp, std::string_view close)
{
    comp->generators = parseComprehensions();
    comp->span = join(sp(comp), spanOf(expectOp(close)));
    finishComprehension(*comp);
    return comp;
}

// A tuple, list or set display whose first element is read: the others and the closing
// bracket (a trailing comma allowed).
ExprPtr Parser::parseDisplayRest(ExprPtr display, std::string_view close)
{
    while (acceptOp(",")) {
        if (atOp(close))
            break;
        display->elts.push_back(parseStarNamedExpression());
    }
    display->span = join(sp(display), spanOf(expectOp(close)));
    return display;
}

// ---- strings and f-strings --------------------------------------------------------

ExprPtr Parser::parseStrings()
{
    std::vector<Token> toks;
    while (peek().kind == TokenKind::String)
        toks.push_back(take());
    const Span whole = join(spanOf(toks.front()), spanOf(toks.back()));
    bool anyBytes = false, anyStr = false, anyF = false;
    std::vector<DecodedString> parts;
    for (const auto &t : toks) {
        DecodedString d = splitStringToken(t.text);
        (d.isBytes ? anyBytes : anyStr) = true;
        anyF = anyF || d.isFString;
        parts.push_back(d);
    }
    if (anyBytes && anyStr)
        errorSpan(whole, "cannot mix bytes and nonbytes literals");
    auto decode = [&](const Token &t, const DecodedString &d) {
        const std::string_view body = t.text.substr(d.bodyOffset, d.bodyLength);
        if (d.isRaw)
            return std::string(body);
        bool ok = true;
        std::string err;
        std::string v = decodeEscapes(body, d.isBytes, &ok, &err);
        if (!ok)
            errorSpan({t.endLine, t.endColumn, t.endLine, t.endColumn}, err);
        if (d.isBytes)
            for (char ch : body)
                if (static_cast<unsigned char>(ch) >= 0x80)
                    errorSpan(spanOf(t), "bytes can only contain ASCII literal characters");
        return v;
    };
    if (!anyF) {
        auto e = makeExpr(ExprKind::Constant, whole);
        e->constant.kind = anyBytes ? Constant::Kind::Bytes : Constant::Kind::Str;
        for (std::size_t i = 0; i < toks.size(); ++i)
            e->constant.text += decode(toks[i], parts[i]);
        return e;
    }
    auto js = makeExpr(ExprKind::JoinedStr, whole);
    std::string pending;
    for (std::size_t i = 0; i < toks.size(); ++i) {
        if (!parts[i].isFString) {
            pending += decode(toks[i], parts[i]);
            continue;
        }
        parseFString(toks[i], parts[i], js->elts, pending, whole);
    }
    if (!pending.empty()) {
        auto c = makeExpr(ExprKind::Constant, whole);
        c->constant.kind = Constant::Kind::Str;
        c->constant.text = std::move(pending);
        js->elts.push_back(std::move(c));
    }
    return js;
}

void Parser::parseFString(const Token &tok, const DecodedString &d, ExprList &values, std::string &pending,
                          Span whole)
{
    parseFStringBody(tok, tok.text.substr(d.bodyOffset, d.bodyLength), d.bodyOffset, d.isRaw, values, pending,
                     whole, 0);
}

void Parser::parseFStringBody(const Token &tok, std::string_view body, std::size_t bodyOffset, bool raw,
                              ExprList &values, std::string &pending, Span whole, int nesting)
{
    auto flushPending = [&]() {
        if (pending.empty())
            return;
        auto c = makeExpr(ExprKind::Constant, whole);
        c->constant.kind = Constant::Kind::Str;
        c->constant.text = std::move(pending);
        pending.clear();
        values.push_back(std::move(c));
    };
    // Errors of the f-string itself point just past its last string token, as CPython's.
    auto fsErrorRaw = [&](const std::string &msg) { errorAt(peek(), msg); };
    auto fsError = [&](const std::string &msg) { fsErrorRaw("f-string: " + msg); };
    auto decodeChunk = [&](std::string_view chunk) {
        if (raw)
            return std::string(chunk);
        bool ok = true;
        std::string err;
        std::string v = decodeEscapes(chunk, false, &ok, &err);
        if (!ok)
            errorAt(peek(), err);
        return v;
    };
    // Position (line, column) of a byte offset inside the token text; fields come in
    // order, so the scan continues from the previous one.
    auto positionOf = [&](std::size_t offsetInToken, int &line, int &column) {
        FStringCursor &c = m_fstringCursor;
        if (c.text != tok.text.data() || c.offset > offsetInToken) {
            c = FStringCursor{tok.text.data(), 0, tok.line, tok.column};
        }
        line = c.line;
        column = c.column;
        const std::string_view text = tok.text;
        for (std::size_t i = c.offset; i < offsetInToken && i < text.size(); ++i) {
            const auto ch = static_cast<unsigned char>(text[i]);
            if (ch == '\n') {
                ++line;
                column = 1;
            } else if ((ch & 0xC0) != 0x80) {
                ++column;
            }
        }
        c = FStringCursor{tok.text.data(), offsetInToken, line, column};
    };

    std::size_t i = 0;
    std::size_t chunkStart = 0;
    while (i < body.size()) {
        const char c = body[i];
        if (!raw && c == '\\' && i + 1 < body.size()) {
            // An escape: `\{` is not an escape of the brace (the brace still opens a field).
            i += (body[i + 1] == '{' || body[i + 1] == '}') ? 1 : 2;
            continue;
        }
        if (c == '}') {
            if (i + 1 < body.size() && body[i + 1] == '}') {
                pending += decodeChunk(body.substr(chunkStart, i + 1 - chunkStart));
                i += 2;
                chunkStart = i;
                continue;
            }
            fsError("single '}' is not allowed");
        }
        if (c != '{') {
            ++i;
            continue;
        }
        if (i + 1 < body.size() && body[i + 1] == '{') {
            pending += decodeChunk(body.substr(chunkStart, i + 1 - chunkStart));
            i += 2;
            chunkStart = i;
            continue;
        }
        pending += decodeChunk(body.substr(chunkStart, i - chunkStart));
        if (nesting >= 2)
            fsError("expressions nested too deeply");
        // The expression: up to a top-level '}', '!', ':' or '='.
        const std::size_t exprStart = i + 1;
        std::size_t j = exprStart;
        int depth = 0;
        std::string brackets; // the open brackets, innermost last
        char quote = 0;
        int quoteLen = 0;
        for (; j < body.size(); ++j) {
            const char ch = body[j];
            if (ch == '\\')
                fsErrorRaw("f-string expression part cannot include a backslash");
            if (quote) {
                if (ch == quote) {
                    if (quoteLen == 3) {
                        if (j + 2 < body.size() && body[j + 1] == quote && body[j + 2] == quote) {
                            j += 2;
                            quote = 0;
                        }
                    } else {
                        quote = 0;
                    }
                }
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
                quoteLen = (j + 2 < body.size() && body[j + 1] == ch && body[j + 2] == ch) ? 3 : 1;
                if (quoteLen == 3)
                    j += 2;
                continue;
            }
            if (ch == '[' || ch == '(' || ch == '{') {
                if (depth >= 200)
                    fsError("too many nested parenthesis");
                ++depth;
                brackets += ch;
                continue;
            }
            if (ch == ']' || ch == ')' || ch == '}') {
                if (depth == 0) {
                    if (ch != '}')
                        fsError(std::string("unmatched '") + ch + "'");
                    break;
                }
                const char open = brackets.back();
                if ((open == '(' && ch != ')') || (open == '[' && ch != ']') || (open == '{' && ch != '}'))
                    fsError(std::string("closing parenthesis '") + ch + "' does not match opening parenthesis '" + open
                            + "'");
                brackets.pop_back();
                --depth;
                continue;
            }
            if (ch == '#')
                fsErrorRaw("f-string expression part cannot include '#'");
            if (depth == 0) {
                if (ch == '!' && !(j + 1 < body.size() && body[j + 1] == '='))
                    break;
                if (ch == ':')
                    break;
                if (ch == '=' && !(j + 1 < body.size() && body[j + 1] == '=')
                    && !(j > exprStart && std::strchr("=!<>", body[j - 1])))
                    break;
                if (ch == '=' && j + 1 < body.size() && body[j + 1] == '=') {
                    ++j;
                    continue;
                }
            }
        }
        if (quote)
            fsError("unterminated string");
        if (j >= body.size())
            fsError("expecting '}'");
        const std::string_view exprText = body.substr(exprStart, j - exprStart);
        if (exprText.find_first_not_of(" \t\n\r\f") == std::string_view::npos)
            fsError("empty expression not allowed");

        int line = 0, column = 0;
        positionOf(bodyOffset + exprStart, line, column);
        ExprPtr value;
        {
            Parser sub("(" + std::string(exprText) + ")", line, column - 1, m_depth + 1);
            sub.m_scopes = m_scopes;
            try {
                value = sub.parseFStringExpr();
            } catch (ParseError &e) {
                // CPython reports errors inside the expression against the text "(expr)".
                e.info.message = "f-string: " + e.info.message;
                // CPython 3.11 keeps the line but counts columns in the text "(expr)".
                if (e.info.line == line) {
                    e.info.column -= column - 2;
                    e.info.endColumn -= (e.info.endLine == line) ? column - 2 : 0;
                }
                const std::string wrapped = "(" + std::string(exprText) + ")\n";
                e.info.sourceLine = lineOf(wrapped, e.info.line - line + 1);
                throw;
            }
            if (sub.m_deferred && !m_deferred)
                m_deferred = sub.m_deferred;
        }

        auto fv = makeExpr(ExprKind::FormattedValue, whole);
        fv->value = std::move(value);
        bool selfDoc = false;
        if (body[j] == '=') {
            selfDoc = true;
            ++j;
            while (j < body.size() && std::strchr(" \t\n\r\f", body[j]) && body[j] != 0)
                ++j;
            pending += std::string(body.substr(exprStart, j - exprStart));
        }
        if (j < body.size() && body[j] == '!') {
            ++j;
            if (j >= body.size())
                fsError("expecting '}'");
            const char conv = body[j];
            if (conv != 's' && conv != 'r' && conv != 'a')
                fsError("invalid conversion character: expected 's', 'r', or 'a'");
            fv->conversion = conv;
            ++j;
            if (j >= body.size() || (body[j] != ':' && body[j] != '}'))
                fsError("expecting '}'");
        }
        if (j < body.size() && body[j] == ':') {
            ++j;
            // The format spec runs to the matching '}', with nested fields.
            std::size_t k = j;
            int d2 = 0;
            for (; k < body.size(); ++k) {
                if (body[k] == '{')
                    ++d2;
                else if (body[k] == '}') {
                    if (d2 == 0)
                        break;
                    --d2;
                }
            }
            if (k >= body.size())
                fsError("expecting '}'");
            // As CPython 3.11, a format spec spans the string token it is written in.
            auto spec = makeExpr(ExprKind::JoinedStr, spanOf(tok));
            std::string specPending;
            parseFStringBody(tok, body.substr(j, k - j), bodyOffset + j, raw, spec->elts, specPending, spanOf(tok),
                             nesting + 1);
            if (!specPending.empty()) {
                auto c2 = makeExpr(ExprKind::Constant, spanOf(tok));
                c2->constant.kind = Constant::Kind::Str;
                c2->constant.text = std::move(specPending);
                spec->elts.push_back(std::move(c2));
            }
            fv->formatSpec = std::move(spec);
            j = k;
        }
        if (j >= body.size() || body[j] != '}')
            fsError("expecting '}'");
        if (selfDoc && fv->conversion == 0 && !fv->formatSpec)
            fv->conversion = 'r';
        flushPending();
        values.push_back(std::move(fv));
        i = j + 1;
        chunkStart = i;
    }
    pending += decodeChunk(body.substr(chunkStart));
    if (nesting > 0)
        flushPending();
}

ExprPtr Parser::parseFStringExpr()
{
    const Token open = take(); // the '(' added around the expression
    ExprPtr e;
    if (atName("yield"))
        e = parseYield();
    else
        e = parseStarExpressions();
    if (e->kind == ExprKind::Starred)
        errorSpan(e->span, "cannot use starred expression here");
    if (!atOp(")"))
        invalidSyntax();
    const Token close = take();
    // CPython parses "(a, b)": the tuple includes the parentheses, which sit where
    // the braces are.
    if (e->kind == ExprKind::Tuple && m_bareTuples.count(e.get()))
        e->span = join(spanOf(open), spanOf(close));
    if (peek().kind != TokenKind::Newline && peek().kind != TokenKind::EndMarker)
        invalidSyntax();
    return e;
}

// ---- the API ------------------------------------------------------------------------

std::string lineOf(std::string_view src, int line)
{
    if (line <= 0)
        return {};
    std::size_t pos = 0;
    for (int l = 1; l < line; ++l) {
        const std::size_t nl = src.find('\n', pos);
        if (nl == std::string_view::npos)
            return {};
        pos = nl + 1;
    }
    const std::size_t nl = src.find('\n', pos);
    if (nl == std::string_view::npos)
        return std::string(src.substr(pos));
    return std::string(src.substr(pos, nl + 1 - pos));
}

std::string normalizeNewlines(std::string_view src)
{
    std::string out;
    out.reserve(src.size());
    for (std::size_t i = 0; i < src.size(); ++i) {
        if (src[i] == '\r') {
            out += '\n';
            if (i + 1 < src.size() && src[i + 1] == '\n')
                ++i;
        } else {
            out += src[i];
        }
    }
    return out;
}

} // namespace

ParseResult parseModule(std::string_view rawSource, std::string filename)
{
    ParseResult result;
    std::string source = normalizeNewlines(rawSource);
    // A UTF-8 byte order mark is allowed at the start.
    std::string_view body = source;
    if (body.substr(0, 3) == "\xEF\xBB\xBF")
        body.remove_prefix(3);

    auto fail = [&](SyntaxErrorInfo info) {
        info.filename = filename;
        if (info.sourceLine.empty())
            info.sourceLine = lineOf(body, info.line);
        result.error = std::move(info);
        return std::move(result);
    };

    const std::size_t bad = findInvalidUtf8(body);
    if (bad != std::string_view::npos) {
        SyntaxErrorInfo info;
        char hex[8];
        std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(body[bad]));
        const int line = 1 + static_cast<int>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
        info.message = std::string("Non-UTF-8 code starting with '\\x") + hex + "' in file " + filename + " on line "
            + std::to_string(line) + ", but no encoding declared; see https://peps.python.org/pep-0263/ for details";
        info.line = 0;
        return fail(info);
    }
    const std::size_t nul = body.find('\0');
    if (nul != std::string_view::npos) {
        SyntaxErrorInfo info;
        info.message = "source code cannot contain null bytes";
        info.line = 1 + static_cast<int>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
        // CPython shows the line as a C string: up to the null byte.
        info.sourceLine = lineOf(body, info.line);
        info.sourceLine = info.sourceLine.substr(0, info.sourceLine.find('\0')) + "\n";
        info.column = 0;
        info.endLine = info.line;
        info.endColumn = 0;
        return fail(info);
    }

    Parser parser(body, filename);
    try {
        result.module = parser.parseFile();
    } catch (const ParseError &e) {
        ParseError err = e;
        if (!err.fromLexer) {
            if (auto later = parser.tokenizerErrorAfter(parser.furthestLine()))
                err = *later;
        }
        return fail(err.info);
    }
    if (auto d = parser.deferred()) {
        result.module.reset();
        return fail(d->info);
    }
    return result;
}

std::string formatSyntaxError(const SyntaxErrorInfo &e)
{
    std::string out;
    if (e.line > 0) {
        out += "  File \"" + e.filename + "\", line " + std::to_string(e.line) + "\n";
        if (!e.sourceLine.empty()) {
            // As CPython's print_error_text: one line, leading whitespace stripped,
            // the caret range clipped to that line.
            const std::string &text = e.sourceLine;
            const long lineSize = static_cast<long>(text.size());
            // CPython ignores the end of IndentationError and TabError (subclasses).
            long endOffset = e.type == "SyntaxError" ? e.endColumn : -1;
            if (e.endLine > e.line)
                endOffset = lineSize;
            if (endOffset > lineSize + 1)
                endOffset = lineSize + 1;
            long offset = e.column;
            const long carets = (endOffset > 0 && endOffset > offset) ? endOffset - offset : 1;
            // Offsets are in characters; the text is UTF-8.
            std::size_t pos = 0;
            --offset;
            while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\f')) {
                ++pos;
                --offset;
            }
            std::string_view rest = std::string_view(text).substr(pos);
            long len = 0;
            for (unsigned char ch : rest)
                if ((ch & 0xC0) != 0x80)
                    ++len;
            if (!rest.empty() && rest.back() == '\n')
                --len;
            if (offset > len)
                offset = len;
            out += "    ";
            out += rest;
            if (rest.empty() || rest.back() != '\n')
                out += '\n';
            if (offset >= 0) {
                out += "    ";
                out += std::string(static_cast<std::size_t>(offset), ' ');
                out += std::string(static_cast<std::size_t>(carets), '^');
                out += '\n';
            }
        }
    }
    out += e.type + ": " + e.message + "\n";
    return out;
}

// ---- repr and ast.dump ------------------------------------------------------------

std::string floatRepr(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v < 0 ? "-inf" : "inf";
    if (v == 0.0)
        return std::signbit(v) ? "-0.0" : "0.0";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string sci(buf, r.ptr);
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    const auto e = sci.find('e');
    std::string digits = sci.substr(0, e);
    const int exp10 = std::stoi(sci.substr(e + 1));
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();
    std::string out;
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out = "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
        } else if (static_cast<int>(digits.size()) <= exp10 + 1) {
            out = digits + std::string(static_cast<std::size_t>(exp10 + 1) - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, static_cast<std::size_t>(exp10 + 1)) + "." + digits.substr(static_cast<std::size_t>(exp10 + 1));
        }
    } else {
        out = digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        out += eb;
    }
    return sign + out;
}

namespace {

bool reprPrintable(char32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD)
        return false;
    if ((cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F)
        || cp == 0x3000 || cp == 0xFEFF || cp == 0x1680 || (cp >= 0xD800 && cp <= 0xF8FF) || cp == 0xFFFE
        || cp == 0xFFFF || cp >= 0xE0000)
        return false;
    return true;
}

} // namespace

std::string stringRepr(std::string_view s)
{
    const bool hasSingle = s.find('\'') != std::string_view::npos;
    const bool hasDouble = s.find('"') != std::string_view::npos;
    const char q = (hasSingle && !hasDouble) ? '"' : '\'';
    std::string out(1, q);
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t cp = 0;
        int n = decodeUtf8(s, i, &cp);
        if (n == 0) {
            cp = static_cast<unsigned char>(s[i]);
            n = 1;
        }
        if (cp == static_cast<char32_t>(q) || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (!reprPrintable(cp)) {
            char buf[16];
            if (cp <= 0xFF)
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
            else if (cp <= 0xFFFF)
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            else
                std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s.substr(i, static_cast<std::size_t>(n)));
        }
        i += static_cast<std::size_t>(n);
    }
    out += q;
    return out;
}

std::string bytesRepr(std::string_view s)
{
    const bool hasSingle = s.find('\'') != std::string_view::npos;
    const bool hasDouble = s.find('"') != std::string_view::npos;
    const char q = (hasSingle && !hasDouble) ? '"' : '\'';
    std::string out = "b";
    out += q;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == static_cast<unsigned char>(q) || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c >= 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    out += q;
    return out;
}

namespace {

class Dumper {
public:
    std::string out;
    bool positions = false;

    // Python's node attributes: 0-based col_offset (characters here, bytes in CPython:
    // the same for ASCII sources).
    void attrs(const Span &s)
    {
        if (!positions)
            return;
        out.pop_back(); // ')'
        if (out.back() != '(')
            out += ", ";
        out += "lineno=" + std::to_string(s.line) + ", col_offset=" + std::to_string(s.column - 1)
            + ", end_lineno=" + std::to_string(s.endLine) + ", end_col_offset=" + std::to_string(s.endColumn - 1) + ")";
    }
    void expr(const Expr &e)
    {
        exprBody(e);
        attrs(e.span);
    }
    void stmt(const Stmt &s)
    {
        stmtBody(s);
        attrs(s.span);
    }

    // A Python list, `[a, b]`: `item` writes each element.
    template <typename Items, typename Item>
    void list(const Items &items, Item item)
    {
        out += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += ", ";
            item(items[i]);
        }
        out += ']';
    }
    void stmts(const StmtList &l)
    {
        list(l, [this](const StmtPtr &s) { stmt(*s); });
    }
    void exprs(const ExprList &l)
    {
        list(l, [this](const ExprPtr &e) {
            if (e)
                expr(*e);
            else
                out += "None";
        });
    }
    void strs(const std::vector<std::string> &l)
    {
        list(l, [this](const std::string &s) { out += stringRepr(s); });
    }
    static const char *ctxName(Context c)
    {
        return c == Context::Load ? "Load()" : c == Context::Store ? "Store()" : "Del()";
    }
    static const char *opName(Operator op)
    {
        static const char *const names[] = {"Add()", "Sub()", "Mult()", "MatMult()", "Div()", "Mod()", "Pow()",
                                            "LShift()", "RShift()", "BitOr()", "BitXor()", "BitAnd()", "FloorDiv()"};
        return names[static_cast<int>(op)];
    }
    static const char *cmpName(CmpOperator op)
    {
        static const char *const names[] = {"Eq()", "NotEq()", "Lt()", "LtE()", "Gt()", "GtE()", "Is()", "IsNot()", "In()", "NotIn()"};
        return names[static_cast<int>(op)];
    }
    void arg(const Arg &a)
    {
        out += "arg(arg=" + stringRepr(a.name);
        if (a.annotation) {
            out += ", annotation=";
            expr(*a.annotation);
        }
        out += ')';
        attrs(a.span);
    }
    void args(const std::vector<Arg> &l)
    {
        list(l, [this](const Arg &a) { arg(a); });
    }
    void arguments(const Arguments *a)
    {
        static const Arguments empty;
        if (!a)
            a = &empty;
        out += "arguments(posonlyargs=";
        args(a->posonlyargs);
        out += ", args=";
        args(a->args);
        if (a->vararg) {
            out += ", vararg=";
            arg(*a->vararg);
        }
        out += ", kwonlyargs=";
        args(a->kwonlyargs);
        out += ", kw_defaults=";
        exprs(a->kwDefaults);
        if (a->kwarg) {
            out += ", kwarg=";
            arg(*a->kwarg);
        }
        out += ", defaults=";
        exprs(a->defaults);
        out += ')';
    }
    void keywords(const std::vector<Keyword> &l)
    {
        list(l, [this](const Keyword &k) {
            out += "keyword(";
            if (k.arg)
                out += "arg=" + stringRepr(*k.arg) + ", ";
            out += "value=";
            expr(*k.value);
            out += ')';
            attrs(k.span);
        });
    }
    void generators(const std::vector<Comprehension> &l)
    {
        list(l, [this](const Comprehension &c) {
            out += "comprehension(target=";
            expr(*c.target);
            out += ", iter=";
            expr(*c.iter);
            out += ", ifs=";
            exprs(c.ifs);
            out += c.isAsync ? ", is_async=1)" : ", is_async=0)";
        });
    }
    void optExpr(const char *field, const ExprPtr &e)
    {
        if (!e)
            return;
        if (out.back() != '(') // not the node's first field
            out += ", ";
        out += field;
        out += '=';
        expr(*e);
    }
    void constant(const Constant &c)
    {
        switch (c.kind) {
        case Constant::Kind::None: out += "None"; break;
        case Constant::Kind::True: out += "True"; break;
        case Constant::Kind::False: out += "False"; break;
        case Constant::Kind::Ellipsis: out += "Ellipsis"; break;
        case Constant::Kind::Int: out += c.text; break;
        case Constant::Kind::Float:
            if (c.imaginary) {
                std::string r = floatRepr(c.floatValue);
                if (r.size() > 2 && r.compare(r.size() - 2, 2, ".0") == 0)
                    r.resize(r.size() - 2);
                out += r + "j";
            } else {
                out += floatRepr(c.floatValue);
            }
            break;
        case Constant::Kind::Str: out += stringRepr(c.text); break;
        case Constant::Kind::Bytes: out += bytesRepr(c.text); break;
        }
    }

    void exprBody(const Expr &e)
    {
        switch (e.kind) {
        case ExprKind::Name:
            out += "Name(id=" + stringRepr(e.id) + ", ctx=" + ctxName(e.ctx) + ")";
            return;
        case ExprKind::Constant:
            out += "Constant(value=";
            constant(e.constant);
            out += ')';
            return;
        case ExprKind::JoinedStr:
            out += "JoinedStr(values=";
            exprs(e.elts);
            out += ')';
            return;
        case ExprKind::FormattedValue:
            out += "FormattedValue(value=";
            expr(*e.value);
            out += ", conversion=" + std::to_string(e.conversion ? e.conversion : -1);
            optExpr("format_spec", e.formatSpec);
            out += ')';
            return;
        case ExprKind::BinOp:
            out += "BinOp(left=";
            expr(*e.left);
            out += ", op=";
            out += opName(e.op);
            out += ", right=";
            expr(*e.right);
            out += ')';
            return;
        case ExprKind::UnaryOp: {
            static const char *const names[] = {"Invert()", "Not()", "UAdd()", "USub()"};
            out += "UnaryOp(op=";
            out += names[static_cast<int>(e.unaryOp)];
            out += ", operand=";
            expr(*e.value);
            out += ')';
            return;
        }
        case ExprKind::BoolOp:
            out += e.boolOp == BoolOperator::And ? "BoolOp(op=And(), values=" : "BoolOp(op=Or(), values=";
            exprs(e.elts);
            out += ')';
            return;
        case ExprKind::Compare:
            out += "Compare(left=";
            expr(*e.left);
            out += ", ops=";
            list(e.cmpOps, [this](CmpOperator op) { out += cmpName(op); });
            out += ", comparators=";
            exprs(e.elts);
            out += ')';
            return;
        case ExprKind::Call:
            out += "Call(func=";
            expr(*e.value);
            out += ", args=";
            exprs(e.elts);
            out += ", keywords=";
            keywords(e.keywords);
            out += ')';
            return;
        case ExprKind::Attribute:
            out += "Attribute(value=";
            expr(*e.value);
            out += ", attr=" + stringRepr(e.id) + ", ctx=" + ctxName(e.ctx) + ")";
            return;
        case ExprKind::Subscript:
            out += "Subscript(value=";
            expr(*e.value);
            out += ", slice=";
            expr(*e.slice);
            out += ", ctx=";
            out += ctxName(e.ctx);
            out += ')';
            return;
        case ExprKind::Slice:
            out += "Slice(";
            optExpr("lower", e.lower);
            optExpr("upper", e.upper);
            optExpr("step", e.step);
            out += ')';
            return;
        case ExprKind::Starred:
            out += "Starred(value=";
            expr(*e.value);
            out += ", ctx=";
            out += ctxName(e.ctx);
            out += ')';
            return;
        case ExprKind::List:
        case ExprKind::Tuple:
            out += e.kind == ExprKind::List ? "List(elts=" : "Tuple(elts=";
            exprs(e.elts);
            out += ", ctx=";
            out += ctxName(e.ctx);
            out += ')';
            return;
        case ExprKind::Set:
            out += "Set(elts=";
            exprs(e.elts);
            out += ')';
            return;
        case ExprKind::Dict:
            out += "Dict(keys=";
            exprs(e.keys);
            out += ", values=";
            exprs(e.elts);
            out += ')';
            return;
        case ExprKind::ListComp:
        case ExprKind::SetComp:
        case ExprKind::GeneratorExp:
            out += e.kind == ExprKind::ListComp ? "ListComp(elt=" : e.kind == ExprKind::SetComp ? "SetComp(elt=" : "GeneratorExp(elt=";
            expr(*e.elt);
            out += ", generators=";
            generators(e.generators);
            out += ')';
            return;
        case ExprKind::DictComp:
            out += "DictComp(key=";
            expr(*e.left);
            out += ", value=";
            expr(*e.value);
            out += ", generators=";
            generators(e.generators);
            out += ')';
            return;
        case ExprKind::Lambda:
            out += "Lambda(args=";
            arguments(e.args.get());
            out += ", body=";
            expr(*e.body);
            out += ')';
            return;
        case ExprKind::IfExp:
            out += "IfExp(test=";
            expr(*e.test);
            out += ", body=";
            expr(*e.body);
            out += ", orelse=";
            expr(*e.orelse);
            out += ')';
            return;
        case ExprKind::Await:
        case ExprKind::YieldFrom:
            out += e.kind == ExprKind::Await ? "Await(value=" : "YieldFrom(value=";
            expr(*e.value);
            out += ')';
            return;
        case ExprKind::Yield:
            out += "Yield(";
            optExpr("value", e.value);
            out += ')';
            return;
        case ExprKind::NamedExpr:
            out += "NamedExpr(target=";
            expr(*e.left);
            out += ", value=";
            expr(*e.value);
            out += ')';
            return;
        }
    }

    void stmtBody(const Stmt &s)
    {
        switch (s.kind) {
        case StmtKind::FunctionDef:
            out += s.isAsync ? "AsyncFunctionDef(name=" : "FunctionDef(name=";
            out += stringRepr(s.name) + ", args=";
            arguments(s.args.get());
            out += ", body=";
            stmts(s.body);
            out += ", decorator_list=";
            exprs(s.decorators);
            optExpr("returns", s.returns);
            out += ')';
            return;
        case StmtKind::ClassDef:
            out += "ClassDef(name=" + stringRepr(s.name) + ", bases=";
            exprs(s.bases);
            out += ", keywords=";
            keywords(s.classKeywords);
            out += ", body=";
            stmts(s.body);
            out += ", decorator_list=";
            exprs(s.decorators);
            out += ')';
            return;
        case StmtKind::Return:
            out += "Return(";
            optExpr("value", s.value);
            out += ')';
            return;
        case StmtKind::Delete:
            out += "Delete(targets=";
            exprs(s.targets);
            out += ')';
            return;
        case StmtKind::Assign:
            out += "Assign(targets=";
            exprs(s.targets);
            out += ", value=";
            expr(*s.value);
            out += ')';
            return;
        case StmtKind::AugAssign:
            out += "AugAssign(target=";
            expr(*s.target);
            out += ", op=";
            out += opName(s.op);
            out += ", value=";
            expr(*s.value);
            out += ')';
            return;
        case StmtKind::AnnAssign:
            out += "AnnAssign(target=";
            expr(*s.target);
            out += ", annotation=";
            expr(*s.annotation);
            optExpr("value", s.value);
            out += s.target->kind == ExprKind::Name ? ", simple=1)" : ", simple=0)";
            return;
        case StmtKind::For:
            out += s.isAsync ? "AsyncFor(target=" : "For(target=";
            expr(*s.target);
            out += ", iter=";
            expr(*s.iter);
            out += ", body=";
            stmts(s.body);
            out += ", orelse=";
            stmts(s.orelse);
            out += ')';
            return;
        case StmtKind::While:
        case StmtKind::If:
            out += s.kind == StmtKind::While ? "While(test=" : "If(test=";
            expr(*s.test);
            out += ", body=";
            stmts(s.body);
            out += ", orelse=";
            stmts(s.orelse);
            out += ')';
            return;
        case StmtKind::With:
            out += s.isAsync ? "AsyncWith(items=" : "With(items=";
            list(s.items, [this](const WithItem &item) {
                out += "withitem(context_expr=";
                expr(*item.contextExpr);
                optExpr("optional_vars", item.optionalVars);
                out += ')';
            });
            out += ", body=";
            stmts(s.body);
            out += ')';
            return;
        case StmtKind::Raise:
            out += "Raise(";
            optExpr("exc", s.value);
            optExpr("cause", s.cause);
            out += ')';
            return;
        case StmtKind::Try:
            out += "Try(body=";
            stmts(s.body);
            out += ", handlers=";
            list(s.handlers, [this](const ExceptHandler &h) {
                out += "ExceptHandler(";
                if (h.type) {
                    out += "type=";
                    expr(*h.type);
                    out += ", ";
                }
                if (h.name)
                    out += "name=" + stringRepr(*h.name) + ", ";
                out += "body=";
                stmts(h.body);
                out += ')';
                attrs(h.span);
            });
            out += ", orelse=";
            stmts(s.orelse);
            out += ", finalbody=";
            stmts(s.finalbody);
            out += ')';
            return;
        case StmtKind::Assert:
            out += "Assert(test=";
            expr(*s.test);
            optExpr("msg", s.value);
            out += ')';
            return;
        case StmtKind::Import:
        case StmtKind::ImportFrom:
            if (s.kind == StmtKind::Import) {
                out += "Import(names=";
            } else {
                out += "ImportFrom(";
                if (!s.module.empty())
                    out += "module=" + stringRepr(s.module) + ", ";
                out += "names=";
            }
            list(s.names, [this](const Alias &a) {
                out += "alias(name=" + stringRepr(a.name);
                if (a.asname)
                    out += ", asname=" + stringRepr(*a.asname);
                out += ')';
                attrs(a.span);
            });
            if (s.kind == StmtKind::ImportFrom)
                out += ", level=" + std::to_string(s.level);
            out += ')';
            return;
        case StmtKind::Global:
        case StmtKind::Nonlocal:
            out += s.kind == StmtKind::Global ? "Global(names=" : "Nonlocal(names=";
            strs(s.identifiers);
            out += ')';
            return;
        case StmtKind::ExprStmt:
            out += "Expr(value=";
            expr(*s.value);
            out += ')';
            return;
        case StmtKind::Pass: out += "Pass()"; return;
        case StmtKind::Break: out += "Break()"; return;
        case StmtKind::Continue: out += "Continue()"; return;
        }
    }
};

} // namespace

std::string dumpModule(const Module &module, bool positions)
{
    Dumper d;
    d.positions = positions;
    d.out = "Module(body=";
    d.stmts(module.body);
    d.out += ", type_ignores=[])";
    return d.out;
}

std::string dumpExpr(const Expr &expr)
{
    Dumper d;
    d.expr(expr);
    return d.out;
}

} // namespace loopscope::lang
