// The headless entry points app/main.cpp calls: the `serve` and `bench` verbs and the
// report `loopscope` writes when there is no display. A Q(Core)Application must exist.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

namespace loopscope::trace {
struct Session;
}

namespace loopscope::host {

// `loopscope bench FILE.py ...` (ARCHITECTURE §4); `args` are the words after "bench".
// 0 on success; 2 for bad usage or a missing file; 1 for language errors and failures.
int runBench(const QStringList &args);

// `loopscope serve FILE.py ...`: serves until Ctrl+C / SIGTERM, then shuts down in order.
int runServe(const QStringList &args);

// Runs the first lesson of `lessonFile` (lessons.json; when it cannot be read, the
// seeds' async_block example with 2 requests on 2 connections) and writes report.json,
// report.csv, report.perfetto.json, charts/ and README.txt into `outDir`, printing
// the folder's path.
int runHeadlessReport(const QString &lessonFile, const QString &outDir);

// Charts are drawn by the UI layer (engine/ never links widgets): the app registers
// the renderer (ui::renderCharts) before calling runBench / runHeadlessReport.
using ChartRenderer = std::function<bool(const trace::Session &session, const QString &dir, QString *error)>;
void setChartRenderer(ChartRenderer renderer);

} // namespace loopscope::host
