// Compiler: scopes, then bytecode (see compiler.h, code.h).
#include "compiler.h"

#include "objects.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace loopscope::lang {

namespace {

using namespace ast;

struct CompileFailure {
    CompileIssue issue;
};

[[noreturn]] void fail(const Span &sp, std::string msg)
{
    CompileFailure f;
    f.issue.message = std::move(msg);
    f.issue.line = sp.line;
    f.issue.column = sp.column;
    f.issue.endLine = sp.endLine;
    f.issue.endColumn = sp.endColumn;
    throw f;
}

// ------------------------------------------------------------------ scopes
struct Scope {
    enum Kind { Module, Function, Class } kind = Module;
    Scope *parent = nullptr;
    std::string name;
    std::vector<std::string> params;
    std::vector<std::string> assignedOrder;
    std::set<std::string> assigned, globals, nonlocals, used;
    std::vector<Scope *> children;
    bool isGenerator = false, isAsync = false, isComprehension = false, isLambda = false;
    bool hasAwait = false;
    std::set<std::string> locals, cells, frees;
    std::string qualname;

    void assign(const std::string &n)
    {
        if (assigned.insert(n).second)
            assignedOrder.push_back(n);
    }
};

class ScopeBuilder {
public:
    std::vector<std::unique_ptr<Scope>> all;
    std::unordered_map<const void *, Scope *> byNode;

    Scope *newScope(Scope::Kind k, Scope *parent, std::string name, const void *node)
    {
        all.push_back(std::make_unique<Scope>());
        Scope *s = all.back().get();
        s->kind = k;
        s->parent = parent;
        s->name = std::move(name);
        if (parent)
            parent->children.push_back(s);
        if (node)
            byNode[node] = s;
        // qualname as CPython: outer.<locals>.inner for functions, Outer.inner for classes
        if (!parent || parent->kind == Scope::Module)
            s->qualname = s->name;
        else if (parent->kind == Scope::Class)
            s->qualname = parent->qualname + "." + s->name;
        else
            s->qualname = parent->qualname + ".<locals>." + s->name;
        return s;
    }

    void bindTarget(Scope *s, const Expr *e)
    {
        if (!e)
            return;
        switch (e->kind) {
        case ExprKind::Name: s->assign(e->id); break;
        case ExprKind::Tuple:
        case ExprKind::List:
            for (auto &x : e->elts)
                bindTarget(s, x.get());
            break;
        case ExprKind::Starred: bindTarget(s, e->value.get()); break;
        default: visitExpr(s, e); break; // attribute/subscript targets: their parts are loads
        }
    }

    void visitArgs(Scope *outer, Scope *inner, const Arguments *a)
    {
        if (!a)
            return;
        for (auto &d : a->defaults)
            visitExpr(outer, d.get());
        for (auto &d : a->kwDefaults)
            if (d)
                visitExpr(outer, d.get());
        auto param = [&](const Arg &arg) {
            if (arg.annotation)
                visitExpr(outer, arg.annotation.get());
            inner->params.push_back(arg.name);
        };
        for (auto &x : a->posonlyargs)
            param(x);
        for (auto &x : a->args)
            param(x);
        for (auto &x : a->kwonlyargs)
            param(x);
        if (a->vararg)
            param(*a->vararg);
        if (a->kwarg)
            param(*a->kwarg);
    }

    void visitComprehension(Scope *s, const Expr *e, const char *name)
    {
        visitExpr(s, e->generators[0].iter.get());
        Scope *c = newScope(Scope::Function, s, name, e);
        c->isComprehension = true;
        c->params.push_back(".0");
        for (std::size_t i = 0; i < e->generators.size(); ++i) {
            auto &g = e->generators[i];
            if (g.isAsync)
                c->isAsync = true;
            if (i > 0)
                visitExpr(c, g.iter.get());
            bindTarget(c, g.target.get());
            for (auto &cond : g.ifs)
                visitExpr(c, cond.get());
        }
        if (e->kind == ExprKind::DictComp) {
            visitExpr(c, e->left.get());
            visitExpr(c, e->value.get());
        } else {
            visitExpr(c, e->elt.get());
        }
        if (e->kind == ExprKind::GeneratorExp)
            c->isGenerator = true;
        if (c->hasAwait)
            c->isAsync = true;
    }

    void visitExpr(Scope *s, const Expr *e)
    {
        if (!e)
            return;
        switch (e->kind) {
        case ExprKind::Name:
            if (e->ctx == Context::Load)
                s->used.insert(e->id);
            else
                s->assign(e->id);
            return;
        case ExprKind::Lambda: {
            Scope *l = newScope(Scope::Function, s, "<lambda>", e);
            l->isLambda = true;
            visitArgs(s, l, e->args.get());
            visitExpr(l, e->body.get());
            return;
        }
        case ExprKind::ListComp: visitComprehension(s, e, "<listcomp>"); return;
        case ExprKind::SetComp: visitComprehension(s, e, "<setcomp>"); return;
        case ExprKind::DictComp: visitComprehension(s, e, "<dictcomp>"); return;
        case ExprKind::GeneratorExp: visitComprehension(s, e, "<genexpr>"); return;
        case ExprKind::Yield:
        case ExprKind::YieldFrom:
            if (s->kind != Scope::Function)
                fail(e->span, "'yield' outside function");
            s->isGenerator = true;
            break;
        case ExprKind::Await:
            s->hasAwait = true;
            break;
        case ExprKind::NamedExpr: {
            // binds in the nearest non-comprehension scope
            Scope *t = s;
            while (t->isComprehension && t->parent)
                t = t->parent;
            if (e->left && e->left->kind == ExprKind::Name) {
                t->assign(e->left->id);
                if (t != s)
                    s->used.insert(e->left->id);
            }
            visitExpr(s, e->value.get());
            return;
        }
        default: break;
        }
        visitExpr(s, e->left.get());
        visitExpr(s, e->right.get());
        visitExpr(s, e->value.get());
        visitExpr(s, e->slice.get());
        visitExpr(s, e->lower.get());
        visitExpr(s, e->upper.get());
        visitExpr(s, e->step.get());
        visitExpr(s, e->test.get());
        visitExpr(s, e->body.get());
        visitExpr(s, e->orelse.get());
        visitExpr(s, e->elt.get());
        visitExpr(s, e->formatSpec.get());
        for (auto &x : e->keys)
            visitExpr(s, x.get());
        for (auto &x : e->elts)
            visitExpr(s, x.get());
        for (auto &k : e->keywords)
            visitExpr(s, k.value.get());
    }

    void visitBody(Scope *s, const StmtList &body)
    {
        for (auto &st : body)
            visitStmt(s, st.get());
    }

