// A test-only driver: runs a .py file on the language core without asyncio, the way
// `python FILE.py` would (stdout, stderr, exit code). Used by tst_programs and by hand.
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace loopscope::lang;

int main(int argc, char **argv)
{
    bool compileOnly = false;
    if (argc > 1 && std::string(argv[1]) == "--compile-only") {
        compileOnly = true;
        --argc;
        ++argv;
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: loopscope_pyrun [--compile-only] FILE.py\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "loopscope_pyrun: can't open file '%s'\n", argv[1]);
        return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    InterpreterOptions opts;
    for (int i = 1; i < argc; ++i)
        opts.argv.push_back(argv[i]);
    auto interp = Interpreter::create(opts);
    auto ts = interp->attachThread("MainThread");
    CompileResult cr = interp->compile(ss.str(), argv[1]);
    if (!cr) {
        std::fflush(stdout);
        std::fputs(cr.error->formatted.c_str(), stderr);
        return 1;
    }
    if (compileOnly)
        return 0;
    Value m = interp->runModule(*ts, cr.code, "__main__");
    int rc = 0;
    if (m.isError())
        rc = reportUncaught(*ts, ts->fetchException());
    std::fflush(stdout);
    return rc;
}
