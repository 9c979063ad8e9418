// Interpreter: one simulated Python process — its own GIL, modules, globals, builtins.
// Compiled Code is immutable and may be shared; every call runs on a ThreadState.
#pragma once

#include "native.h"
#include "value.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace loopscope::lang {

class Code;
class DictObject;
class Gil;
class ThreadState;
struct SyntaxErrorInfo;

struct InterpreterOptions {
    bool gil = true;                       // false = free-threaded (3.13t)
    double switchIntervalSeconds = 0.005;  // sys.getswitchinterval()
    int recursionLimit = 1000;
    // Where print() and sys.stdout/stderr.write go. Default: the process's stdout/stderr.
    std::function<void(ThreadState &, std::string_view text, bool isStderr)> output;
    int cpuCount = static_cast<int>(std::thread::hardware_concurrency());
    std::vector<std::string> argv;         // sys.argv
};

// A compile-time error: a SyntaxError from the parser, or a construct outside the
// supported subset (type "SyntaxError" too, message says what is not supported).
struct CompileError {
    std::string type = "SyntaxError";
    std::string message;
    std::string filename;
    int line = 0, column = 0, endLine = 0, endColumn = 0;
    std::string sourceLine;
    std::string formatted; // CPython's display, ready for stderr
};

struct CompileResult {
    std::shared_ptr<const Code> code;
    std::optional<CompileError> error;
    explicit operator bool() const { return code != nullptr; }
};

class Interpreter : public std::enable_shared_from_this<Interpreter> {
public:
    static std::shared_ptr<Interpreter> create(InterpreterOptions options = {});
    ~Interpreter();

    const InterpreterOptions &options() const { return m_options; }
    // Attaches the calling thread (acquires the GIL). Destroying the handle detaches it.
    std::unique_ptr<ThreadState> attachThread(std::string name);

    void registerModule(std::string name, std::function<Value(ThreadState &)> factory);
    // import: cached modules, then registered natives, then built-in natives.
    // error() with ModuleNotFoundError set if unknown.
    Value importModule(ThreadState &ts, std::string_view name);
    // Registers an already created module object (e.g. one built from source).
    void addModule(std::string name, Value module);

    CompileResult compile(std::string_view source, std::string filename);
    // Runs code as module `moduleName` (creating it, or reusing its globals if it exists).
    // Returns the module object, or error() with the exception in ts.
    Value runModule(ThreadState &ts, std::shared_ptr<const Code> code, std::string moduleName = "__main__");
    // Compiles and runs source the project ships (a library written in the language itself)
    // as module `moduleName`, shown as "<moduleName>" in tracebacks; RuntimeError if it does
    // not compile.
    Value runBundledModule(ThreadState &ts, std::string_view source, const std::string &moduleName);
    // Source lines for tracebacks (registered by compile()).
    std::string sourceLine(const std::string &filename, int line) const;

    // A new exception class (base defaults to Exception).
    Value newExceptionType(std::string name, Value base = Value::none(), std::string module = "builtins");

    Value builtinsDict() const { return m_builtins; }
    DictObject *builtinsRaw() const { return reinterpret_cast<DictObject *>(m_builtins.ptr()); }
    Gil *gil() const { return m_gil.get(); }
    int recursionLimit() const { return m_recursionLimit.load(std::memory_order_relaxed); }
    void setRecursionLimit(int n) { m_recursionLimit.store(n, std::memory_order_relaxed); }
    // Writes through options().output.
    void write(ThreadState &ts, std::string_view text, bool isStderr);

    // Every attached thread (for samplers); the list is a snapshot.
    std::vector<ThreadState *> threads() const;
    Value moduleIfLoaded(std::string_view name) const;

private:
    explicit Interpreter(InterpreterOptions options);
    void detach(ThreadState *ts);

    InterpreterOptions m_options;
    std::unique_ptr<Gil> m_gil;
    Value m_builtins;
    std::atomic<int> m_recursionLimit;
    mutable std::recursive_mutex m_mutex; // modules, sources, threads
    std::map<std::string, Value, std::less<>> m_modules;
    std::map<std::string, std::function<Value(ThreadState &)>, std::less<>> m_factories;
    std::map<std::string, std::vector<std::string>, std::less<>> m_sources;
    std::vector<ThreadState *> m_threads;
    std::vector<std::shared_ptr<const Code>> m_codes; // keeps code alive for samplers

    friend class ThreadState;
};

} // namespace loopscope::lang
