// The syntax tree of the endpoint language: what the parser produces and the compiler
// consumes. Shapes follow Python's own `ast` module, so a reader who knows one knows the
// other. Every node carries the source span of its first and last token.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loopscope::lang::ast {

// Lines are 1-based; columns are 1-based character offsets, as CPython's
// SyntaxError.offset. The end is the position just past the last character.
struct Span {
    int line = 0;
    int column = 0;
    int endLine = 0;
    int endColumn = 0;
};

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using ExprList = std::vector<ExprPtr>;
using StmtList = std::vector<StmtPtr>;

enum class ExprKind : std::uint8_t {
    Name,          // id
    Constant,      // constant
    JoinedStr,     // f-string: values are Constant(str) and FormattedValue
    FormattedValue,// value, conversion ('s','r','a' or 0), formatSpec (JoinedStr or null)
    BinOp,         // left op right
    UnaryOp,       // op operand
    BoolOp,        // op values...
    Compare,       // left ops[i] comparators[i]
    Call,          // func(args..., keywords...)
    Attribute,     // value.attr
    Subscript,     // value[slice]
    Slice,         // lower:upper:step (any may be null)
    Starred,       // *value (in calls, list/tuple displays and assignment targets)
    List,          // elts
    Tuple,         // elts
    Set,           // elts
    Dict,          // keys[i]: values[i]; a null key means **values[i]
    ListComp,      // elt, generators
    SetComp,       // elt, generators
    DictComp,      // key: value, generators
    GeneratorExp,  // elt, generators
    Lambda,        // args: body
    IfExp,         // body if test else orelse
    Await,         // await value
    Yield,         // yield value (value may be null)
    YieldFrom,     // yield from value
    NamedExpr,     // target := value
};

enum class Operator : std::uint8_t {
    Add, Sub, Mult, MatMult, Div, Mod, Pow, LShift, RShift, BitOr, BitXor, BitAnd, FloorDiv
};
enum class UnaryOperator : std::uint8_t { Invert, Not, UAdd, USub };
enum class BoolOperator : std::uint8_t { And, Or };
enum class CmpOperator : std::uint8_t { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };

// Expression context, as Python's Load/Store/Del.
enum class Context : std::uint8_t { Load, Store, Del };

struct Constant {
    enum class Kind : std::uint8_t { None, True, False, Ellipsis, Int, Float, Str, Bytes };
    Kind kind = Kind::None;
    // Int: the decimal digits (already converted from 0x/0o/0b and stripped of '_'),
    // so that integers of any size survive; intFits says whether intValue holds it.
    std::string text;
    std::int64_t intValue = 0;
    bool intFits = true;
    double floatValue = 0.0;
    bool imaginary = false; // 1j: parsed, reported by the compiler as unsupported
};

struct Keyword {
    std::optional<std::string> arg; // nullopt for **kwargs
    ExprPtr value;
    Span span;
};

struct Comprehension {
    ExprPtr target;
    ExprPtr iter;
    ExprList ifs;
    bool isAsync = false;
};

struct Arg {
    std::string name;
    ExprPtr annotation; // may be null
    Span span;
};

struct Arguments {
    std::vector<Arg> posonlyargs;
    std::vector<Arg> args;
    ExprList defaults;          // for the last N of posonlyargs+args
    std::optional<Arg> vararg;  // *args
    std::vector<Arg> kwonlyargs;
    ExprList kwDefaults;        // one per kwonlyarg; null where there is no default
    std::optional<Arg> kwarg;   // **kwargs
};

struct Expr {
    ExprKind kind;
    Span span;
    Context ctx = Context::Load;

    // Name / Attribute
    std::string id;   // Name: identifier; Attribute: attribute name
    // Constant
    Constant constant;
    // operators
    Operator op = Operator::Add;
    UnaryOperator unaryOp = UnaryOperator::Not;
    BoolOperator boolOp = BoolOperator::And;
    std::vector<CmpOperator> cmpOps;
    // children, by role (unused ones stay empty/null)
    ExprPtr left;       // BinOp.left, Compare.left, DictComp.key, NamedExpr.target
    ExprPtr right;      // BinOp.right
    ExprPtr value;      // UnaryOp.operand, Attribute/Subscript/Starred/Await/Yield/
                        // YieldFrom/FormattedValue/NamedExpr/DictComp value, Call.func
    ExprPtr slice;      // Subscript.slice
    ExprPtr lower, upper, step;          // Slice
    ExprPtr test, body, orelse;          // IfExp; Lambda body is `body`
    ExprPtr elt;                         // ListComp/SetComp/GeneratorExp element
    ExprList elts;      // List/Tuple/Set elts, BoolOp values, Compare comparators,
                        // Call args, JoinedStr values, Dict values
    ExprList keys;      // Dict keys (null entry = ** unpacking)
    std::vector<Keyword> keywords;       // Call
    std::vector<Comprehension> generators;
    std::unique_ptr<Arguments> args;     // Lambda
    int conversion = 0;                  // FormattedValue: 's', 'r', 'a' or 0
    ExprPtr formatSpec;                  // FormattedValue: a JoinedStr or null

    explicit Expr(ExprKind k, Span s = {}) : kind(k), span(s) {}
};

enum class StmtKind : std::uint8_t {
    FunctionDef, ClassDef, Return, Delete, Assign, AugAssign, AnnAssign,
    For, While, If, With, Raise, Try, Assert, Import, ImportFrom,
    Global, Nonlocal, ExprStmt, Pass, Break, Continue,
};

struct Alias {
    std::string name;                 // dotted for `import a.b`
    std::optional<std::string> asname;
    Span span;
};

struct WithItem {
    ExprPtr contextExpr;
    ExprPtr optionalVars; // may be null
};

struct ExceptHandler {
    ExprPtr type;                    // null for bare `except:`
    std::optional<std::string> name; // `as name`
    StmtList body;
    Span span;
};

struct Stmt {
    StmtKind kind;
    Span span;
    bool isAsync = false; // async def / async for / async with

    // FunctionDef / ClassDef
    std::string name;
    std::unique_ptr<Arguments> args;
    ExprList decorators;
    ExprPtr returns;         // return annotation, may be null
    ExprList bases;          // ClassDef
    std::vector<Keyword> classKeywords;
    // Return/ExprStmt/Raise exc/Assign value/AugAssign value/AnnAssign value/Assert msg
    ExprPtr value;
    ExprPtr cause;           // raise ... from cause
    ExprList targets;        // Assign targets (a = b = c), Delete targets
    ExprPtr target;          // AugAssign/AnnAssign/For target
    ExprPtr annotation;      // AnnAssign
    Operator op = Operator::Add; // AugAssign
    ExprPtr iter;            // For
    ExprPtr test;            // While/If/Assert
    StmtList body;
    StmtList orelse;         // For/While/If else; Try else
    StmtList finalbody;      // Try finally
    std::vector<ExceptHandler> handlers;
    std::vector<WithItem> items;
    std::vector<Alias> names;          // Import/ImportFrom
    std::string module;                // ImportFrom
    int level = 0;                     // ImportFrom relative level
    std::vector<std::string> identifiers; // Global/Nonlocal

    explicit Stmt(StmtKind k, Span s = {}) : kind(k), span(s) {}
};

struct Module {
    std::string filename; // as shown in tracebacks: File "<filename>"
    StmtList body;
};

} // namespace loopscope::lang::ast