    void visitStmt(Scope *s, const Stmt *st)
    {
        switch (st->kind) {
        case StmtKind::FunctionDef: {
            for (auto &d : st->decorators)
                visitExpr(s, d.get());
            if (st->returns)
                visitExpr(s, st->returns.get());
            s->assign(st->name);
            Scope *f = newScope(Scope::Function, s, st->name, st);
            f->isAsync = st->isAsync;
            visitArgs(s, f, st->args.get());
            visitBody(f, st->body);
            return;
        }
        case StmtKind::ClassDef: {
            for (auto &d : st->decorators)
                visitExpr(s, d.get());
            for (auto &b : st->bases)
                visitExpr(s, b.get());
            for (auto &k : st->classKeywords)
                visitExpr(s, k.value.get());
            s->assign(st->name);
            Scope *c = newScope(Scope::Class, s, st->name, st);
            visitBody(c, st->body);
            return;
        }
        case StmtKind::Global:
            for (auto &n : st->identifiers)
                s->globals.insert(n);
            return;
        case StmtKind::Nonlocal:
            for (auto &n : st->identifiers)
                s->nonlocals.insert(n);
            return;
        case StmtKind::Assign:
            for (auto &t : st->targets)
                bindTarget(s, t.get());
            visitExpr(s, st->value.get());
            return;
        case StmtKind::AugAssign:
            if (st->target->kind == ExprKind::Name) {
                s->assign(st->target->id);
                s->used.insert(st->target->id);
            } else {
                visitExpr(s, st->target.get());
            }
            visitExpr(s, st->value.get());
            return;
        case StmtKind::AnnAssign:
            if (st->target->kind == ExprKind::Name) {
                if (st->value)
                    s->assign(st->target->id);
            } else {
                visitExpr(s, st->target.get());
            }
            if (s->kind != Scope::Function)
                visitExpr(s, st->annotation.get());
            visitExpr(s, st->value.get());
            return;
        case StmtKind::Delete:
            for (auto &t : st->targets)
                bindTarget(s, t.get());
            return;
        case StmtKind::For:
            bindTarget(s, st->target.get());
            visitExpr(s, st->iter.get());
            visitBody(s, st->body);
            visitBody(s, st->orelse);
            if (st->isAsync)
                s->hasAwait = true;
            return;
        case StmtKind::With:
            for (auto &it : st->items) {
                visitExpr(s, it.contextExpr.get());
                bindTarget(s, it.optionalVars.get());
            }
            visitBody(s, st->body);
            return;
        case StmtKind::Try:
            visitBody(s, st->body);
            for (auto &h : st->handlers) {
                visitExpr(s, h.type.get());
                if (h.name)
                    s->assign(*h.name);
                visitBody(s, h.body);
            }
            visitBody(s, st->orelse);
            visitBody(s, st->finalbody);
            return;
        case StmtKind::Import:
            for (auto &a : st->names) {
                std::string n = a.asname ? *a.asname : a.name.substr(0, a.name.find('.'));
                s->assign(n);
            }
            return;
        case StmtKind::ImportFrom:
            for (auto &a : st->names) {
                if (a.name == "*")
                    continue;
                s->assign(a.asname ? *a.asname : a.name);
            }
            return;
        default:
            break;
        }
        visitExpr(s, st->value.get());
        visitExpr(s, st->cause.get());
        visitExpr(s, st->test.get());
        visitExpr(s, st->target.get());
        visitExpr(s, st->iter.get());
        for (auto &t : st->targets)
            visitExpr(s, t.get());
        visitBody(s, st->body);
        visitBody(s, st->orelse);
        visitBody(s, st->finalbody);
    }

    void analyze(Scope *s, const std::set<std::string> &bound)
    {
        if (s->kind == Scope::Function) {
            for (auto &p : s->params)
                s->locals.insert(p);
            for (auto &a : s->assigned)
                if (!s->globals.count(a) && !s->nonlocals.count(a))
                    s->locals.insert(a);
        }
        std::set<std::string> childBound;
        for (auto &b : bound)
            if (!s->globals.count(b))
                childBound.insert(b);
        if (s->kind == Scope::Function)
            childBound.insert(s->locals.begin(), s->locals.end());
        if (s->kind == Scope::Module)
            childBound.clear();
        for (Scope *c : s->children) {
            analyze(c, childBound);
            for (auto &f : c->frees) {
                if (s->kind == Scope::Function && s->locals.count(f))
                    s->cells.insert(f);
                else if (s->kind != Scope::Module)
                    s->frees.insert(f);
            }
        }
        for (auto &n : s->nonlocals) {
            if (!bound.count(n))
                throw CompileFailure{{"no binding for nonlocal '" + n + "' found", 0, 0, 0, 0}};
            s->frees.insert(n);
        }
        if (s->kind == Scope::Function) {
            for (auto &n : s->used)
                if (!s->locals.count(n) && !s->globals.count(n) && bound.count(n))
                    s->frees.insert(n);
        } else if (s->kind == Scope::Class) {
            for (auto &n : s->used)
                if (!s->assigned.count(n) && !s->globals.count(n) && bound.count(n))
                    s->frees.insert(n);
        }
    }
};

// ------------------------------------------------------------------ code generation
struct Label {
    int target = -1;
    std::vector<int> patches;
};

enum class FKind { Loop, TryExcept, TryFinally, HandlerCleanup, FinallyHandler, With, AsyncWith };

struct FBlock {
    FBlock() : kind(FKind::Loop) {}
    explicit FBlock(FKind k) : kind(k) {}
    FKind kind;
    Label *breakLabel = nullptr;
    int continueTarget = -1;
    bool isFor = false;
    const StmtList *finalbody = nullptr;
    std::string handlerName; // except ... as name: deleted on exit
};

class Unit;

class Compiler {
public:
    std::string filename;
    ScopeBuilder scopes;
    std::unordered_map<std::string, Value> interned;

    Value intern(const std::string &s)
    {
        auto it = interned.find(s);
        if (it != interned.end())
            return it->second;
        Value v = Value::fromString(s);
        interned.emplace(s, v);
        return v;
    }

    std::shared_ptr<Code> compileScope(Scope *s, const Stmt *def, const Expr *lam, const StmtList *body,
                                       int firstLine);
};

class Unit {
public:
    Unit(Compiler &c, Scope *s, std::shared_ptr<Code> code) : m_c(c), m_s(s), m_code(std::move(code)) {}

    Compiler &m_c;
    Scope *m_s;
    std::shared_ptr<Code> m_code;
    int m_line = 1;
    std::vector<FBlock> m_fblocks;
    std::map<std::string, int> m_nameIdx;
    std::map<std::string, int> m_varIdx;
    std::map<std::string, int> m_cellIdx;
    int m_loopDepthCheck = 0;

    // ---- emission
    int here() const { return static_cast<int>(m_code->code.size()); }
    int emit(Op op, std::uint32_t arg = 0, std::uint16_t extra = 0)
    {
        Instr in;
        in.op = op;
        in.arg = arg;
        in.extra = extra;
        m_code->code.push_back(in);
        m_code->lines.push_back(m_line);
        if (m_code->code.size() > (1u << 24))
            fail({m_line, 1, m_line, 1}, "too much code in one function");
        return here() - 1;
    }
    void emitJump(Op op, Label &l)
    {
        int at = emit(op, 0);
        if (l.target >= 0)
            m_code->code[at].arg = l.target;
        else
            l.patches.push_back(at);
    }
    void bind(Label &l)
    {
        l.target = here();
        for (int p : l.patches)
            m_code->code[p].arg = l.target;
        l.patches.clear();
    }
    int constIndex(Value v)
    {
        // dedupe simple constants by identity/type+value
        for (std::size_t i = 0; i < m_code->consts.size(); ++i) {
            const Value &c = m_code->consts[i];
            if (c.is(v))
                return static_cast<int>(i);
            if (c.isStr() && v.isStr() && c.asString() == v.asString())
                return static_cast<int>(i);
            if (i > 64)
                break;
        }
        m_code->consts.push_back(std::move(v));
        return static_cast<int>(m_code->consts.size() - 1);
    }
    void loadConst(Value v) { emit(Op::LoadConst, constIndex(std::move(v))); }
    int nameIndex(const std::string &n)
    {
        auto it = m_nameIdx.find(n);
        if (it != m_nameIdx.end())
            return it->second;
        int i = static_cast<int>(m_code->names.size());
        m_code->names.push_back(m_c.intern(n));
        m_nameIdx[n] = i;
        return i;
    }

