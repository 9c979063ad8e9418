// Small helpers shared by the VM tests: run source in a fresh module and read globals.
#pragma once

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <QString>
#include <string>

namespace vmtest {

using namespace loopscope::lang;

struct Runner {
    std::shared_ptr<Interpreter> interp;
    std::unique_ptr<ThreadState> ts;
    std::string out, err;
    Value module;

    explicit Runner(InterpreterOptions opts = {})
    {
        opts.output = [this](ThreadState &, std::string_view text, bool isErr) { (isErr ? err : out) += text; };
        interp = Interpreter::create(opts);
        ts = interp->attachThread("MainThread");
    }
    // Runs source as __main__; returns "" on success or the traceback text.
    std::string run(const std::string &source, const std::string &filename = "test.py")
    {
        auto cr = interp->compile(source, filename);
        if (!cr)
            return cr.error->formatted;
        module = interp->runModule(*ts, cr.code, "__main__");
        if (module.isError())
            return formatException(*ts, ts->fetchException());
        return {};
    }
    Value global(const char *name) { return dictGet(module.as<ModuleObject>()->dict, name); }
    std::string reprOf(const Value &v) { return repr(*ts, v); }
};

inline std::string lastLine(const std::string &s)
{
    std::string t = s;
    while (!t.empty() && t.back() == '\n')
        t.pop_back();
    auto p = t.rfind('\n');
    return p == std::string::npos ? t : t.substr(p + 1);
}

} // namespace vmtest
