// Interpreter (see interpreter.h).
#include "interpreter.h"

#include "compiler.h"
#include "gil.h"
#include "parser.h"
#include "threadstate.h"
#include "vm.h"

#include <cstdio>
#include <algorithm>

namespace loopscope::lang {

std::shared_ptr<Interpreter> Interpreter::create(InterpreterOptions options)
{
    return std::shared_ptr<Interpreter>(new Interpreter(std::move(options)));
}

Interpreter::Interpreter(InterpreterOptions options) : m_options(std::move(options)), m_recursionLimit(m_options.recursionLimit)
{
    (void)types();
    if (m_options.gil)
        m_gil = std::make_unique<Gil>(m_options.switchIntervalSeconds);
    else
        g_lockContainers.store(true, std::memory_order_relaxed);
    if (m_options.cpuCount <= 0)
        m_options.cpuCount = 1;
    m_builtins = makeDict();
    initBuiltinsDict(*m_builtins.as<DictObject>());
}

Interpreter::~Interpreter()
{
    // break the cycles module -> function -> globals -> module so memory is returned
    std::map<std::string, Value, std::less<>> mods;
    {
        std::lock_guard<std::recursive_mutex> lock(m_mutex);
        mods.swap(m_modules);
    }
    for (auto &[n, m] : mods)
        if (m.isModule())
            m.as<ModuleObject>()->dict.as<DictObject>()->clear();
    mods.clear();
}

std::unique_ptr<ThreadState> Interpreter::attachThread(std::string name)
{
    auto ts = std::make_unique<ThreadState>(*this, std::move(name));
    {
        std::lock_guard<std::recursive_mutex> lock(m_mutex);
        m_threads.push_back(ts.get());
    }
    ts->acquireGil();
    return ts;
}

void Interpreter::detach(ThreadState *ts)
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    m_threads.erase(std::remove(m_threads.begin(), m_threads.end(), ts), m_threads.end());
}

std::vector<ThreadState *> Interpreter::threads() const
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    return m_threads;
}

void Interpreter::registerModule(std::string name, std::function<Value(ThreadState &)> factory)
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    m_factories[std::move(name)] = std::move(factory);
}

void Interpreter::addModule(std::string name, Value module)
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    m_modules[std::move(name)] = std::move(module);
}

Value Interpreter::moduleIfLoaded(std::string_view name) const
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    auto it = m_modules.find(name);
    return it == m_modules.end() ? Value::notFound() : it->second;
}

Value Interpreter::importModule(ThreadState &ts, std::string_view name)
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    auto it = m_modules.find(name);
    if (it != m_modules.end())
        return it->second;
    Value parent;
    std::size_t dot = name.rfind('.');
    if (dot != std::string_view::npos) {
        parent = importModule(ts, name.substr(0, dot));
        if (parent.isError()) {
            ts.fetchException();
            return ts.raise(types().ModuleNotFoundError, "No module named '" + std::string(name) + "'");
        }
    }
    Value m = Value::notFound();
    auto f = m_factories.find(name);
    if (f != m_factories.end()) {
        m = f->second(ts);
        if (m.isError())
            return m;
    } else {
        m = importBuiltinModule(ts, name);
        if (m.isError())
            return m;
    }
    if (m.isNotFound()) {
        // a package prefix of a registered dotted module ("fastapi" for "fastapi.concurrency")
        std::string prefix = std::string(name) + ".";
        bool isPackage = false;
        for (auto &kv : m_factories)
            if (kv.first.compare(0, prefix.size(), prefix) == 0)
                isPackage = true;
        if (!isPackage)
            return ts.raise(types().ModuleNotFoundError, "No module named '" + std::string(name) + "'");
        m = makeModule(std::string(name));
    }
    m_modules[std::string(name)] = m;
    if (parent.isModule())
        moduleSet(parent, name.substr(dot + 1), m);
    return m;
}

