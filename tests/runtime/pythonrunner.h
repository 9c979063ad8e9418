// Runs a Python source with the runtime's modules and captures what it printed — the
// shared fixture of the runtime suites that exercise asyncio/anyio from Python code.
#pragma once

#include "runtime/asyncruntime.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace loopscope::testing {

struct PythonRun {
    std::string out;
    std::string err;
    bool ok = false;
    double seconds = 0;

    QStringList lines() const
    {
        QStringList l = QString::fromStdString(out).split(QLatin1Char('\n'));
        while (!l.isEmpty() && l.last().isEmpty())
            l.removeLast();
        return l;
    }
};

inline PythonRun runPython(const std::string &source, runtime::RuntimeSettings settings = {},
                           lang::InterpreterOptions options = {})
{
    struct Sink {
        std::mutex mutex;
        std::string out, err;
    };
    auto sink = std::make_shared<Sink>();
    options.output = [sink](lang::ThreadState &, std::string_view text, bool isStderr) {
        std::lock_guard lock(sink->mutex);
        (isStderr ? sink->err : sink->out).append(text);
    };
    auto interp = lang::Interpreter::create(options);
    settings.mainSource = source;
    settings.mainFilename = "app.py";
    runtime::registerRuntimeModules(*interp, settings);
    PythonRun run;
    {
        auto ts = interp->attachThread("MainThread");
        auto compiled = interp->compile(source, "app.py");
        const auto start = std::chrono::steady_clock::now();
        if (!compiled) {
            run.err = compiled.error ? compiled.error->formatted : std::string("compile error");
        } else {
            lang::Value m = interp->runModule(*ts, compiled.code, "__main__");
            if (m.isError())
                run.err += lang::formatException(*ts, ts->fetchException());
            else
                run.ok = true;
        }
        run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::lock_guard lock(sink->mutex);
    run.out = sink->out;
    run.err = sink->err + run.err;
    return run;
}

} // namespace loopscope::testing
