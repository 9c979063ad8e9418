// Offscreen chart rendering.
#include "chartrenderer.h"

#include "latencyhistogramchart.h"
#include "looplagchart.h"
#include "poolchart.h"
#include "requesttimelinechart.h"
#include "responseorderchart.h"

#include <QApplication>
#include <QDir>
#include <QSvgGenerator>
#include <qcustomplot.h>

#include <memory>

namespace loopscope::ui {

bool saveSvg(QCustomPlot *plot, const QString &path, int width, int height, const QString &title)
{
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(QSize(width, height));
    generator.setViewBox(QRect(0, 0, width, height));
    generator.setTitle(title);
    generator.setDescription(QStringLiteral("Loopscope chart"));
    QCPPainter painter;
    if (!painter.begin(&generator))
        return false;
    plot->toPainter(&painter, width, height);
    painter.end();
    return QFileInfo(path).size() > 0;
}

bool renderCharts(const trace::Session &session, const QString &dir, QStringList *written,
                  QString *error, const RenderOptions &options)
{
    if (!qobject_cast<QApplication *>(QCoreApplication::instance())) {
        if (error)
            *error = QStringLiteral("rendering charts needs a QApplication");
        return false;
    }
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }

    std::vector<std::unique_ptr<SessionChart>> charts;
    charts.push_back(std::make_unique<LoopLagChart>());
    charts.push_back(std::make_unique<PoolChart>());
    const trace::PoolModel *main = session.mainLimiter();
    for (const trace::PoolModel &p : session.pools)
        if (&p != main && !p.series.empty())
            charts.push_back(std::make_unique<PoolChart>(p.name));
    charts.push_back(std::make_unique<RequestTimelineChart>());
    charts.push_back(std::make_unique<ResponseOrderChart>());
    charts.push_back(std::make_unique<LatencyHistogramChart>());

    const QDir out(dir);
    bool ok = true;
    int files = 0;
    for (const auto &chart : charts) {
        QCustomPlot plot;
        int width = options.size.width();
        int height = options.size.height();
        if (dynamic_cast<RequestTimelineChart *>(chart.get()))
            height = std::max(height, RequestTimelineChart::preferredHeight(session.requests.size()));
        plot.resize(width, height);
        chart->attach(&plot);
        chart->update(session);
        plot.replot(QCustomPlot::rpImmediateRefresh);
        const QString base = out.filePath(chart->fileName());
        auto note = [&](bool saved, const QString &path) {
            if (saved) {
                ++files;
                if (written)
                    written->append(path);
            } else {
                ok = false;
                if (error && error->isEmpty())
                    *error = QStringLiteral("cannot write %1").arg(path);
            }
        };
        if (options.png)
            note(plot.savePng(base + QStringLiteral(".png"), width, height, 1.0, -1, 96),
                 base + QStringLiteral(".png"));
        if (options.svg)
            note(saveSvg(&plot, base + QStringLiteral(".svg"), width, height, chart->title()),
                 base + QStringLiteral(".svg"));
        if (options.pdf)
            note(plot.savePdf(base + QStringLiteral(".pdf"), width, height, QCP::epNoCosmetic,
                              QStringLiteral("Loopscope"), chart->title()),
                 base + QStringLiteral(".pdf"));
    }
    return ok && files > 0;
}

} // namespace loopscope::ui