CompileResult Interpreter::compile(std::string_view source, std::string filename)
{
    CompileResult out;
    {
        std::vector<std::string> lines;
        std::size_t start = 0;
        while (start <= source.size()) {
            std::size_t nl = source.find('\n', start);
            if (nl == std::string_view::npos) {
                lines.emplace_back(source.substr(start));
                break;
            }
            lines.emplace_back(source.substr(start, nl - start));
            start = nl + 1;
        }
        std::lock_guard<std::recursive_mutex> lock(m_mutex);
        m_sources[filename] = std::move(lines);
    }
    ParseResult pr = parseModule(source, filename);
    if (pr.error || !pr.module) {
        CompileError e;
        if (pr.error) {
            const SyntaxErrorInfo &se = *pr.error;
            e.type = se.type;
            e.message = se.message;
            e.filename = se.filename;
            e.line = se.line;
            e.column = se.column;
            e.endLine = se.endLine;
            e.endColumn = se.endColumn;
            e.sourceLine = se.sourceLine;
            e.formatted = formatSyntaxError(se);
        } else {
            e.message = "invalid syntax";
            e.filename = filename;
            e.formatted = "SyntaxError: invalid syntax\n";
        }
        out.error = e;
        return out;
    }
    CompiledModule cm = compileModule(*pr.module, filename);
    if (cm.error) {
        CompileError e;
        e.message = cm.error->message;
        e.filename = filename;
        e.line = cm.error->line;
        e.column = cm.error->column;
        e.endLine = cm.error->endLine;
        e.endColumn = cm.error->endColumn;
        e.sourceLine = sourceLine(filename, e.line);
        SyntaxErrorInfo se;
        se.type = "SyntaxError";
        se.message = e.message;
        se.filename = filename;
        se.line = e.line;
        se.column = e.column;
        se.endLine = e.endLine;
        se.endColumn = e.endColumn;
        se.sourceLine = e.sourceLine;
        e.formatted = e.line > 0 ? formatSyntaxError(se) : "SyntaxError: " + e.message + "\n";
        out.error = e;
        return out;
    }
    {
        std::lock_guard<std::recursive_mutex> lock(m_mutex);
        m_codes.push_back(cm.code);
    }
    out.code = cm.code;
    return out;
}

std::string Interpreter::sourceLine(const std::string &filename, int line) const
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    auto it = m_sources.find(filename);
    if (it == m_sources.end() || line < 1 || line > static_cast<int>(it->second.size()))
        return {};
    return it->second[line - 1];
}

Value Interpreter::runModule(ThreadState &ts, std::shared_ptr<const Code> code, std::string moduleName)
{
    Value m = moduleIfLoaded(moduleName);
    if (!m.isModule()) {
        m = makeModule(moduleName);
        moduleSet(m, "__file__", makeStr(code->filename));
        moduleSet(m, "__builtins__", m_builtins);
        addModule(moduleName, m);
    }
    Value r = runModuleCode(ts, code, m.as<ModuleObject>()->dict);
    if (r.isError())
        return r;
    return m;
}

Value Interpreter::runBundledModule(ThreadState &ts, std::string_view source, const std::string &moduleName)
{
    const CompileResult compiled = compile(source, "<" + moduleName + ">");
    if (!compiled)
        return ts.raise(types().RuntimeError, moduleName + ": " + (compiled.error ? compiled.error->formatted : std::string()));
    return runModule(ts, compiled.code, moduleName);
}

Value Interpreter::newExceptionType(std::string name, Value base, std::string module)
{
    TypeObject *b = base.isType() ? base.as<TypeObject>() : types().Exception;
    auto *t = new TypeObject(std::move(name), b, ObjKind::Exception);
    Value tv(t);
    t->module = std::move(module);
    if (base.isType())
        t->baseRef = base;
    return tv;
}

void Interpreter::write(ThreadState &ts, std::string_view text, bool isStderr)
{
    if (m_options.output) {
        m_options.output(ts, text, isStderr);
        return;
    }
    std::FILE *f = isStderr ? stderr : stdout;
    if (isStderr)
        std::fflush(stdout); // keep the order of interleaved stdout/stderr text
    std::fwrite(text.data(), 1, text.size(), f);
    if (isStderr)
        std::fflush(f);
}

} // namespace loopscope::lang