    // ---- names
    enum class NameOp { Fast, Deref, Global, Name };
    NameOp resolve(const std::string &n, int &index)
    {
        Scope *s = m_s;
        if (s->kind == Scope::Module) {
            index = nameIndex(n);
            return NameOp::Global;
        }
        if (s->globals.count(n)) {
            index = nameIndex(n);
            return NameOp::Global;
        }
        auto ci = m_cellIdx.find(n);
        if (ci != m_cellIdx.end()) {
            if (s->kind == Scope::Function || !s->assigned.count(n)) {
                index = ci->second;
                return NameOp::Deref;
            }
        }
        if (s->kind == Scope::Function) {
            auto vi = m_varIdx.find(n);
            if (vi != m_varIdx.end()) {
                index = vi->second;
                return NameOp::Fast;
            }
            index = nameIndex(n);
            return NameOp::Global;
        }
        index = nameIndex(n);
        return NameOp::Name;
    }
    // The instruction of one access (load, store or delete) for each place a name can live.
    struct NameAccess {
        Op fast, deref, global, name;
    };
    void emitName(const std::string &n, const NameAccess &ops)
    {
        int i;
        switch (resolve(n, i)) {
        case NameOp::Fast: emit(ops.fast, i); break;
        case NameOp::Deref: emit(ops.deref, i); break;
        case NameOp::Global: emit(ops.global, i); break;
        case NameOp::Name: emit(ops.name, i); break;
        }
    }
    void loadName(const std::string &n) { emitName(n, {Op::LoadFast, Op::LoadDeref, Op::LoadGlobal, Op::LoadName}); }
    void storeName(const std::string &n)
    {
        emitName(n, {Op::StoreFast, Op::StoreDeref, Op::StoreGlobal, Op::StoreName});
    }
    void deleteName(const std::string &n)
    {
        emitName(n, {Op::DeleteFast, Op::DeleteDeref, Op::DeleteGlobal, Op::DeleteName});
    }

    void setupNames()
    {
        Code &c = *m_code;
        if (m_s->kind == Scope::Function) {
            for (auto &p : m_s->params) {
                m_varIdx[p] = static_cast<int>(c.varnames.size());
                c.varnames.push_back(p);
            }
            for (auto &a : m_s->assignedOrder)
                if (m_s->locals.count(a) && !m_varIdx.count(a)) {
                    m_varIdx[a] = static_cast<int>(c.varnames.size());
                    c.varnames.push_back(a);
                }
            for (auto &a : m_s->locals)
                if (!m_varIdx.count(a)) {
                    m_varIdx[a] = static_cast<int>(c.varnames.size());
                    c.varnames.push_back(a);
                }
        }
        for (auto &cv : m_s->cells) {
            m_cellIdx[cv] = static_cast<int>(c.cellvars.size());
            c.cellvars.push_back(cv);
            auto vi = m_varIdx.find(cv);
            c.cellParamSlot.push_back(vi != m_varIdx.end() && vi->second < static_cast<int>(m_s->params.size()) ? vi->second : -1);
        }
        for (auto &fv : m_s->frees) {
            m_cellIdx[fv] = static_cast<int>(c.cellvars.size() + c.freevars.size());
            c.freevars.push_back(fv);
        }
    }

    // ---- statements
    void body(const StmtList &b)
    {
        for (auto &s : b)
            stmt(*s);
    }

    void stmt(const Stmt &s)
    {
        m_line = s.span.line;
        switch (s.kind) {
        case StmtKind::ExprStmt:
            expr(*s.value);
            emit(Op::Pop);
            break;
        case StmtKind::Pass: break;
        case StmtKind::Assign: {
            expr(*s.value);
            for (std::size_t i = 0; i < s.targets.size(); ++i) {
                if (i + 1 < s.targets.size())
                    emit(Op::Dup);
                storeTarget(*s.targets[i]);
            }
            break;
        }
        case StmtKind::AugAssign: augAssign(s); break;
        case StmtKind::AnnAssign:
            if (s.value) {
                expr(*s.value);
                storeTarget(*s.target);
            }
            if (m_s->kind != Scope::Function && s.target->kind == ExprKind::Name && s.annotation) {
                // module and class bodies record annotations in __annotations__
                expr(*s.annotation);
                loadName("__annotations__");
                loadConst(m_c.intern(s.target->id));
                emit(Op::StoreSubscr);
            }
            break;
        case StmtKind::Delete:
            for (auto &t : s.targets)
                deleteTarget(*t);
            break;
        case StmtKind::If: ifStmt(s); break;
        case StmtKind::While: whileStmt(s); break;
        case StmtKind::For: s.isAsync ? asyncForStmt(s) : forStmt(s); break;
        case StmtKind::Break: breakStmt(s); break;
        case StmtKind::Continue: continueStmt(s); break;
        case StmtKind::Return: returnStmt(s); break;
        case StmtKind::FunctionDef: functionDef(s); break;
        case StmtKind::ClassDef: classDef(s); break;
        case StmtKind::Raise:
            if (s.value) {
                expr(*s.value);
                if (s.cause) {
                    expr(*s.cause);
                    emit(Op::Raise, 2);
                } else {
                    emit(Op::Raise, 1);
                }
            } else {
                emit(Op::Raise, 0);
            }
            break;
        case StmtKind::Try: tryStmt(s); break;
        case StmtKind::With: withStmt(s, 0); break;
        case StmtKind::Assert: {
            Label end;
            expr(*s.test);
            emitJump(Op::PopJumpIfTrue, end);
            emit(Op::LoadAssertionError);
            if (s.value) {
                expr(*s.value);
                emit(Op::Call, 1);
            }
            emit(Op::Raise, 1);
            bind(end);
            break;
        }
        case StmtKind::Import:
            for (auto &a : s.names) {
                m_line = a.span.line ? a.span.line : s.span.line;
                if (a.asname) {
                    emit(Op::ImportName, nameIndex(a.name), 1);
                    storeName(*a.asname);
                } else {
                    emit(Op::ImportName, nameIndex(a.name), 0);
                    storeName(a.name.substr(0, a.name.find('.')));
                }
            }
            break;
        case StmtKind::ImportFrom: {
            if (s.level > 0)
                fail(s.span, "relative imports are not supported");
            emit(Op::ImportName, nameIndex(s.module), 1);
            for (auto &a : s.names) {
                if (a.name == "*") {
                    if (m_s->kind != Scope::Module)
                        fail(s.span, "import * only allowed at module level");
                    emit(Op::ImportStar);
                    return;
                }
                emit(Op::ImportFrom, nameIndex(a.name));
                storeName(a.asname ? *a.asname : a.name);
            }
            emit(Op::Pop);
            break;
        }
        case StmtKind::Global:
        case StmtKind::Nonlocal: break;
        }
    }

    void storeTarget(const Expr &t)
    {
        switch (t.kind) {
        case ExprKind::Name: storeName(t.id); break;
        case ExprKind::Attribute:
            expr(*t.value);
            emit(Op::StoreAttr, nameIndex(t.id));
            break;
        case ExprKind::Subscript:
            expr(*t.value);
            expr(*t.slice);
            emit(Op::StoreSubscr);
            break;
        case ExprKind::Tuple:
        case ExprKind::List: {
            int star = -1;
            for (std::size_t i = 0; i < t.elts.size(); ++i)
                if (t.elts[i]->kind == ExprKind::Starred) {
                    if (star >= 0)
                        fail(t.span, "multiple starred expressions in assignment");
                    star = static_cast<int>(i);
                }
            if (star < 0) {
                emit(Op::UnpackSequence, static_cast<std::uint32_t>(t.elts.size()));
            } else {
                std::uint32_t before = star, after = static_cast<std::uint32_t>(t.elts.size() - star - 1);
                if (before > 255 || after > 255)
                    fail(t.span, "too many expressions in star-unpacking assignment");
                emit(Op::UnpackEx, before | (after << 8));
            }
            for (auto &e : t.elts)
                storeTarget(e->kind == ExprKind::Starred ? *e->value : *e);
            break;
        }
        case ExprKind::Starred: fail(t.span, "starred assignment target must be in a list or tuple");
        default: fail(t.span, "cannot assign to expression");
        }
    }

