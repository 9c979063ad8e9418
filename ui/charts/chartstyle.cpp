// Shared chart look.
#include "chartstyle.h"

#include "flowlegend.h"

#include <qcustomplot.h>

namespace loopscope::ui::ChartStyle {

using trace::Phase;

QColor phaseColor(Phase phase)
{
    switch (phase) {
    case Phase::Reading: return QColor(0x9e, 0x9e, 0x9e);
    case Phase::Queued: return QColor(0xff, 0x9f, 0x1c);
    case Phase::WaitingToken: return QColor(0x94, 0x67, 0xbd);
    case Phase::Running: return runningOnThreadColor();
    case Phase::Suspended: return QColor(0xbf, 0xd7, 0xea);
    case Phase::WaitingLoop: return QColor(0xe3, 0x77, 0xc2);
    case Phase::Background: return QColor(0x8c, 0x56, 0x4b);
    case Phase::Count: break;
    }
    return Qt::gray;
}

QColor runningOnLoopColor() { return QColor(0x1f, 0x77, 0xb4); }
QColor runningOnThreadColor() { return QColor(0x2c, 0xa0, 0x2c); }
QColor notReadColor() { return QColor(0xd0, 0xd0, 0xd0); }
QColor blockedColor() { return QColor(0xd6, 0x27, 0x28, 40); }
QColor lagColor() { return QColor(0xd6, 0x27, 0x28); }
QColor utilisationColor() { return QColor(0x1f, 0x77, 0xb4); }
QColor busyColor() { return QColor(0x2c, 0xa0, 0x2c); }
QColor waitingColor() { return QColor(0xff, 0x7f, 0x0e); }
QColor limitColor() { return QColor(0x60, 0x60, 0x60); }

QColor opaqueOver(const QColor &color, const QColor &under)
{
    const int a = color.alpha();
    auto mix = [a](int over, int below) { return (over * a + below * (255 - a)) / 255; };
    return QColor(mix(color.red(), under.red()), mix(color.green(), under.green()), mix(color.blue(), under.blue()));
}

void styleAxis(QCPAxis *axis, const QString &label)
{
    QFont tick = axis->tickLabelFont();
    tick.setPointSize(9);
    axis->setTickLabelFont(tick);
    QFont lab = axis->labelFont();
    lab.setPointSize(10);
    axis->setLabelFont(lab);
    axis->setLabel(label);
    axis->setBasePen(QPen(QColor(0x50, 0x50, 0x50), 1));
    axis->setTickPen(QPen(QColor(0x50, 0x50, 0x50), 1));
    axis->setSubTickPen(QPen(QColor(0x80, 0x80, 0x80), 1));
    axis->grid()->setPen(QPen(QColor(0xe0, 0xe0, 0xe0), 1, Qt::DotLine));
    axis->grid()->setSubGridVisible(false);
    axis->setPadding(4);
}

void setUp(QCustomPlot *plot, const QString &title, const QString &xLabel, const QString &yLabel)
{
    plot->clearPlottables();
    plot->clearItems();
    plot->setBackground(Qt::white);
    plot->setNoAntialiasingOnDrag(true);
    plot->setAntialiasedElements(QCP::aeNone);
    plot->setNotAntialiasedElements(QCP::aePlottables);
    plot->setPlottingHint(QCP::phFastPolylines, true);
    plot->setPlottingHint(QCP::phCacheLabels, true);

    QCPAxisRect *rect = plot->axisRect();
    if (plot->plotLayout()->rowCount() == 1) {
        plot->plotLayout()->insertRow(0);
        auto *titleElement = new QCPTextElement(plot, title, QFont(QStringLiteral("Sans"), 12, QFont::Bold));
        titleElement->setObjectName(QStringLiteral("chartTitle"));
        plot->plotLayout()->addElement(0, 0, titleElement);
    } else {
        setTitle(plot, title);
    }
    styleAxis(rect->axis(QCPAxis::atBottom), xLabel);
    styleAxis(rect->axis(QCPAxis::atLeft), yLabel);
    plot->yAxis2->setVisible(false);
    plot->xAxis2->setVisible(false);

    installFlowLegend(plot);
    plot->legend->setVisible(false);
    QFont legendFont = plot->legend->font();
    legendFont.setPointSize(9);
    plot->legend->setFont(legendFont);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(0xc0, 0xc0, 0xc0)));
    plot->legend->setIconSize(14, 10);
    plot->legend->setRowSpacing(0);
    rect->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void legendBelow(QCustomPlot *plot)
{
    QCPLegend *legend = installFlowLegend(plot);
    if (legend->layout() == plot->plotLayout())
        return;
    plot->axisRect()->insetLayout()->take(legend);
    plot->plotLayout()->addElement(plot->plotLayout()->rowCount(), 0, legend);
    plot->plotLayout()->setRowStretchFactor(plot->plotLayout()->rowCount() - 1, 0.001);
    legend->setBorderPen(Qt::NoPen);
    legend->setMargins(QMargins(8, 0, 8, 4));
    legend->setColumnSpacing(10);
}

void integerTicks(QCPAxis *axis)
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(ticker);
}

void addSwatch(QCustomPlot *plot, const QString &name, const QColor &color)
{
    auto *swatch = new QCPBars(plot->xAxis, plot->yAxis);
    swatch->setName(name);
    swatch->setPen(QPen(color.darker(130), 1));
    swatch->setBrush(color);
    swatch->setSelectable(QCP::stNone);
}

void setTitle(QCustomPlot *plot, const QString &title)
{
    if (plot->plotLayout()->rowCount() < 2)
        return;
    if (auto *t = qobject_cast<QCPTextElement *>(plot->plotLayout()->element(0, 0)))
        t->setText(title);
}

} // namespace loopscope::ui::ChartStyle
