// The `serve` and `bench` verbs' flags (ARCHITECTURE §4): parsed into plain options,
// with a one-line reason for anything wrong.
#pragma once

#include "enginesettings.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace loopscope::host {

struct ExtraRequest {
    double at = 0;  // seconds after the burst starts
    QString path;   // "{i}" is replaced by the request's index
};

struct ServeOptions {
    QString file;
    EngineSettings engine;
};

struct BenchOptions {
    QString file;
    QString path;
    int requests = 1;
    int connections = 0; // 0 = one per request
    QList<ExtraRequest> extras;
    bool keepAlive = true;
    double rate = 0;     // requests per second; 0 = all at once
    double duration = 0; // seconds to keep firing; 0 = `requests` requests
    EngineSettings engine;
    QString json, csv, trace, charts;
    bool quiet = false;  // no summary on stdout
    bool traced = true;  // false (--no-trace): the engine runs untraced, to measure what tracing costs
};

// `args` are the words after the verb. On failure returns nullopt and sets `error` to one
// line (e.g. "unknown option --foo"); `--help` sets `help` instead.
std::optional<ServeOptions> parseServeArgs(const QStringList &args, QString *error, bool *help = nullptr);
std::optional<BenchOptions> parseBenchArgs(const QStringList &args, QString *error, bool *help = nullptr);

extern const char *const kServeUsage;
extern const char *const kBenchUsage;

// CPython's message for a file it cannot open, e.g.
// "can't open file '/x/app.py': [Errno 2] No such file or directory". Empty if readable.
QString checkSourceFile(const QString &file);

} // namespace loopscope::host