    void deleteTarget(const Expr &t)
    {
        switch (t.kind) {
        case ExprKind::Name: deleteName(t.id); break;
        case ExprKind::Attribute:
            expr(*t.value);
            emit(Op::DeleteAttr, nameIndex(t.id));
            break;
        case ExprKind::Subscript:
            expr(*t.value);
            expr(*t.slice);
            emit(Op::DeleteSubscr);
            break;
        case ExprKind::Tuple:
        case ExprKind::List:
            for (auto &e : t.elts)
                deleteTarget(*e);
            break;
        default: fail(t.span, "cannot delete expression");
        }
    }

    void augAssign(const Stmt &s)
    {
        const Expr &t = *s.target;
        switch (t.kind) {
        case ExprKind::Name:
            loadName(t.id);
            expr(*s.value);
            m_line = s.span.line;
            emit(Op::InplaceBinary, static_cast<std::uint32_t>(s.op));
            storeName(t.id);
            break;
        case ExprKind::Attribute:
            expr(*t.value);
            emit(Op::Dup);
            emit(Op::LoadAttr, nameIndex(t.id));
            expr(*s.value);
            m_line = s.span.line;
            emit(Op::InplaceBinary, static_cast<std::uint32_t>(s.op));
            emit(Op::Rot2);
            emit(Op::StoreAttr, nameIndex(t.id));
            break;
        case ExprKind::Subscript:
            expr(*t.value);
            expr(*t.slice);
            emit(Op::Dup2);
            emit(Op::BinarySubscr);
            expr(*s.value);
            m_line = s.span.line;
            emit(Op::InplaceBinary, static_cast<std::uint32_t>(s.op));
            emit(Op::Rot3);
            emit(Op::StoreSubscr);
            break;
        default: fail(t.span, "'" + std::string("expression") + "' is an illegal expression for augmented assignment");
        }
    }

    void ifStmt(const Stmt &s)
    {
        Label orelse, end;
        expr(*s.test);
        emitJump(Op::PopJumpIfFalse, orelse);
        body(s.body);
        if (!s.orelse.empty()) {
            emitJump(Op::Jump, end);
            bind(orelse);
            body(s.orelse);
            bind(end);
        } else {
            bind(orelse);
        }
    }

    // The body of a loop that starts at `top`: `break` goes to `end`, `continue` and the
    // end of the body back to `top`. A `for` loop's iterator is on the stack.
    void loopBody(const Stmt &s, Label &top, Label &end, bool isFor)
    {
        FBlock fb{FKind::Loop};
        fb.breakLabel = &end;
        fb.continueTarget = top.target;
        fb.isFor = isFor;
        m_fblocks.push_back(fb);
        body(s.body);
        m_fblocks.pop_back();
        m_line = s.span.line;
        emitJump(Op::Jump, top);
    }

    void whileStmt(const Stmt &s)
    {
        Label top, orelse, end;
        bind(top);
        expr(*s.test);
        emitJump(Op::PopJumpIfFalse, orelse);
        loopBody(s, top, end, false);
        bind(orelse);
        body(s.orelse);
        bind(end);
    }

    void forStmt(const Stmt &s)
    {
        Label top, orelse, end;
        expr(*s.iter);
        m_line = s.span.line;
        emit(Op::GetIter);
        bind(top);
        emitJump(Op::ForIter, orelse);
        storeTarget(*s.target);
        loopBody(s, top, end, true);
        bind(orelse);
        body(s.orelse);
        bind(end);
    }

    void asyncForStmt(const Stmt &s)
    {
        if (!m_code->isCoroutine() && !m_code->isAsyncGenerator())
            fail(s.span, "'async for' outside async function");
        Label top, handler, orelse, end;
        expr(*s.iter);
        m_line = s.span.line;
        emit(Op::GetAIter);
        bind(top);
        emitJump(Op::SetupExcept, handler);
        emit(Op::GetANext);
        loadConst(Value::none());
        emit(Op::YieldFrom);
        emit(Op::PopBlock);
        storeTarget(*s.target);
        loopBody(s, top, end, true);
        bind(handler);
        emit(Op::EndAsyncFor);
        bind(orelse);
        body(s.orelse);
        bind(end);
    }

    // Unwinds fblocks down to (not including) index `downTo`; `withValue`: a value is on TOS.
    void unwind(std::size_t downTo, bool withValue, bool popLoopIter)
    {
        for (std::size_t i = m_fblocks.size(); i-- > downTo;) {
            FBlock fb = m_fblocks[i];
            switch (fb.kind) {
            case FKind::Loop:
                if (fb.isFor && (popLoopIter || i > downTo)) {
                    if (withValue)
                        emit(Op::Rot2);
                    emit(Op::Pop);
                }
                break;
            case FKind::TryExcept: emit(Op::PopBlock); break;
            case FKind::TryFinally: {
                emit(Op::PopBlock);
                // run the finally body with the blocks outside it active
                std::vector<FBlock> saved(m_fblocks.begin() + i, m_fblocks.end());
                m_fblocks.resize(i);
                body(*fb.finalbody);
                m_fblocks.insert(m_fblocks.end(), saved.begin(), saved.end());
                break;
            }
            case FKind::HandlerCleanup:
                emit(Op::PopBlock);
                if (withValue)
                    emit(Op::Rot2);
                emit(Op::PopExcept);
                if (!fb.handlerName.empty()) {
                    loadConst(Value::none());
                    storeName(fb.handlerName);
                    deleteName(fb.handlerName);
                }
                break;
            case FKind::FinallyHandler:
                emit(Op::PopBlock);
                if (withValue)
                    emit(Op::Rot2);
                emit(Op::Pop); // the exception
                if (withValue)
                    emit(Op::Rot2);
                emit(Op::PopExcept);
                break;
            case FKind::With:
            case FKind::AsyncWith:
                emit(Op::PopBlock);
                if (withValue)
                    emit(Op::Rot2);
                emit(Op::WithExitCall, 0);
                if (fb.kind == FKind::AsyncWith) {
                    emit(Op::GetAwaitable);
                    loadConst(Value::none());
                    emit(Op::YieldFrom);
                }
                emit(Op::Pop);
                break;
            }
        }
    }

    int innermostLoop()
    {
        for (std::size_t i = m_fblocks.size(); i-- > 0;)
            if (m_fblocks[i].kind == FKind::Loop)
                return static_cast<int>(i);
        return -1;
    }

    void breakStmt(const Stmt &s)
    {
        int li = innermostLoop();
        if (li < 0)
            fail(s.span, "'break' outside loop");
        FBlock fb = m_fblocks[li];
        unwind(li, false, true);
        emitJump(Op::Jump, *fb.breakLabel);
    }

    void continueStmt(const Stmt &s)
    {
        int li = innermostLoop();
        if (li < 0)
            fail(s.span, "'continue' not properly in loop");
        FBlock fb = m_fblocks[li];
        unwind(li + 1, false, false);
        emit(Op::Jump, fb.continueTarget);
    }

    void returnStmt(const Stmt &s)
    {
        if (m_s->kind != Scope::Function)
            fail(s.span, "'return' outside function");
        if (s.value) {
            if (m_code->isAsyncGenerator())
                fail(s.span, "'return' with value in async generator");
            expr(*s.value);
        } else {
            loadConst(Value::none());
        }
        unwind(0, true, true);
        m_line = s.span.line;
        emit(Op::Return);
    }

    void tryStmt(const Stmt &s)
    {
        if (!s.finalbody.empty()) {
            Label handler, cleanup, end;
            emitJump(Op::SetupExcept, handler);
            FBlock fb{FKind::TryFinally};
            fb.finalbody = &s.finalbody;
            m_fblocks.push_back(fb);
            if (!s.handlers.empty())
                tryExcept(s);
            else
                body(s.body);
            m_fblocks.pop_back();
            emit(Op::PopBlock);
            body(s.finalbody);
            emitJump(Op::Jump, end);
            // exceptional path
            bind(handler);
            emit(Op::PushExcInfo);
            emitJump(Op::SetupCleanup, cleanup);
            m_fblocks.push_back(FBlock{FKind::FinallyHandler});
            body(s.finalbody);
            m_fblocks.pop_back();
            emit(Op::PopBlock);
            emit(Op::RaiseCleanup);
            bind(cleanup);
            emit(Op::RaiseCleanup);
            bind(end);
            return;
        }
        tryExcept(s);
    }

