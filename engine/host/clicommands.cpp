// `serve`, `bench` and the no-display report.
#include "clicommands.h"

#include "benchrun.h"
#include "commandline.h"
#include "enginecore.h"
#include "sourceerrors.h"

#include "trace/chrometraceexport.h"
#include "trace/csvexport.h"
#include "trace/diagnosis.h"
#include "trace/jsonexport.h"
#include "trace/tracebuffer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>

#include <unistd.h>

namespace loopscope::host {

namespace {

ChartRenderer &chartRenderer()
{
    static ChartRenderer renderer;
    return renderer;
}

std::mutex &consoleMutex()
{
    static std::mutex m;
    return m;
}

enum class Flush { Now, Soon };

// Lines written with Flush::Soon wait in stdio's buffer until the next Flush::Now line or
// flushConsole(), which `serve` calls every 50 ms: an access line per request
// would otherwise cost a write(2) per request on the loop thread.
void say(FILE *stream, const QString &line, Flush flush = Flush::Now)
{
    std::lock_guard lock(consoleMutex());
    const QByteArray bytes = line.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fputc('\n', stream);
    if (flush == Flush::Now)
        std::fflush(stream);
}

void flushConsole()
{
    std::lock_guard lock(consoleMutex());
    std::fflush(stdout);
}

void fail(const QString &verb, const QString &reason)
{
    say(stderr, QStringLiteral("loopscope %1: %2").arg(verb, reason));
}

bool readSource(const QString &file, QString *source, QString *error)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = checkSourceFile(file);
        if (error->isEmpty())
            *error = QStringLiteral("can't open file '%1': %2").arg(QFileInfo(file).absoluteFilePath(), f.errorString());
        return false;
    }
    *source = QString::fromUtf8(f.readAll());
    return true;
}

http::BurstPlan planFrom(const BenchOptions &o)
{
    http::BurstPlan plan;
    plan.host = "127.0.0.1";
    plan.pathTemplate = o.path.toStdString();
    plan.requests = o.requests;
    plan.connections = o.connections > 0 ? o.connections : o.requests;
    plan.duration = o.duration;
    plan.rate = o.rate;
    plan.keepAlive = o.keepAlive;
    for (const ExtraRequest &e : o.extras)
        plan.extras.push_back({e.at, e.path.toStdString()});
    return plan;
}

QString fmtMs(double ms)
{
    return QString::number(ms, 'f', ms < 10 ? 2 : 1);
}

void printSummary(const BenchResult &r)
{
    const http::BurstSummary &s = r.summary;
    say(stdout, QStringLiteral("requests %1  errors %2  wall %3 s  %4 req/s")
                    .arg(s.requests).arg(s.errors).arg(s.wall, 0, 'f', 3).arg(s.rps, 0, 'f', 1));
    say(stdout, QStringLiteral("latency ms  p50 %1  p90 %2  p99 %3  max %4")
                    .arg(fmtMs(s.p50Ms), fmtMs(s.p90Ms), fmtMs(s.p99Ms), fmtMs(s.maxMs)));
    if (!s.note.empty())
        say(stdout, QStringLiteral("note: %1").arg(QString::fromStdString(s.note)));
    for (const trace::Finding &f : trace::diagnose(r.session))
        say(stdout, QStringLiteral("%1: %2").arg(QString::fromLatin1(trace::severityName(f.severity)),
                                                QString::fromStdString(f.text)));
}

// Writes the requested exports; false with a reason for the first that fails.
bool writeOutputs(const trace::Session &session, const QString &json, const QString &csv, const QString &chromeTrace,
                  const QString &charts, QString *error)
{
    if (!json.isEmpty() && !trace::writeJson(session, json, error))
        return false;
    if (!csv.isEmpty() && !trace::writeCsv(session, csv, error))
        return false;
    if (!chromeTrace.isEmpty() && !trace::writeChromeTrace(session, chromeTrace, error))
        return false;
    if (!charts.isEmpty()) {
        if (!chartRenderer()) {
            *error = QStringLiteral("--charts needs the desktop build (charts are drawn by the UI library)");
            return false;
        }
        if (!QDir().mkpath(charts)) {
            *error = QStringLiteral("cannot create folder %1").arg(charts);
            return false;
        }
        if (!chartRenderer()(session, charts, error))
            return false;
    }
    return true;
}

// Starts an engine for a command; prints the one-line reason on failure.
bool startEngine(EngineCore &engine, const QString &verb, const QString &file, const QString &source,
                 const EngineSettings &settings)
{
    const QString shown = QFileInfo(file).fileName();
    const QList<SourceError> compile = EngineCore::compileErrors(source, file);
    if (!compile.isEmpty()) {
        fail(verb, oneLine(compile.first(), file));
        return false;
    }
    QString error;
    QList<SourceError> errors;
    if (!engine.start(source, file, settings, &error, &errors)) {
        fail(verb, errors.isEmpty() ? error : oneLine(errors.first(), file));
        Q_UNUSED(shown);
        return false;
    }
    return true;
}

