// The static checks: one walk over the tree with the enclosing function as context.
#include "staticcheck.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace loopscope::lang {

using namespace ast;

namespace {

// Modules Loopscope emulates (and their parent packages).
const std::set<std::string> &emulatedModules()
{
    static const std::set<std::string> m = {
        "time", "asyncio", "fastapi", "fastapi.concurrency", "fastapi.responses", "starlette",
        "starlette.concurrency", "starlette.responses", "anyio", "anyio.to_thread", "concurrent",
        "concurrent.futures", "functools", "random", "math", "json", "httpx", "requests", "typing", "sys", "pydantic"};
    return m;
}
const std::set<std::string> &partialModules()
{
    static const std::set<std::string> m = {"os", "threading"};
    return m;
}

const std::set<std::string> &blockingRequests()
{
    static const std::set<std::string> m = {"get", "post", "put", "delete", "patch", "head", "options", "request"};
    return m;
}

struct FunctionInfo {
    const Stmt *def = nullptr;
    std::string firstBlockingCall; // e.g. "time.sleep()", empty if none found directly
    std::vector<std::string> awaitedNames;
};

class Checker {
public:
    std::vector<Diagnostic> out;

    void run(const Module &m)
    {
        collectImports(m.body);
        collectFunctions(m.body);
        resolveBlockingHelpers();
        for (const auto &s : m.body)
            stmt(*s);
        std::stable_sort(out.begin(), out.end(), [](const Diagnostic &a, const Diagnostic &b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
    }

private:
    struct Context {
        const Stmt *function = nullptr; // innermost def, null at module level
        bool isAsync = false;
    };
    Context m_ctx;
    std::map<std::string, std::string> m_aliases;        // local name -> qualified name
    std::map<std::string, FunctionInfo> m_functions;     // module-level defs by name
    std::map<std::string, std::string> m_blockingHelpers; // async helper -> what blocks in it
    std::set<const Expr *> m_awaited;                    // calls that are directly awaited
    const Stmt *m_reportedLoopIn = nullptr;

    void add(Diagnostic::Severity sev, const Span &s, std::string code, std::string message)
    {
        Diagnostic d;
        d.severity = sev;
        d.message = std::move(message);
        d.line = s.line;
        d.column = s.column;
        d.endLine = s.endLine;
        d.endColumn = s.endColumn;
        d.code = std::move(code);
        out.push_back(std::move(d));
    }

    // ---- names

    void collectImports(const StmtList &body)
    {
        for (const auto &s : body) {
            if (s->kind == StmtKind::Import) {
                for (const auto &a : s->names) {
                    if (a.asname)
                        m_aliases[*a.asname] = a.name;
                    else
                        m_aliases[a.name.substr(0, a.name.find('.'))] = a.name.substr(0, a.name.find('.'));
                }
            } else if (s->kind == StmtKind::ImportFrom && s->level == 0) {
                for (const auto &a : s->names)
                    if (a.name != "*")
                        m_aliases[a.asname ? *a.asname : a.name] = s->module + "." + a.name;
            }
            collectImports(s->body);
            collectImports(s->orelse);
            collectImports(s->finalbody);
            for (const auto &h : s->handlers)
                collectImports(h.body);
        }
    }

    // "time.sleep" for time.sleep / t.sleep (import time as t) / sleep (from time import sleep).
    std::string qualified(const Expr &e) const
    {
        if (e.kind == ExprKind::Name) {
            const auto it = m_aliases.find(e.id);
            return it == m_aliases.end() ? e.id : it->second;
        }
        if (e.kind == ExprKind::Attribute) {
            const std::string base = qualified(*e.value);
            return base.empty() ? std::string() : base + "." + e.id;
        }
        return {};
    }

    // What a call blocks on, in the user's words ("time.sleep()"), or empty.
    std::string blockingCall(const Expr &call) const
    {
        if (call.kind != ExprKind::Call)
            return {};
        const Expr &func = *call.value;
        const std::string q = qualified(func);
        if (q == "time.sleep")
            return "time.sleep()";
        const auto dot = q.find('.');
        if (dot != std::string::npos) {
            const std::string mod = q.substr(0, dot);
            const std::string fn = q.substr(dot + 1);
            if ((mod == "requests" || mod == "httpx") && blockingRequests().count(fn))
                return q + "()";
        }
        // open(...).read() and friends
        if (func.kind == ExprKind::Attribute && func.value->kind == ExprKind::Call
            && func.value->value->kind == ExprKind::Name && func.value->value->id == "open"
            && (func.id == "read" || func.id == "readlines" || func.id == "write" || func.id == "readline"))
            return "open(...)." + func.id + "()";
        return {};
    }

    static std::string adviceFor(const std::string &what)
    {
        if (what == "time.sleep()")
            return "Use await asyncio.sleep(), or declare the endpoint with def";
        if (what.rfind("requests.", 0) == 0 || what.rfind("httpx.", 0) == 0)
            return "Use await on an httpx.AsyncClient request, or declare the endpoint with def";
        return "Use await asyncio.to_thread(...), or declare the endpoint with def";
    }

    // ---- functions and helpers

    void collectFunctions(const StmtList &body)
    {
        for (const auto &s : body) {
            if (s->kind == StmtKind::FunctionDef) {
                FunctionInfo info;
                info.def = s.get();
                scanFunction(s->body, info);
                m_functions[s->name] = std::move(info);
            }
        }
    }

    void scanFunction(const StmtList &body, FunctionInfo &info)
    {
        std::function<void(const Expr &)> visitExpr = [&](const Expr &e) {
            if (e.kind == ExprKind::Lambda)
                return;
            if (e.kind == ExprKind::Call && info.firstBlockingCall.empty())
                info.firstBlockingCall = blockingCall(e);
            if (e.kind == ExprKind::Await && e.value && e.value->kind == ExprKind::Call
                && e.value->value->kind == ExprKind::Name)
                info.awaitedNames.push_back(e.value->value->id);
            forEachChild(e, visitExpr);
        };
        std::function<void(const StmtList &)> visitStmts = [&](const StmtList &list) {
            for (const auto &s : list) {
                if (s->kind == StmtKind::FunctionDef || s->kind == StmtKind::ClassDef)
                    continue;
                forEachStmtExpr(*s, visitExpr);
                visitStmts(s->body);
                visitStmts(s->orelse);
                visitStmts(s->finalbody);
                for (const auto &h : s->handlers)
                    visitStmts(h.body);
            }
        };
        visitStmts(body);
    }

    // Async helpers that block, directly or through helpers they await.
    void resolveBlockingHelpers()
    {
        for (const auto &[name, info] : m_functions)
            if (info.def->isAsync && !info.firstBlockingCall.empty())
                m_blockingHelpers[name] = info.firstBlockingCall;
        for (bool changed = true; changed;) {
            changed = false;
            for (const auto &[name, info] : m_functions) {
                if (!info.def->isAsync || m_blockingHelpers.count(name))
                    continue;
                for (const auto &callee : info.awaitedNames) {
                    const auto it = m_blockingHelpers.find(callee);
                    if (it != m_blockingHelpers.end()) {
                        m_blockingHelpers[name] = it->second;
                        changed = true;
                        break;
                    }
                }
            }
        }
    }

    // ---- generic traversal helpers

    template <typename F>
    static void forEachChild(const Expr &e, F &&f)
    {
        for (const ExprPtr *p : {&e.left, &e.right, &e.value, &e.slice, &e.lower, &e.upper, &e.step, &e.test,
                                 &e.body, &e.orelse, &e.elt, &e.formatSpec})
            if (*p)
                f(**p);
        for (const auto &x : e.elts)
            if (x)
                f(*x);
        for (const auto &x : e.keys)
            if (x)
                f(*x);
        for (const auto &k : e.keywords)
            if (k.value)
                f(*k.value);
        for (const auto &g : e.generators) {
            f(*g.target);
            f(*g.iter);
            for (const auto &x : g.ifs)
                f(*x);
        }
        if (e.args) {
            for (const auto &d : e.args->defaults)
                f(*d);
            for (const auto &d : e.args->kwDefaults)
                if (d)
                    f(*d);
        }
    }

    // The expressions a statement holds itself (not those of its nested blocks).
    template <typename F>
    static void forEachStmtExpr(const Stmt &s, F &&f)
    {
        for (const ExprPtr *p : {&s.value, &s.cause, &s.target, &s.annotation, &s.iter, &s.test, &s.returns})
            if (*p)
                f(**p);
        for (const auto &x : s.targets)
            f(*x);
        for (const auto &x : s.decorators)
            f(*x);
        for (const auto &x : s.bases)
            f(*x);
        for (const auto &k : s.classKeywords)
            f(*k.value);
        for (const auto &it : s.items) {
            f(*it.contextExpr);
            if (it.optionalVars)
                f(*it.optionalVars);
        }
        for (const auto &h : s.handlers)
            if (h.type)
                f(*h.type);
        if (s.args) {
            for (const auto &d : s.args->defaults)
                f(*d);
            for (const auto &d : s.args->kwDefaults)
                if (d)
                    f(*d);
        }
    }

    static bool containsAwait(const Stmt &s)
    {
        if (s.isAsync && (s.kind == StmtKind::For || s.kind == StmtKind::With))
            return true;
        bool found = false;
        std::function<void(const Expr &)> visit = [&](const Expr &e) {
            if (found || e.kind == ExprKind::Lambda)
                return;
            if (e.kind == ExprKind::Await) {
                found = true;
                return;
            }
            for (const auto &g : e.generators)
                if (g.isAsync)
                    found = true;
            forEachChild(e, visit);
        };
        forEachStmtExpr(s, visit);
        auto blocks = [&](const StmtList &list) {
            for (const auto &c : list)
                if (!found && c->kind != StmtKind::FunctionDef && c->kind != StmtKind::ClassDef && containsAwait(*c))
                    found = true;
        };
        blocks(s.body);
        blocks(s.orelse);
        blocks(s.finalbody);
        for (const auto &h : s.handlers)
            blocks(h.body);
        return found;
    }

    // ---- the walk

    std::string where() const { return "async def " + m_ctx.function->name; }

    void stmt(const Stmt &s)
    {
        switch (s.kind) {
        case StmtKind::Import:
            for (const auto &a : s.names)
                checkModuleName(a.name, a.span);
            break;
        case StmtKind::ImportFrom:
            if (s.level > 0)
                add(Diagnostic::Error, s.span, "relative-import",
                    "relative imports are not supported: Loopscope runs one endpoint file");
            else
                checkModuleName(s.module, s.span);
            break;
        case StmtKind::FunctionDef: {
            for (const auto &d : s.decorators)
                expr(*d);
            const Context saved = m_ctx;
            const Stmt *savedLoop = m_reportedLoopIn;
            m_ctx.function = &s;
            m_ctx.isAsync = s.isAsync;
            m_reportedLoopIn = nullptr;
            for (const auto &c : s.body)
                stmt(*c);
            m_ctx = saved;
            m_reportedLoopIn = savedLoop;
            return;
        }
        case StmtKind::ClassDef: {
            const Context saved = m_ctx;
            m_ctx = Context();
            for (const auto &c : s.body)
                stmt(*c);
            m_ctx = saved;
            return;
        }
        case StmtKind::For:
        case StmtKind::While:
            if (m_ctx.isAsync && !s.isAsync && !m_reportedLoopIn && !containsAwait(s)) {
                const Expr *head = s.kind == StmtKind::For ? s.iter.get() : s.test.get();
                Span span = s.span;
                if (head) {
                    span.endLine = head->span.endLine;
                    span.endColumn = head->span.endColumn;
                }
                add(Diagnostic::Warning, span, "loop-without-await",
                    "this loop has no await inside " + where()
                        + ": while it runs, the event loop serves no other request. If it can run long, "
                          "move the work to a thread (await asyncio.to_thread(...)) or declare the endpoint with def");
                m_reportedLoopIn = &s;
                walkChildren(s);
                m_reportedLoopIn = nullptr;
                return;
            }
            break;
        case StmtKind::ExprStmt:
            checkNotAwaited(*s.value);
            break;
        default:
            break;
        }
        walkChildren(s);
    }

    void walkChildren(const Stmt &s)
    {
        forEachStmtExpr(s, [this](const Expr &e) { expr(e); });
        for (const auto &c : s.body)
            stmt(*c);
        for (const auto &c : s.orelse)
            stmt(*c);
        for (const auto &c : s.finalbody)
            stmt(*c);
        for (const auto &h : s.handlers)
            for (const auto &c : h.body)
                stmt(*c);
    }

    void checkModuleName(const std::string &name, const Span &span)
    {
        if (emulatedModules().count(name))
            return;
        const std::string top = name.substr(0, name.find('.'));
        if (partialModules().count(top)) {
            add(Diagnostic::Warning, span, "partial-module",
                "Loopscope emulates only part of module '" + name + "': some of its names may be missing");
            return;
        }
        add(Diagnostic::Error, span, "unknown-module",
            "Loopscope does not emulate module '" + name + "': importing it fails with ModuleNotFoundError");
    }

    // A coroutine created as a statement of its own and dropped.
    void checkNotAwaited(const Expr &e)
    {
        if (e.kind != ExprKind::Call)
            return;
        const std::string q = qualified(*e.value);
        std::string coroutine;
        if (q == "asyncio.sleep")
            coroutine = "sleep";
        else if (e.value->kind == ExprKind::Name) {
            const auto it = m_functions.find(e.value->id);
            if (it != m_functions.end() && it->second.def->isAsync && !m_aliases.count(e.value->id))
                coroutine = e.value->id;
        }
        if (coroutine.empty())
            return;
        m_awaited.insert(&e); // it never runs, so it blocks nothing
        const std::string shown = q == "asyncio.sleep" ? "asyncio.sleep()" : coroutine + "()";
        add(Diagnostic::Warning, e.span, "not-awaited",
            shown + " is not awaited: it only creates a coroutine, which never runs (RuntimeWarning: coroutine '"
                + coroutine + "' was never awaited). Write await " + shown);
    }

    void expr(const Expr &e)
    {
        if (e.kind == ExprKind::Lambda) {
            const Context saved = m_ctx;
            m_ctx = Context();
            expr(*e.body);
            m_ctx = saved;
            return;
        }
        if (e.kind == ExprKind::Await && e.value && e.value->kind == ExprKind::Call && m_ctx.isAsync) {
            const Expr &call = *e.value;
            m_awaited.insert(&call);
            if (call.value->kind == ExprKind::Name && call.value->id != m_ctx.function->name) {
                const auto it = m_blockingHelpers.find(call.value->id);
                if (it != m_blockingHelpers.end())
                    add(Diagnostic::Warning, e.span, "blocking-helper",
                        "await " + call.value->id + "() still blocks the event loop inside " + where() + ": "
                            + call.value->id + " calls " + it->second
                            + ", which never yields; an await only lets other requests run at a real suspension "
                              "point such as await asyncio.sleep()");
            }
        }
        if (e.kind == ExprKind::Call) {
            const std::string q = qualified(*e.value);
            // A blocking helper handed to gather()/create_task() blocks the loop when it runs.
            if (m_ctx.isAsync && !m_awaited.count(&e) && e.value->kind == ExprKind::Name
                && e.value->id != m_ctx.function->name) {
                const auto it = m_blockingHelpers.find(e.value->id);
                if (it != m_blockingHelpers.end())
                    add(Diagnostic::Warning, e.span, "blocking-helper",
                        e.value->id + "() blocks the event loop whenever it runs, also as a task or inside "
                            "asyncio.gather(): " + e.value->id + " calls " + it->second + ", which never yields");
            }
            if (m_ctx.isAsync) {
                const std::string what = blockingCall(e);
                if (!what.empty())
                    add(Diagnostic::Warning, e.span, "blocking-call",
                        what + " blocks the event loop inside " + where() + ": every other request waits. "
                            + adviceFor(what));
                if (q == "asyncio.run")
                    add(Diagnostic::Error, e.span, "asyncio-run-in-loop",
                        "asyncio.run() cannot be called from a running event loop (inside " + where()
                            + "): await the coroutine instead");
            }
        }
        forEachChild(e, [this](const Expr &c) { expr(c); });
    }
};

} // namespace

std::vector<Diagnostic> checkModule(const Module &module)
{
    Checker c;
    c.run(module);
    return std::move(c.out);
}

} // namespace loopscope::lang
