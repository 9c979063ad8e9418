// Speed of the language core against CPython on this machine: `for k in range(n): x += k`
// with n = 10,000,000 at module level and inside a function. Runs loop.py with Loopscope's
// interpreter in-process and with python3, alternating, and prints both.
#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <cstdio>
#include <string>

using namespace loopscope::lang;

static std::string runLoopscope(const std::string &source)
{
    std::string out;
    InterpreterOptions opts;
    opts.output = [&out](ThreadState &, std::string_view text, bool) { out += text; };
    auto interp = Interpreter::create(opts);
    auto ts = interp->attachThread("MainThread");
    auto cr = interp->compile(source, "loop.py");
    if (!cr)
        return "compile error: " + cr.error->formatted;
    Value m = interp->runModule(*ts, cr.code);
    if (m.isError())
        return formatException(*ts, ts->fetchException());
    return out;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QFile f(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/bench/lang/loop.py"));
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "loop.py not found\n");
        return 1;
    }
    const std::string source = f.readAll().toStdString();
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    for (int round = 0; round < 2; ++round) {
        std::printf("loopscope: %s", runLoopscope(source).c_str());
        if (!python.isEmpty()) {
            QProcess p;
            p.start(python, {QStringLiteral(LOOPSCOPE_SOURCE_DIR "/bench/lang/loop.py")});
            p.waitForFinished(120000);
            std::printf("cpython:   %s", p.readAllStandardOutput().constData());
        }
        std::fflush(stdout);
    }
    return 0;
}