    void tryExcept(const Stmt &s)
    {
        Label handler, orelse, end, cleanup;
        emitJump(Op::SetupExcept, handler);
        m_fblocks.push_back(FBlock{FKind::TryExcept});
        body(s.body);
        m_fblocks.pop_back();
        emit(Op::PopBlock);
        emitJump(Op::Jump, orelse);
        bind(handler);
        emit(Op::PushExcInfo); // prev exc
        for (auto &h : s.handlers) {
            m_line = h.span.line;
            Label next;
            if (h.type) {
                expr(*h.type);
                emit(Op::CheckExcMatch);
                emitJump(Op::PopJumpIfFalse, next);
            }
            if (h.name)
                storeName(*h.name);
            else
                emit(Op::Pop);
            emitJump(Op::SetupCleanup, cleanup);
            FBlock fb{FKind::HandlerCleanup};
            if (h.name)
                fb.handlerName = *h.name;
            m_fblocks.push_back(fb);
            body(h.body);
            m_fblocks.pop_back();
            emit(Op::PopBlock);
            emit(Op::PopExcept);
            if (h.name) {
                loadConst(Value::none());
                storeName(*h.name);
                deleteName(*h.name);
            }
            emitJump(Op::Jump, end);
            bind(next);
            if (!h.type)
                break;
        }
        // no handler matched: stack prev exc
        emit(Op::RaiseCleanup);
        bind(cleanup);
        emit(Op::RaiseCleanup);
        bind(orelse);
        body(s.orelse);
        bind(end);
    }

    void withStmt(const Stmt &s, std::size_t item)
    {
        if (item >= s.items.size()) {
            body(s.body);
            return;
        }
        bool isAsync = s.isAsync;
        if (isAsync && !m_code->isCoroutine() && !m_code->isAsyncGenerator())
            fail(s.span, "'async with' outside async function");
        const WithItem &wi = s.items[item];
        Label handler, cleanup, suppress, end;
        expr(*wi.contextExpr);
        m_line = s.span.line;
        if (isAsync) {
            emit(Op::BeforeAsyncWith);
            emit(Op::GetAwaitable);
            loadConst(Value::none());
            emit(Op::YieldFrom);
            emitJump(Op::SetupWith, handler);
            m_code->code.back().extra = 1; // async: enter already awaited
        } else {
            emitJump(Op::SetupWith, handler);
        }
        if (wi.optionalVars)
            storeTarget(*wi.optionalVars);
        else
            emit(Op::Pop);
        m_fblocks.push_back(FBlock{isAsync ? FKind::AsyncWith : FKind::With});
        withStmt(s, item + 1);
        m_fblocks.pop_back();
        emit(Op::PopBlock);
        m_line = s.span.line;
        emit(Op::WithExitCall, 0);
        if (isAsync) {
            emit(Op::GetAwaitable);
            loadConst(Value::none());
            emit(Op::YieldFrom);
        }
        emit(Op::Pop);
        emitJump(Op::Jump, end);
        // exceptional exit: stack exit exc
        bind(handler);
        emit(Op::PushExcInfo); // exit prev exc
        emitJump(Op::SetupCleanup, cleanup);
        emit(Op::WithExitCall, 1);
        if (isAsync) {
            emit(Op::GetAwaitable);
            loadConst(Value::none());
            emit(Op::YieldFrom);
        }
        emitJump(Op::PopJumpIfTrue, suppress);
        emit(Op::PopBlock);
        emit(Op::RaiseCleanup);
        bind(suppress);
        emit(Op::PopBlock);
        emit(Op::Pop);       // exc
        emit(Op::PopExcept); // prev
        emit(Op::Pop);       // exit
        emitJump(Op::Jump, end);
        bind(cleanup);
        emit(Op::RaiseCleanup);
        bind(end);
    }

    std::uint16_t emitFunctionPrelude(const Arguments *a, const Expr *returns, Scope *child)
    {
        std::uint16_t flags = 0;
        if (a && !a->defaults.empty()) {
            for (auto &d : a->defaults)
                expr(*d);
            emit(Op::BuildTuple, static_cast<std::uint32_t>(a->defaults.size()));
            flags |= 1;
        }
        if (a && !a->kwonlyargs.empty()) {
            bool any = false;
            for (auto &d : a->kwDefaults)
                any = any || d;
            if (any) {
                for (std::size_t i = 0; i < a->kwonlyargs.size(); ++i) {
                    if (i < a->kwDefaults.size() && a->kwDefaults[i])
                        expr(*a->kwDefaults[i]);
                    else
                        loadConst(Value::notFound());
                }
                emit(Op::BuildTuple, static_cast<std::uint32_t>(a->kwonlyargs.size()));
                flags |= 2;
            }
        }
        // annotations: one per parameter in varnames order, then the return
        bool anyAnn = returns != nullptr;
        std::vector<const Arg *> ordered;
        if (a) {
            for (auto &x : a->posonlyargs)
                ordered.push_back(&x);
            for (auto &x : a->args)
                ordered.push_back(&x);
            for (auto &x : a->kwonlyargs)
                ordered.push_back(&x);
            if (a->vararg)
                ordered.push_back(&*a->vararg);
            if (a->kwarg)
                ordered.push_back(&*a->kwarg);
        }
        for (auto *x : ordered)
            anyAnn = anyAnn || x->annotation;
        if (anyAnn) {
            for (auto *x : ordered) {
                if (x->annotation)
                    expr(*x->annotation);
                else
                    loadConst(Value::notFound());
            }
            if (returns)
                expr(*returns);
            else
                loadConst(Value::notFound());
            emit(Op::BuildTuple, static_cast<std::uint32_t>(ordered.size() + 1));
            flags |= 4;
        }
        return flags | loadClosure(*child);
    }

    // The cells a nested scope closes over, as a tuple on the stack: MakeFunction's flag 8
    // (0 where it has none).
    std::uint16_t loadClosure(const Scope &child)
    {
        if (child.frees.empty())
            return 0;
        for (auto &f : child.frees) {
            auto ci = m_cellIdx.find(f);
            if (ci == m_cellIdx.end())
                fail({m_line, 1, m_line, 1}, "internal error: free variable '" + f + "' not found");
            emit(Op::LoadClosure, ci->second);
        }
        emit(Op::BuildTuple, static_cast<std::uint32_t>(child.frees.size()));
        return 8;
    }

    int addChild(std::shared_ptr<Code> c)
    {
        m_code->children.push_back(std::move(c));
        return static_cast<int>(m_code->children.size() - 1);
    }

    void functionDef(const Stmt &s)
    {
        Scope *child = m_c.scopes.byNode.at(&s);
        for (auto &d : s.decorators)
            expr(*d);
        m_line = s.span.line;
        std::uint16_t flags = emitFunctionPrelude(s.args.get(), s.returns.get(), child);
        int firstLine = s.span.line;
        if (!s.decorators.empty())
            firstLine = s.decorators.front()->span.line;
        auto code = m_c.compileScope(child, &s, nullptr, &s.body, firstLine);
        m_line = s.span.line;
        emit(Op::MakeFunction, addChild(code), flags);
        for (std::size_t i = 0; i < s.decorators.size(); ++i)
            emit(Op::Call, 1);
        storeName(s.name);
    }

    void classDef(const Stmt &s)
    {
        Scope *child = m_c.scopes.byNode.at(&s);
        for (auto &d : s.decorators)
            expr(*d);
        m_line = s.span.line;
        const std::uint16_t flags = loadClosure(*child);
        auto code = m_c.compileScope(child, &s, nullptr, &s.body, s.span.line);
        emit(Op::MakeFunction, addChild(code), flags);
        loadConst(m_c.intern(s.name));
        for (auto &b : s.bases)
            expr(*b);
        if (!s.classKeywords.empty())
            fail(s.span, "class keywords (metaclass=...) are not supported");
        emit(Op::BuildClass, static_cast<std::uint32_t>(s.bases.size()));
        for (std::size_t i = 0; i < s.decorators.size(); ++i)
            emit(Op::Call, 1);
        storeName(s.name);
    }

