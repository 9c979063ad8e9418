// Gantt bars plottable.
#include "phasebars.h"

#include <algorithm>
#include <cmath>

namespace loopscope::ui {

PhaseBars::PhaseBars(QCPAxis *keyAxis, QCPAxis *valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis)
{
    setSelectable(QCP::stNone);
}

double PhaseBars::selectTest(const QPointF &, bool, QVariant *) const
{
    return -1;
}

// Only asked for when axes are rescaled to fit (not per frame): worked out on demand.
QCPRange PhaseBars::getKeyRange(bool &foundRange, QCP::SignDomain) const
{
    foundRange = !m_bars.empty();
    if (!foundRange)
        return {};
    QCPRange r(m_bars.front().start, m_bars.front().end);
    for (const Bar &b : m_bars) {
        r.lower = std::min(r.lower, b.start);
        r.upper = std::max(r.upper, b.end);
    }
    return r;
}

QCPRange PhaseBars::getValueRange(bool &foundRange, QCP::SignDomain, const QCPRange &) const
{
    foundRange = !m_bars.empty();
    if (!foundRange)
        return {};
    QCPRange r(m_bars.front().row, m_bars.front().row);
    for (const Bar &b : m_bars) {
        r.lower = std::min(r.lower, b.row);
        r.upper = std::max(r.upper, b.row);
    }
    return QCPRange(r.lower - 0.5, r.upper + 0.5);
}

void PhaseBars::draw(QCPPainter *painter)
{
    QCPAxis *keyAxis = mKeyAxis.data();
    QCPAxis *valueAxis = mValueAxis.data();
    if (!keyAxis || !valueAxis)
        return;
    const QCPRange keys = keyAxis->range();
    const QCPRange rows = valueAxis->range();
    painter->setPen(Qt::NoPen);
    painter->setAntialiasing(false);
    // Both axes are linear: pixel = origin + coordinate · scale, worked out once instead of
    // a coordToPixel() call per bar end (a 40,000-request timeline has ~200,000 bars).
    const double kx0 = keyAxis->coordToPixel(0), kx1 = keyAxis->coordToPixel(1);
    const double vy0 = valueAxis->coordToPixel(0), vy1 = valueAxis->coordToPixel(1);
    const double kScale = kx1 - kx0, vScale = vy1 - vy0;
    auto px = [&](double key) { return kx0 + key * kScale; };
    auto py = [&](double row) { return vy0 + row * vScale; };
    const double half = m_barHeight / 2;

    // On screen (a raster paint buffer, no scaling) the bars are written straight into an
    // image the size of the axis rect, drawn in one go: a QPainter::fillRect per bar cost
    // ~0.1 µs each, most of a live timeline's replot. Exports (PDF, SVG) and scaled buffers
    // paint every bar as a rectangle, as before.
    const QTransform &device = painter->deviceTransform();
    // QCPLayer::draw clips each plottable to its clipRect() moved up by a pixel.
    const QRect clip = clipRect().translated(0, -1);
    const bool direct = !painter->modes().testFlag(QCPPainter::pmVectorized) && painter->paintEngine()
                        && painter->paintEngine()->type() == QPaintEngine::Raster
                        && device.type() <= QTransform::TxTranslate && device.dx() == std::floor(device.dx())
                        && device.dy() == std::floor(device.dy()) && clip.width() > 0 && clip.height() > 0;
    if (direct) {
        if (m_image.size() != clip.size())
            m_image = QImage(clip.size(), QImage::Format_ARGB32_Premultiplied);
        m_image.fill(Qt::transparent);
    }
    const int iw = m_image.width(), ih = m_image.height();
    // Pixels x1 ≤ x < x2, y1 ≤ y < y2 of the axis rect, as the raster engine rounds an
    // unantialiased rectangle.
    auto fill = [&](const QRectF &r, QRgb color) {
        const int x1 = std::max(0, int(std::lround(r.left())) - clip.left());
        const int x2 = std::min(iw, int(std::lround(r.right())) - clip.left());
        const int y1 = std::max(0, int(std::lround(r.top())) - clip.top());
        const int y2 = std::min(ih, int(std::lround(r.bottom())) - clip.top());
        if (x1 >= x2 || y1 >= y2)
            return;
        const QRgb premultiplied = qPremultiply(color);
        const uint alpha = qAlpha(color);
        for (int y = y1; y < y2; ++y) {
            auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(y));
            if (alpha == 255) {
                std::fill(line + x1, line + x2, premultiplied);
            } else {
                for (int x = x1; x < x2; ++x) {
                    const QRgb d = line[x];
                    const uint k = 255 - alpha;
                    line[x] = qRgba(qRed(premultiplied) + qRed(d) * k / 255, qGreen(premultiplied) + qGreen(d) * k / 255,
                                    qBlue(premultiplied) + qBlue(d) * k / 255, alpha + qAlpha(d) * k / 255);
                }
            }
        }
    };
    // Where rows are thinner than a pixel, neighbouring requests paint the same pixel row
    // with near-identical bars: a bar inside the last one drawn in its colour on the same
    // pixel row adds nothing and is skipped.
    struct Last {
        QRgb color = 0;
        int y = -1, x1 = 0, x2 = -1;
    };
    Last last[16];
    for (const Bar &b : m_bars) {
        if (b.end < keys.lower || b.start > keys.upper || b.row < rows.lower - 1
            || b.row > rows.upper + 1)
            continue;
        const double x1 = px(b.start);
        double x2 = px(b.end);
        QRectF r;
        switch (b.shape) {
        case Shape::Bar: {
            if (x2 - x1 < 1)
                x2 = x1 + 1; // always visible
            const double y1 = py(b.row - half), y2 = py(b.row + half);
            r = QRectF(QPointF(x1, std::min(y1, y2)), QPointF(x2, std::max(y1, y2)));
            break;
        }
        case Shape::Thin: {
            const double y1 = py(b.row - half / 4), y2 = py(b.row + half / 4);
            r = QRectF(QPointF(x1, std::min(y1, y2)), QPointF(std::max(x2, x1 + 1), std::max(y1, y2)));
            break;
        }
        case Shape::Tick: {
            const double y1 = py(b.row - half * 1.2), y2 = py(b.row + half * 1.2);
            r = QRectF(QPointF(x1 - 1, std::min(y1, y2)), QPointF(x1 + 1, std::max(y1, y2)));
            break;
        }
        }
        if (r.height() < 1.0) {
            const int y = int(std::floor(r.top()));
            const int left = int(std::floor(r.left())), right = int(std::ceil(r.right()));
            Last &l = last[(b.color ^ (b.color >> 7) ^ (b.color >> 15)) & 15];
            if (l.color == b.color && l.y == y && left >= l.x1 && right <= l.x2)
                continue;
            l = {b.color, y, left, right};
            r = QRectF(left, y, std::max(1, right - left), 1);
        }
        if (direct)
            fill(r, b.color);
        else
            painter->fillRect(r, QColor::fromRgba(b.color));
    }
    if (direct)
        painter->drawImage(clip.topLeft(), m_image);
}

void PhaseBars::drawLegendIcon(QCPPainter *painter, const QRectF &rect) const
{
    painter->fillRect(rect, Qt::gray);
}

} // namespace loopscope::ui
