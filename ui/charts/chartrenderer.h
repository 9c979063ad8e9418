// Offscreen rendering of every session chart to PNG, SVG and PDF (`bench --charts DIR`).
// Needs a QApplication (QT_QPA_PLATFORM=offscreen is fine); no window is shown.
#pragma once

#include "trace/session.h"

#include <QSize>
#include <QString>
#include <QStringList>

class QCustomPlot;

namespace loopscope::ui {

struct RenderOptions {
    QSize size{1200, 560}; // pixels; the request timeline grows with its rows
    bool png = true;
    bool svg = true;
    bool pdf = true;
};

// Renders loop_lag, pool (the main limiter), pool_<name> for every other pool that was
// used, request_timeline, response_order and latency_histogram into `dir` (created if
// missing). Returns false (with `error`) if nothing could be written.
bool renderCharts(const trace::Session &session, const QString &dir, QStringList *written = nullptr,
                  QString *error = nullptr, const RenderOptions &options = {});

// Writes the plot as SVG (QSvgGenerator + QCustomPlot::toPainter).
bool saveSvg(QCustomPlot *plot, const QString &path, int width, int height, const QString &title = {});

} // namespace loopscope::ui