    // ---- expressions
    void expr(const Expr &e)
    {
        int savedLine = m_line;
        if (e.span.line)
            m_line = e.span.line;
        exprInner(e);
        m_line = savedLine;
    }

    Value constantValue(const Expr &e)
    {
        const Constant &c = e.constant;
        switch (c.kind) {
        case Constant::Kind::None: return Value::none();
        case Constant::Kind::True: return Value::trueValue();
        case Constant::Kind::False: return Value::falseValue();
        case Constant::Kind::Ellipsis: return Value::notFound(); // replaced below
        case Constant::Kind::Int:
            if (c.imaginary)
                fail(e.span, "complex numbers are not supported");
            if (c.intFits)
                return Value::fromInt(c.intValue);
            return makeBigIntConstant(c.text);
        case Constant::Kind::Float:
            if (c.imaginary)
                fail(e.span, "complex numbers are not supported");
            return makeFloat(c.floatValue);
        case Constant::Kind::Str: return m_c.intern(c.text);
        case Constant::Kind::Bytes: return Value(new BytesObject(c.text));
        }
        return Value::none();
    }

    static Value makeBigIntConstant(const std::string &digits);

    void exprInner(const Expr &e)
    {
        switch (e.kind) {
        case ExprKind::Name: loadName(e.id); return;
        case ExprKind::Constant:
            if (e.constant.kind == Constant::Kind::Ellipsis) {
                emit(Op::LoadGlobal, nameIndex("Ellipsis"));
                return;
            }
            loadConst(constantValue(e));
            return;
        case ExprKind::BinOp:
            expr(*e.left);
            expr(*e.right);
            emit(Op::Binary, static_cast<std::uint32_t>(e.op));
            return;
        case ExprKind::UnaryOp:
            expr(*e.value);
            emit(Op::Unary, static_cast<std::uint32_t>(e.unaryOp));
            return;
        case ExprKind::BoolOp: {
            Label end;
            for (std::size_t i = 0; i < e.elts.size(); ++i) {
                expr(*e.elts[i]);
                if (i + 1 < e.elts.size())
                    emitJump(e.boolOp == BoolOperator::And ? Op::JumpIfFalseOrPop : Op::JumpIfTrueOrPop, end);
            }
            bind(end);
            return;
        }
        case ExprKind::Compare: compare(e); return;
        case ExprKind::Call: call(e); return;
        case ExprKind::Attribute:
            expr(*e.value);
            m_line = e.span.endLine ? e.span.line : m_line;
            emit(Op::LoadAttr, nameIndex(e.id));
            return;
        case ExprKind::Subscript:
            expr(*e.value);
            expr(*e.slice);
            emit(Op::BinarySubscr);
            return;
        case ExprKind::Slice: {
            if (e.lower)
                expr(*e.lower);
            else
                loadConst(Value::none());
            if (e.upper)
                expr(*e.upper);
            else
                loadConst(Value::none());
            if (e.step) {
                expr(*e.step);
                emit(Op::BuildSlice, 3);
            } else {
                emit(Op::BuildSlice, 2);
            }
            return;
        }
        case ExprKind::List:
        case ExprKind::Tuple:
        case ExprKind::Set: sequence(e); return;
        case ExprKind::Dict: dict(e); return;
        case ExprKind::ListComp:
        case ExprKind::SetComp:
        case ExprKind::DictComp:
        case ExprKind::GeneratorExp: comprehension(e); return;
        case ExprKind::Lambda: {
            Scope *child = m_c.scopes.byNode.at(&e);
            std::uint16_t flags = emitFunctionPrelude(e.args.get(), nullptr, child);
            auto code = m_c.compileScope(child, nullptr, &e, nullptr, e.span.line);
            emit(Op::MakeFunction, addChild(code), flags);
            return;
        }
        case ExprKind::IfExp: {
            Label orelse, end;
            expr(*e.test);
            emitJump(Op::PopJumpIfFalse, orelse);
            expr(*e.body);
            emitJump(Op::Jump, end);
            bind(orelse);
            expr(*e.orelse);
            bind(end);
            return;
        }
        case ExprKind::Await:
            if (!m_code->isCoroutine() && !m_code->isAsyncGenerator()) {
                if (m_s->kind == Scope::Function && m_s->isComprehension)
                    fail(e.span, "asynchronous comprehension outside of an asynchronous function");
                fail(e.span, "'await' outside async function");
            }
            expr(*e.value);
            emit(Op::GetAwaitable);
            loadConst(Value::none());
            emit(Op::YieldFrom);
            return;
        case ExprKind::Yield:
            if (e.value)
                expr(*e.value);
            else
                loadConst(Value::none());
            emit(Op::Yield);
            return;
        case ExprKind::YieldFrom:
            if (m_code->isAsyncGenerator() || m_code->isCoroutine())
                fail(e.span, "'yield from' inside async function");
            expr(*e.value);
            emit(Op::GetYieldFromIter);
            loadConst(Value::none());
            emit(Op::YieldFrom);
            return;
        case ExprKind::NamedExpr:
            expr(*e.value);
            emit(Op::Dup);
            storeTarget(*e.left);
            return;
        case ExprKind::JoinedStr: joinedStr(e); return;
        case ExprKind::FormattedValue: formattedValue(e); return;
        case ExprKind::Starred: fail(e.span, "can't use starred expression here");
        }
    }

    void joinedStr(const Expr &e)
    {
        if (e.elts.empty()) {
            loadConst(m_c.intern(""));
            return;
        }
        for (auto &v : e.elts)
            expr(*v);
        if (e.elts.size() != 1 || e.elts[0]->kind != ExprKind::FormattedValue)
            emit(Op::BuildString, static_cast<std::uint32_t>(e.elts.size()));
    }

    void formattedValue(const Expr &e)
    {
        expr(*e.value);
        std::uint32_t arg = static_cast<std::uint32_t>(e.conversion & 0xff);
        if (e.formatSpec) {
            expr(*e.formatSpec);
            arg |= 1u << 8;
        }
        emit(Op::FormatValue, arg);
    }

    void compare(const Expr &e)
    {
        expr(*e.left);
        std::size_t n = e.cmpOps.size();
        if (n == 1) {
            expr(*e.elts[0]);
            m_line = e.span.line;
            emit(Op::Compare, static_cast<std::uint32_t>(e.cmpOps[0]));
            return;
        }
        Label cleanup, end;
        for (std::size_t i = 0; i < n; ++i) {
            expr(*e.elts[i]);
            if (i + 1 < n) {
                emit(Op::Dup);
                emit(Op::Rot3);
                emit(Op::Compare, static_cast<std::uint32_t>(e.cmpOps[i]));
                emitJump(Op::JumpIfFalseOrPop, cleanup);
            } else {
                emit(Op::Compare, static_cast<std::uint32_t>(e.cmpOps[i]));
            }
        }
        emitJump(Op::Jump, end);
        bind(cleanup);
        emit(Op::Rot2);
        emit(Op::Pop);
        bind(end);
    }

    bool hasStar(const ExprList &l)
    {
        for (auto &x : l)
            if (x->kind == ExprKind::Starred)
                return true;
        return false;
    }

