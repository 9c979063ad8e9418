// Scatter points as blitted sprites.
#include "scattergraph.h"

#include <QPaintEngine>

#include <cmath>

namespace loopscope::ui {

ScatterGraph::ScatterGraph(QCPAxis *keyAxis, QCPAxis *valueAxis)
    : QCPGraph(keyAxis, valueAxis)
{
}

const QPixmap &ScatterGraph::sprite(const QCPScatterStyle &style, qreal dpr) const
{
    const QPen pen = style.isPenDefined() ? style.pen() : mPen;
    const QString key = QStringLiteral("%1/%2/%3/%4/%5/%6")
                            .arg(int(style.shape()))
                            .arg(style.size())
                            .arg(pen.color().rgba())
                            .arg(pen.widthF())
                            .arg(style.brush().color().rgba())
                            .arg(dpr);
    if (key != m_spriteKey) {
        m_spriteKey = key;
        const int side = int(std::ceil(style.size() + pen.widthF() * 2)) + 2;
        QPixmap pm(QSize(side, side) * dpr);
        pm.setDevicePixelRatio(dpr);
        pm.fill(Qt::transparent);
        QCPPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing); // drawn once: smooth costs nothing
        style.applyTo(&p, mPen);
        style.drawShape(&p, side / 2.0, side / 2.0);
        p.end();
        m_sprite = pm;
    }
    return m_sprite;
}

void ScatterGraph::drawScatterPlot(QCPPainter *painter, const QVector<QPointF> &scatters,
                                   const QCPScatterStyle &style) const
{
    const QPaintEngine *engine = painter->paintEngine();
    const bool raster = engine && engine->type() == QPaintEngine::Raster
                        && !painter->modes().testFlag(QCPPainter::pmVectorized)
                        && style.shape() != QCPScatterStyle::ssPixmap
                        && style.shape() != QCPScatterStyle::ssCustom
                        && painter->transform().isIdentity();
    if (!raster || scatters.size() < 64) {
        QCPGraph::drawScatterPlot(painter, scatters, style);
        return;
    }
    const QPaintDevice *device = painter->device();
    const QPixmap &pm = sprite(style, device ? device->devicePixelRatio() : 1.0);
    const double half = pm.width() / pm.devicePixelRatio() / 2.0;
    for (const QPointF &p : scatters)
        painter->drawPixmap(QPointF(std::round(p.x() - half), std::round(p.y() - half)), pm);
}

} // namespace loopscope::ui