std::atomic<int> g_signal{0};

extern "C" void onTerminate(int sig)
{
    g_signal.store(sig);
}

} // namespace

void setChartRenderer(ChartRenderer renderer)
{
    chartRenderer() = std::move(renderer);
}

int runBench(const QStringList &args)
{
    QString error;
    bool help = false;
    const std::optional<BenchOptions> o = parseBenchArgs(args, &error, &help);
    if (help) {
        std::fputs(kBenchUsage, stdout);
        return 0;
    }
    if (!o) {
        fail(QStringLiteral("bench"), error);
        std::fputs(kBenchUsage, stderr);
        return 2;
    }
    QString source;
    if (!readSource(o->file, &source, &error)) {
        fail(QStringLiteral("bench"), error);
        return 2;
    }
    // Untraced from the start: the engine decides at startup what it samples for the trace.
    trace::setEnabled(o->traced);
    EngineCore engine;
    EngineSettings settings = o->engine;
    settings.port = 0;
    if (!startEngine(engine, QStringLiteral("bench"), o->file, source, settings))
        return 1;
    const BenchResult r = runBurst(engine, planFrom(*o), {}, nullptr, 0.1, o->traced);
    engine.stop();
    if (!o->quiet)
        printSummary(r);
    if (!writeOutputs(r.session, o->json, o->csv, o->trace, o->charts, &error)) {
        fail(QStringLiteral("bench"), error);
        return 1;
    }
    return 0;
}

int runServe(const QStringList &args)
{
    QString error;
    bool help = false;
    const std::optional<ServeOptions> o = parseServeArgs(args, &error, &help);
    if (help) {
        std::fputs(kServeUsage, stdout);
        return 0;
    }
    if (!o) {
        fail(QStringLiteral("serve"), error);
        std::fputs(kServeUsage, stderr);
        return 2;
    }
    QString source;
    if (!readSource(o->file, &source, &error)) {
        fail(QStringLiteral("serve"), error);
        return 2;
    }
    // Nobody reads traces while serving from the console: keep the buffers empty.
    trace::setEnabled(false);

    EngineCore engine;
    engine.setPrintSink([workers = o->engine.workers](int worker, std::int64_t, const std::string &line, bool isStderr) {
        const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        const QString who = workers > 1 ? QStringLiteral(" [%1]").arg(worker) : QString();
        say(isStderr ? stderr : stdout, QStringLiteral("%1%2 %3").arg(stamp, who, QString::fromStdString(line)));
    });
    engine.setLogSink([](const QString &line) { say(stdout, line, Flush::Soon); });

    const qint64 pid = QCoreApplication::applicationPid();
    say(stdout, QStringLiteral("INFO:     Started server process [%1]").arg(pid));
    say(stdout, QStringLiteral("INFO:     Waiting for application startup."));
    if (!startEngine(engine, QStringLiteral("serve"), o->file, source, o->engine))
        return 1;
    say(stdout, QStringLiteral("INFO:     Application startup complete."));
    say(stdout, QStringLiteral("INFO:     Loopscope running on http://%1:%2 with %3 worker(s) (Press CTRL+C to quit)")
                    .arg(o->engine.bindAddress).arg(engine.port()).arg(o->engine.workers));

    struct sigaction sa {};
    sa.sa_handler = onTerminate;
    sigemptyset(&sa.sa_mask);
    struct sigaction oldInt {}, oldTerm {};
    sigaction(SIGINT, &sa, &oldInt);
    sigaction(SIGTERM, &sa, &oldTerm);
    g_signal = 0;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] {
        flushConsole();
        if (g_signal.load())
            QCoreApplication::quit();
    });
    poll.start(50);
    QCoreApplication::exec();
    poll.stop();
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);

    say(stdout, QStringLiteral("INFO:     Shutting down"));
    engine.stop();
    say(stdout, QStringLiteral("INFO:     Finished server process [%1]").arg(pid));
    return 0;
}