    void sequence(const Expr &e)
    {
        if (e.ctx != Context::Load && e.kind != ExprKind::Set) {
            // a target in a load position (should not happen)
        }
        if (!hasStar(e.elts)) {
            for (auto &x : e.elts)
                expr(*x);
            Op op = e.kind == ExprKind::List ? Op::BuildList : e.kind == ExprKind::Tuple ? Op::BuildTuple : Op::BuildSet;
            emit(op, static_cast<std::uint32_t>(e.elts.size()));
            return;
        }
        buildListUnpacking(e.elts);
        if (e.kind == ExprKind::Tuple)
            emit(Op::ListToTuple);
        else if (e.kind == ExprKind::Set) {
            // set(list): call the builtin
            emit(Op::LoadGlobal, nameIndex("set"));
            emit(Op::Rot2);
            emit(Op::Call, 1);
        }
    }

    // A list of `elts` where some are `*x`: each appended, or extended by what it unpacks.
    void buildListUnpacking(const std::vector<ExprPtr> &elts)
    {
        emit(Op::BuildList, 0);
        for (auto &x : elts) {
            if (x->kind == ExprKind::Starred) {
                expr(*x->value);
                emit(Op::ListExtend, 1);
            } else {
                expr(*x);
                emit(Op::ListAppend, 1);
            }
        }
    }

    void dict(const Expr &e)
    {
        bool anySplat = false;
        for (auto &k : e.keys)
            anySplat = anySplat || !k;
        if (!anySplat) {
            for (std::size_t i = 0; i < e.keys.size(); ++i) {
                expr(*e.keys[i]);
                expr(*e.elts[i]);
            }
            emit(Op::BuildMap, static_cast<std::uint32_t>(e.keys.size()));
            return;
        }
        emit(Op::BuildMap, 0);
        for (std::size_t i = 0; i < e.keys.size(); ++i) {
            if (!e.keys[i]) {
                expr(*e.elts[i]);
                emit(Op::DictUpdate, 1);
            } else {
                expr(*e.keys[i]);
                expr(*e.elts[i]);
                emit(Op::MapAdd, 1);
            }
        }
    }

    void call(const Expr &e)
    {
        const Expr &f = *e.value;
        bool star = hasStar(e.elts);
        bool dstar = false;
        for (auto &k : e.keywords)
            dstar = dstar || !k.arg;
        if (star || dstar) {
            expr(f);
            buildListUnpacking(e.elts);
            emit(Op::ListToTuple);
            if (!e.keywords.empty()) {
                emit(Op::BuildMap, 0);
                for (auto &k : e.keywords) {
                    if (k.arg) {
                        loadConst(m_c.intern(*k.arg));
                        expr(*k.value);
                        emit(Op::MapAdd, 1);
                    } else {
                        expr(*k.value);
                        emit(Op::DictMerge, 1);
                    }
                }
                m_line = e.span.line;
                emit(Op::CallEx, 1);
            } else {
                m_line = e.span.line;
                emit(Op::CallEx, 0);
            }
            return;
        }
        if (f.kind == ExprKind::Attribute && e.keywords.empty()) {
            expr(*f.value);
            m_line = e.span.line;
            emit(Op::LoadMethod, nameIndex(f.id));
            for (auto &x : e.elts)
                expr(*x);
            m_line = e.span.line;
            emit(Op::CallMethod, static_cast<std::uint32_t>(e.elts.size()));
            return;
        }
        expr(f);
        for (auto &x : e.elts)
            expr(*x);
        if (e.keywords.empty()) {
            m_line = e.span.line;
            emit(Op::Call, static_cast<std::uint32_t>(e.elts.size()));
            return;
        }
        std::vector<Value> names;
        for (auto &k : e.keywords) {
            expr(*k.value);
            names.push_back(m_c.intern(*k.arg));
        }
        loadConst(makeTuple(std::move(names)));
        m_line = e.span.line;
        emit(Op::CallKw, static_cast<std::uint32_t>(e.elts.size() + e.keywords.size()));
    }

    void comprehension(const Expr &e)
    {
        Scope *child = m_c.scopes.byNode.at(&e);
        const std::uint16_t flags = loadClosure(*child);
        auto code = m_c.compileScope(child, nullptr, &e, nullptr, e.span.line);
        bool isAsyncComp = child->isAsync;
        if (isAsyncComp && e.kind != ExprKind::GeneratorExp && !m_code->isCoroutine() && !m_code->isAsyncGenerator())
            fail(e.span, "asynchronous comprehension outside of an asynchronous function");
        emit(Op::MakeFunction, addChild(code), flags);
        expr(*e.generators[0].iter);
        emit(e.generators[0].isAsync ? Op::GetAIter : Op::GetIter);
        emit(Op::Call, 1);
        if (isAsyncComp && e.kind != ExprKind::GeneratorExp) {
            emit(Op::GetAwaitable);
            loadConst(Value::none());
            emit(Op::YieldFrom);
        }
    }

    // body of a comprehension function
    void comprehensionBody(const Expr &e)
    {
        bool isGen = e.kind == ExprKind::GeneratorExp;
        if (!isGen) {
            Op build = e.kind == ExprKind::ListComp ? Op::BuildList : e.kind == ExprKind::SetComp ? Op::BuildSet : Op::BuildMap;
            emit(build, 0);
        }
        comprehensionLevel(e, 0, isGen);
        if (isGen)
            loadConst(Value::none());
        emit(Op::Return);
    }

    void comprehensionLevel(const Expr &e, std::size_t level, bool isGen)
    {
        const Comprehension &g = e.generators[level];
        Label top, end, handler;
        if (level == 0)
            emit(Op::LoadFast, 0);
        else {
            expr(*g.iter);
            emit(g.isAsync ? Op::GetAIter : Op::GetIter);
        }
        bind(top);
        if (g.isAsync) {
            emitJump(Op::SetupExcept, handler);
            emit(Op::GetANext);
            loadConst(Value::none());
            emit(Op::YieldFrom);
            emit(Op::PopBlock);
        } else {
            emitJump(Op::ForIter, end);
        }
        storeTarget(*g.target);
        for (auto &cond : g.ifs) {
            expr(*cond);
            emit(Op::PopJumpIfFalse, top.target);
        }
        if (level + 1 < e.generators.size()) {
            comprehensionLevel(e, level + 1, isGen);
        } else {
            // depth of the result container below: one iterator per level
            std::uint32_t depth = static_cast<std::uint32_t>(level + 2);
            if (isGen) {
                expr(*e.elt);
                emit(Op::Yield);
                emit(Op::Pop);
            } else if (e.kind == ExprKind::DictComp) {
                expr(*e.left);
                expr(*e.value);
                emit(Op::MapAdd, depth);
            } else {
                expr(*e.elt);
                emit(e.kind == ExprKind::ListComp ? Op::ListAppend : Op::SetAdd, depth);
            }
        }
        emit(Op::Jump, top.target);
        if (g.isAsync) {
            bind(handler);
            emit(Op::EndAsyncFor);
        }
        bind(end);
    }
};

} // namespace

Value makeBigIntFromDecimal(const std::string &digits); // ops.cpp

