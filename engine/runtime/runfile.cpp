// `loopscope run`.
#include "runfile.h"

#include "asyncruntime.h"
#include "runtimestate.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <QCoreApplication>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace loopscope::runtime {

using namespace lang;

namespace {

int exitCodeOf(ThreadState &ts, const Value &exc)
{
    // SystemExit(code): None -> 0, int -> code, anything else -> printed, 1.
    Value args = exceptionArgs(exc);
    Value code = Value::none();
    if (args.isTuple() && !asTuple(args)->items.empty())
        code = asTuple(args)->items.size() == 1 ? asTuple(args)->items[0] : args;
    if (code.isNone())
        return 0;
    if (code.isInt())
        return int(code.asInt());
    std::string text = str(ts, code) + "\n";
    ts.interpreter().write(ts, text, true);
    return 1;
}

} // namespace

int runFile(const std::string &path, const RunOptions &options)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        std::fprintf(stderr, "loopscope: can't open file '%s': [Errno %d] %s\n", path.c_str(), err ? err : ENOENT,
                     std::strerror(err ? err : ENOENT));
        return 2;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string source = buffer.str();

    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char arg0[] = "loopscope";
        static char *argv[] = {arg0, nullptr};
        new QCoreApplication(argc, argv); // asyncio.run's loop needs Qt's event dispatch
    }

    InterpreterOptions io;
    io.gil = options.gil;
    io.switchIntervalSeconds = options.switchInterval;
    if (options.cpuCount > 0)
        io.cpuCount = options.cpuCount;
    io.argv.push_back(path);
    for (const auto &a : options.args)
        io.argv.push_back(a);
    auto interp = Interpreter::create(io);

    RuntimeSettings settings;
    settings.limiterOrder = options.limiterOrder;
    settings.threadTokens = options.threads;
    settings.mainSource = source;
    settings.mainFilename = path;
    auto configure = options.configureInterpreter;
    settings.configureChild = [configure](Interpreter &child) {
        if (configure)
            configure(child);
    };
    registerRuntimeModules(*interp, settings);
    if (configure)
        configure(*interp);

    int status = 0;
    {
        auto ts = interp->attachThread("MainThread");
        if (!ts->holdsGil())
            ts->acquireGil();
        CompileResult compiled = interp->compile(source, path);
        if (!compiled) {
            std::string text = compiled.error ? compiled.error->formatted : std::string("SyntaxError: invalid syntax\n");
            if (!text.empty() && text.back() != '\n')
                text += '\n';
            interp->write(*ts, text, true);
            status = 1;
        } else {
            Value module = interp->runModule(*ts, compiled.code, "__main__");
            if (module.isError()) {
                Value exc = ts->fetchException();
                if (isInstance(exc, types().SystemExit)) {
                    status = exitCodeOf(*ts, exc);
                } else {
                    interp->write(*ts, formatException(*ts, exc), true);
                    status = 1;
                }
            }
        }
    }
    std::fflush(stdout);
    std::fflush(stderr);
    return status;
}

} // namespace loopscope::runtime
