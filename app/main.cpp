// loopscope: the desktop app by default; `run`, `serve` and `bench` on the command line.
#if defined(LOOPSCOPE_HAVE_HOST_ENGINE)
#include "host/appbinding.h"
#include "host/clicommands.h"
#include "runtime/runfile.h"
#endif

#if defined(LOOPSCOPE_HAVE_UI)
#include "chartrenderer.h"
#include "mainwindow.h"

#include <QApplication>
#endif

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <QTextStream>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <memory>

namespace {

const char *kUsage =
    "usage: loopscope [FILE.py]                 open the app (default: the first lesson)\n"
    "       loopscope run FILE.py               run a module like `python FILE.py`\n"
    "       loopscope serve FILE.py [options]   serve the endpoints over HTTP\n"
    "       loopscope bench FILE.py [options]   fire a burst and report what happened\n"
    "       loopscope --help | --version\n"
    "Without a display (no DISPLAY / WAYLAND_DISPLAY), `loopscope` runs the first lesson\n"
    "and writes a report into ./loopscope-report.\n";

#if defined(LOOPSCOPE_HAVE_HOST_ENGINE)
QStringList argsAfter(int argc, char **argv, int first)
{
    QStringList out;
    for (int i = first; i < argc; ++i)
        out.append(QString::fromLocal8Bit(argv[i]));
    return out;
}

bool hasDisplay()
{
    const char *x = std::getenv("DISPLAY");
    const char *w = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

// Charts are drawn offscreen by the UI library: they need a QApplication.
std::unique_ptr<QCoreApplication> makeApplication(int &argc, char **argv, bool charts)
{
#if defined(LOOPSCOPE_HAVE_UI)
    if (charts) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        auto app = std::make_unique<QApplication>(argc, argv);
        loopscope::host::setChartRenderer([](const loopscope::trace::Session &s, const QString &dir, QString *error) {
            return loopscope::ui::renderCharts(s, dir, nullptr, error);
        });
        return app;
    }
#else
    Q_UNUSED(charts);
#endif
    return std::make_unique<QCoreApplication>(argc, argv);
}

// The lessons: bundled in the binary when the UI is, else next to an installed binary,
// else in the source tree.
QString lessonFile()
{
    const QStringList candidates = {
        QStringLiteral(":/lessons/lessons.json"),
        QCoreApplication::applicationDirPath() + QStringLiteral("/../share/loopscope/lessons/lessons.json"),
        QStringLiteral(LOOPSCOPE_RESOURCE_DIR "/lessons/lessons.json"),
    };
    for (const QString &c : candidates)
        if (QFileInfo::exists(c))
            return c;
    return {};
}
#endif

#if defined(LOOPSCOPE_HAVE_HOST_ENGINE)
// `loopscope run [--gil on|off] [--switch-interval S] [--limiter fifo|lifo] [--threads N]
//  [--cpu-count N] FILE.py [ARGS...]`: the flags may also follow FILE; `--` ends them.
int runVerb(int argc, char **argv)
{
    loopscope::runtime::RunOptions options;
    std::string file;
    bool flagsDone = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (!flagsDone && a == "--") {
            flagsDone = true;
            continue;
        }
        const bool known = a == "--gil" || a == "--limiter" || a == "--threads" || a == "--cpu-count" ||
                           a == "--switch-interval";
        if (!flagsDone && known) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "loopscope run: %s needs a value\n", a.c_str());
                return 2;
            }
            const std::string v = argv[++i];
            if (a == "--gil") {
                if (v != "on" && v != "off") {
                    std::fprintf(stderr, "loopscope run: --gil must be on or off, not '%s'\n", v.c_str());
                    return 2;
                }
                options.gil = v == "on";
            } else if (a == "--limiter") {
                if (v != "fifo" && v != "lifo") {
                    std::fprintf(stderr, "loopscope run: --limiter must be fifo or lifo, not '%s'\n", v.c_str());
                    return 2;
                }
                options.limiterOrder = v == "fifo" ? loopscope::runtime::CapacityLimiter::WakeOrder::Fifo
                                                   : loopscope::runtime::CapacityLimiter::WakeOrder::Lifo;
            } else {
                char *end = nullptr;
                const double d = std::strtod(v.c_str(), &end);
                const bool integer = a != "--switch-interval";
                if (!end || *end || !(d > 0) || (integer && (d != double(int(d)) || d > 1e6))) {
                    std::fprintf(stderr, "loopscope run: %s needs a positive %s, not '%s'\n", a.c_str(),
                                 integer ? "integer" : "number", v.c_str());
                    return 2;
                }
                if (a == "--threads")
                    options.threads = int(d);
                else if (a == "--cpu-count")
                    options.cpuCount = int(d);
                else
                    options.switchInterval = d;
            }
        } else if (file.empty() && !flagsDone && a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "loopscope run: unknown option '%s'\n", a.c_str());
            return 2;
        } else if (file.empty()) {
            file = a;
        } else {
            options.args.push_back(a);
        }
    }
    if (file.empty()) {
        std::fprintf(stderr, "loopscope run: missing FILE.py\n");
        return 2;
    }
    options.configureInterpreter = [](loopscope::lang::Interpreter &interp) {
        loopscope::host::registerAppModules(interp);
    };
    QCoreApplication app(argc, argv);
    return loopscope::runtime::runFile(file, options);
}
#endif

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
    const char *verb = argc >= 2 ? argv[1] : "";
#if defined(LOOPSCOPE_HAVE_HOST_ENGINE)
    if (!std::strcmp(verb, "run"))
        return runVerb(argc, argv);
    if (!std::strcmp(verb, "serve")) {
        QCoreApplication app(argc, argv);
        return loopscope::host::runServe(argsAfter(argc, argv, 2));
    }
    if (!std::strcmp(verb, "bench")) {
        const QStringList args = argsAfter(argc, argv, 2);
        bool charts = false;
        for (const QString &a : args)
            charts = charts || a == QLatin1String("--charts") || a.startsWith(QLatin1String("--charts="));
        auto app = makeApplication(argc, argv, charts);
        return loopscope::host::runBench(args);
    }
    if (argc >= 2 && argv[1][0] == '-') {
        std::fprintf(stderr, "loopscope: unknown option %s\n%s", argv[1], kUsage);
        return 2;
    }
    if (!hasDisplay() && argc <= 2) {
        // No display: the first lesson, headless, as a report folder.
        auto app = makeApplication(argc, argv, true);
        return loopscope::host::runHeadlessReport(lessonFile(), QDir::current().filePath(QStringLiteral("loopscope-report")));
    }
#else
    if (!std::strcmp(verb, "run") || !std::strcmp(verb, "serve") || !std::strcmp(verb, "bench")) {
        std::fprintf(stderr, "loopscope %s: this build has no engine\n", verb);
        return 2;
    }
    if (argc >= 2 && argv[1][0] == '-') {
        std::fprintf(stderr, "loopscope: unknown option %s\n%s", argv[1], kUsage);
        return 2;
    }
#endif
#if defined(LOOPSCOPE_HAVE_UI)
    return loopscope::ui::runApp(argc, argv, argc >= 2 ? QString::fromLocal8Bit(argv[1]) : QString());
#else
    std::fprintf(stderr, "loopscope: this build has no desktop app (LOOPSCOPE_BUILD_UI=OFF)\n%s", kUsage);
    return 2;
#endif
}