namespace {

// The seeds' first example, used when no lesson can be read.
const char *const kFallbackSource =
    "import time\n"
    "\n"
    "from fastapi import FastAPI\n"
    "\n"
    "app = FastAPI()\n"
    "\n"
    "\n"
    "@app.get(\"/async_block\")\n"
    "async def async_block(i: int = 0):\n"
    "    print(f\"Hello {i}\")\n"
    "    time.sleep(1)\n"
    "    print(f\"bye {i}\")\n"
    "    return \"pong\"\n";

struct Lesson {
    QString title;
    QString file;
    QString source;
    http::BurstPlan plan;
};

bool readLesson(const QString &lessonFile, Lesson *lesson)
{
    QFile f(lessonFile);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray lessons = root.value(QLatin1String("lessons")).toArray();
    if (lessons.isEmpty())
        return false;
    const QJsonObject first = lessons.first().toObject();
    const QString file = first.value(QLatin1String("file")).toString();
    const QString path = QFileInfo(lessonFile).dir().filePath(file);
    QString error;
    if (file.isEmpty() || !readSource(path, &lesson->source, &error))
        return false;
    lesson->title = first.value(QLatin1String("title")).toString(file);
    lesson->file = file;
    const QJsonObject burst = first.value(QLatin1String("burst")).toObject();
    lesson->plan.pathTemplate = burst.value(QLatin1String("path")).toString(QStringLiteral("/")).toStdString();
    lesson->plan.requests = std::max(1, burst.value(QLatin1String("requests")).toInt(2));
    lesson->plan.connections = std::max(1, burst.value(QLatin1String("connections")).toInt(lesson->plan.requests));
    lesson->plan.keepAlive = burst.value(QLatin1String("keepAlive")).toBool(true);
    return true;
}

} // namespace

int runHeadlessReport(const QString &lessonFile, const QString &outDir)
{
    Lesson lesson;
    if (!readLesson(lessonFile, &lesson)) {
        const QString seeds = QString::fromLocal8Bit(qgetenv("LOOPSCOPE_SOURCE_DIR")) + QStringLiteral("/../shared/conformance/seeds_app.py");
        QString error;
        if (!readSource(seeds, &lesson.source, &error))
            lesson.source = QString::fromLatin1(kFallbackSource);
        lesson.title = QStringLiteral("async def with time.sleep");
        lesson.file = QStringLiteral("seeds_app.py");
        lesson.plan.pathTemplate = "/async_block?i={i}";
        lesson.plan.requests = 2;
        lesson.plan.connections = 2;
    }
    if (!QDir().mkpath(outDir)) {
        fail(QStringLiteral("report"), QStringLiteral("cannot create folder %1").arg(outDir));
        return 1;
    }
    const QDir dir(outDir);
    EngineCore engine;
    EngineSettings settings;
    settings.accessLog = false;
    if (!startEngine(engine, QStringLiteral("report"), lesson.file, lesson.source, settings))
        return 1;
    const BenchResult r = runBurst(engine, lesson.plan);
    engine.stop();

    QString error;
    const QString charts = chartRenderer() ? dir.filePath(QStringLiteral("charts")) : QString();
    if (!writeOutputs(r.session, dir.filePath(QStringLiteral("report.json")), dir.filePath(QStringLiteral("report.csv")),
                      dir.filePath(QStringLiteral("report.perfetto.json")), charts, &error)) {
        fail(QStringLiteral("report"), error);
        return 1;
    }

    QFile readme(dir.filePath(QStringLiteral("README.txt")));
    if (readme.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        QString text;
        text += QStringLiteral("Loopscope report: %1 (%2)\n").arg(lesson.title, lesson.file);
        text += QStringLiteral("Burst: %1 requests of %2 over %3 connections\n\n")
                    .arg(lesson.plan.requests).arg(QString::fromStdString(lesson.plan.pathTemplate)).arg(lesson.plan.connections);
        text += QStringLiteral("Responses (seconds from the burst start):\n");
        for (const http::RequestRecord &rec : r.records)
            text += QStringLiteral("  #%1 %2  status %3  done %4 s\n")
                        .arg(rec.id).arg(QString::fromStdString(rec.path)).arg(rec.status).arg(rec.done, 0, 'f', 3);
        text += QStringLiteral("\nWhat happened:\n");
        const std::vector<trace::Finding> findings = trace::diagnose(r.session);
        if (findings.empty())
            text += QStringLiteral("  nothing unusual\n");
        for (const trace::Finding &f : findings)
            text += QStringLiteral("  - [%1] %2\n").arg(QString::fromLatin1(trace::severityName(f.severity)), QString::fromStdString(f.text));
        text += QStringLiteral("\nFiles: report.json (bench --json), report.csv (one row per request),\n"
                               "report.perfetto.json (open in ui.perfetto.dev)%1\n")
                    .arg(charts.isEmpty() ? QString() : QStringLiteral(", charts/ (PNG, SVG and PDF)"));
        readme.write(text.toUtf8());
    }
    say(stdout, QFileInfo(outDir).absoluteFilePath());
    return 0;
}

} // namespace loopscope::host
