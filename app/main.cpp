// loopscope: the desktop app by default; `run`, `serve` and `bench` on the command line.
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <cstring>

namespace {

const char *kUsage =
    "usage: loopscope [FILE.py]                 open the app (default: the first lesson)\n"
    "       loopscope run FILE.py               run a module like `python FILE.py`\n"
    "       loopscope serve FILE.py [options]   serve the endpoints over HTTP\n"
    "       loopscope bench FILE.py [options]   fire a burst and report what happened\n"
    "       loopscope --help | --version\n";

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (argc >= 2 && !std::strcmp(argv[1], "--version")) {
        std::printf("loopscope %s\n", LOOPSCOPE_VERSION);
        return 0;
    }
    std::fprintf(stderr, "loopscope: nothing to do yet\n%s", kUsage);
    return 2;
}
