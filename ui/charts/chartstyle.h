// One look for every Loopscope chart: phase colours, fonts, titles, axes, legends.
#pragma once

#include "trace/session.h"

#include <QColor>
#include <QString>

class QCustomPlot;
class QCPAxis;

namespace loopscope::ui {

namespace ChartStyle {

QColor phaseColor(trace::Phase phase);
QColor runningOnLoopColor();   // handler code on the event loop
QColor runningOnThreadColor(); // handler code on a worker thread
QColor notReadColor();         // sent by the client, not yet read by the server
QColor blockedColor();         // shading for spans where the loop was blocked
QColor lagColor();
QColor utilisationColor();
QColor busyColor();
QColor waitingColor();
QColor limitColor();
// The opaque colour a translucent `color` shows over `under` (the white plot by default):
// the same look without a translucent fill, which Qt hands to its paint threads and waits for.
QColor opaqueOver(const QColor &color, const QColor &under = Qt::white);

// Clears the plot and gives it a title, axis labels, grid, fonts and a legend (a
// FlowLegend: entries wrap to the width) in the top-right corner, hidden until the chart
// adds entries.
void setUp(QCustomPlot *plot, const QString &title, const QString &xLabel, const QString &yLabel);
void styleAxis(QCPAxis *axis, const QString &label);
// Moves the legend out of the axis rect into a row below it, as wide as the plot: its
// entries flow into as many lines as the width needs, never over the data.
void legendBelow(QCustomPlot *plot);
// Ticks on whole numbers only (counts, request ids, ranks): never "0.5 requests".
void integerTicks(QCPAxis *axis);
// Adds a legend-only entry: a filled swatch with no data.
void addSwatch(QCustomPlot *plot, const QString &name, const QColor &color);
// Updates the title's text (the element added by setUp).
void setTitle(QCustomPlot *plot, const QString &title);

} // namespace ChartStyle

} // namespace loopscope::ui
