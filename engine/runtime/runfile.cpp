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

int runFile(const std::string &path, const RunOptions &options)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno ? errno : ENOENT;
        const std::string text = "loopscope: can't open file '" + path + "': [Errno " + std::to_string(err) + "] " +
                                 std::strerror(err) + "\n";
        if (options.output)
            options.output(text, true);
        else
            std::fputs(text.c_str(), stderr);
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
    if (options.output) {
        auto sink = options.output;
        io.output = [sink](ThreadState &, std::string_view text, bool isStderr) { sink(text, isStderr); };
    }
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
            if (module.isError())
                status = reportUncaught(*ts, ts->fetchException()); // SystemExit codes, tracebacks
        }
    }
    std::fflush(stdout);
    std::fflush(stderr);
    return status;
}

} // namespace loopscope::runtime