namespace {
Value Unit::makeBigIntConstant(const std::string &digits) { return makeBigIntFromDecimal(digits); }

// ------------------------------------------------------------------ stack depth
struct Effect {
    int fall;
    int jump;      // effect when the jump is taken (or handler depth delta)
    bool hasJump;
    bool terminal; // no fall-through
};

Effect effectOf(const Instr &in)
{
    int a = static_cast<int>(in.arg);
    switch (in.op) {
    case Op::Nop: return {0, 0, false, false};
    case Op::LoadConst: case Op::LoadFast: case Op::LoadDeref: case Op::LoadClosure:
    case Op::LoadGlobal: case Op::LoadName: case Op::LoadLocals: case Op::LoadAssertionError:
    case Op::Dup: case Op::LoadMethod: case Op::GetANext: case Op::PushExcInfo: case Op::ImportName:
    case Op::ImportFrom:
        return {1, 0, false, false};
    case Op::Dup2: return {2, 0, false, false};
    case Op::StoreFast: case Op::StoreDeref: case Op::StoreGlobal: case Op::StoreName:
    case Op::Pop: case Op::BinarySubscr: case Op::Binary: case Op::InplaceBinary: case Op::Compare:
    case Op::DeleteAttr: case Op::ListAppend: case Op::SetAdd: case Op::ListExtend: case Op::DictUpdate:
    case Op::DictMerge: case Op::YieldFrom: case Op::PopExcept: case Op::ImportStar:
        return {-1, 0, false, false};
    case Op::DeleteFast: case Op::DeleteDeref: case Op::DeleteGlobal: case Op::DeleteName:
    case Op::LoadAttr: case Op::Rot2: case Op::Rot3: case Op::Rot4: case Op::Unary: case Op::GetIter:
    case Op::ListToTuple: case Op::Yield: case Op::GetAwaitable: case Op::GetYieldFromIter:
    case Op::GetAIter: case Op::PopBlock: case Op::CheckExcMatch:
        return {0, 0, false, false};
    case Op::StoreAttr: case Op::DeleteSubscr: case Op::MapAdd: return {-2, 0, false, false};
    case Op::StoreSubscr: return {-3, 0, false, false};
    case Op::CallMethod: return {-(a + 1), 0, false, false};
    case Op::Call: return {-a, 0, false, false};
    case Op::CallKw: return {-(a + 1), 0, false, false};
    case Op::CallEx: return {-(1 + a), 0, false, false};
    case Op::MakeFunction: return {1 - __builtin_popcount(in.extra), 0, false, false};
    case Op::BuildList: case Op::BuildTuple: case Op::BuildSet: case Op::BuildSlice: case Op::BuildString:
        return {1 - a, 0, false, false};
    case Op::BuildMap: return {1 - 2 * a, 0, false, false};
    case Op::FormatValue: return {(in.arg >> 8) ? -1 : 0, 0, false, false};
    case Op::UnpackSequence: return {a - 1, 0, false, false};
    case Op::UnpackEx: return {int(in.arg & 0xff) + int(in.arg >> 8), 0, false, false};
    case Op::Return: case Op::Reraise: case Op::RaiseCleanup: case Op::Raise: return {0, 0, false, true};
    case Op::Jump: return {0, 0, true, true};
    case Op::PopJumpIfFalse: case Op::PopJumpIfTrue: return {-1, -1, true, false};
    case Op::JumpIfFalseOrPop: case Op::JumpIfTrueOrPop: return {-1, 0, true, false};
    case Op::ForIter: return {1, -1, true, false};
    case Op::EndAsyncFor: return {-2, 0, false, false};
    case Op::SetupExcept: case Op::SetupCleanup: return {0, 1, true, false};
    case Op::SetupWith: return {in.extra ? 0 : 1, in.extra ? 0 : 1, true, false};
    case Op::BeforeAsyncWith: return {1, 0, false, false};
    case Op::WithExitCall: return {a == 0 ? 0 : 1, 0, false, false};
    case Op::BuildClass: return {-(a + 1), 0, false, false};
    case Op::Count: break;
    }
    return {0, 0, false, false};
}

int computeStackSize(const Code &c)
{
    std::vector<int> depth(c.code.size() + 1, -1);
    std::vector<int> work;
    int maxDepth = 0;
    auto push = [&](int pc, int d) {
        if (pc < 0 || pc > static_cast<int>(c.code.size()))
            return;
        if (depth[pc] < d) {
            depth[pc] = d;
            work.push_back(pc);
        }
    };
    push(0, 0);
    while (!work.empty()) {
        int pc = work.back();
        work.pop_back();
        int d = depth[pc];
        while (pc < static_cast<int>(c.code.size())) {
            const Instr &in = c.code[pc];
            Effect e = effectOf(in);
            // SetupWith: the handler sees cm replaced by exit plus the exception
            if (e.hasJump) {
                int jd = d + e.jump;
                push(static_cast<int>(in.arg), jd);
                maxDepth = std::max(maxDepth, jd);
            }
            if (e.terminal)
                break;
            d += e.fall;
            maxDepth = std::max(maxDepth, d);
            ++pc;
            if (depth[pc] >= d)
                break;
            depth[pc] = d;
        }
    }
    return maxDepth + 2;
}

} // namespace

static bool hasAnnotations(const StmtList &body)
{
    for (auto &st : body) {
        if (st->kind == StmtKind::AnnAssign && st->target && st->target->kind == ExprKind::Name)
            return true;
        if (st->kind == StmtKind::FunctionDef || st->kind == StmtKind::ClassDef)
            continue;
        if (hasAnnotations(st->body) || hasAnnotations(st->orelse) || hasAnnotations(st->finalbody))
            return true;
        for (auto &h : st->handlers)
            if (hasAnnotations(h.body))
                return true;
    }
    return false;
}

std::shared_ptr<Code> Compiler::compileScope(Scope *s, const Stmt *def, const Expr *lam, const StmtList *bodyList,
                                             int firstLine)
{
    auto code = std::make_shared<Code>();
    code->filename = filename;
    code->firstLine = firstLine;
    code->name = s->kind == Scope::Module ? "<module>" : s->name;
    code->qualname = s->kind == Scope::Module ? "<module>" : s->qualname;
    if (s->kind == Scope::Module)
        code->flags |= Code::IsModule;
    if (s->kind == Scope::Class)
        code->flags |= Code::IsClassBody;
    if (s->isComprehension)
        code->flags |= Code::IsComprehension;
    if (s->isLambda)
        code->flags |= Code::IsLambda;
    if ((def && def->isAsync) || (s->isComprehension && s->isAsync))
        code->flags |= s->isGenerator ? Code::IsAsyncGenerator : Code::IsCoroutine;
    else if (s->isGenerator)
        code->flags |= Code::IsGenerator;
    const Arguments *args = def ? def->args.get() : (lam && lam->kind == ExprKind::Lambda ? lam->args.get() : nullptr);
    if (args) {
        code->posOnlyCount = static_cast<int>(args->posonlyargs.size());
        code->argCount = static_cast<int>(args->posonlyargs.size() + args->args.size());
        code->kwOnlyCount = static_cast<int>(args->kwonlyargs.size());
        if (args->vararg)
            code->flags |= Code::HasVarArgs;
        if (args->kwarg)
            code->flags |= Code::HasVarKeywords;
    } else if (s->isComprehension) {
        code->argCount = 1;
    }

    Unit u(*this, s, code);
    u.m_line = firstLine;
    u.setupNames();
    if (s->isComprehension) {
        u.comprehensionBody(*lam);
    } else if (lam) {
        u.expr(*lam->body);
        u.emit(Op::Return);
    } else {
        if (s->kind != Scope::Function && hasAnnotations(*bodyList)) {
            u.emit(Op::BuildMap, 0);
            u.storeName("__annotations__");
        }
        u.body(*bodyList);
        if (s->kind == Scope::Class) {
            u.emit(Op::LoadLocals);
            u.emit(Op::Return);
        } else {
            u.loadConst(Value::none());
            u.emit(Op::Return);
        }
    }
    code->stackSize = computeStackSize(*code);
    code->globalCache.reset(new std::atomic<std::uint32_t>[code->names.size() + 1]);
    for (std::size_t i = 0; i <= code->names.size(); ++i)
        code->globalCache[i].store(0, std::memory_order_relaxed);
    return code;
}

CompiledModule compileModule(const ast::Module &module, const std::string &filename)
{
    CompiledModule out;
    Compiler c;
    c.filename = filename;
    try {
        Scope *top = c.scopes.newScope(Scope::Module, nullptr, "<module>", nullptr);
        c.scopes.visitBody(top, module.body);
        c.scopes.analyze(top, {});
        out.code = c.compileScope(top, nullptr, nullptr, &module.body, 1);
    } catch (CompileFailure &f) {
        out.error = f.issue;
    } catch (std::exception &e) {
        out.error = CompileIssue{std::string("compiler error: ") + e.what(), 1, 1, 1, 1};
    }
    return out;
}

} // namespace loopscope::lang
