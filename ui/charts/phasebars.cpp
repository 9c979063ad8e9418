// Gantt bars plottable.
#include "phasebars.h"

#include <algorithm>

namespace loopscope::ui {

PhaseBars::PhaseBars(QCPAxis *keyAxis, QCPAxis *valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis)
{
    setSelectable(QCP::stNone);
}

void PhaseBars::setBars(std::vector<Bar> bars)
{
    m_bars = std::move(bars);
    m_minKey = m_minRow = 0;
    m_maxKey = m_maxRow = 0;
    bool first = true;
    for (const Bar &b : m_bars) {
        if (first) {
            m_minKey = b.start;
            m_maxKey = b.end;
            m_minRow = m_maxRow = b.row;
            first = false;
            continue;
        }
        m_minKey = std::min(m_minKey, b.start);
        m_maxKey = std::max(m_maxKey, b.end);
        m_minRow = std::min(m_minRow, b.row);
        m_maxRow = std::max(m_maxRow, b.row);
    }
}

double PhaseBars::selectTest(const QPointF &, bool, QVariant *) const
{
    return -1;
}

QCPRange PhaseBars::getKeyRange(bool &foundRange, QCP::SignDomain) const
{
    foundRange = !m_bars.empty();
    return QCPRange(m_minKey, m_maxKey);
}

QCPRange PhaseBars::getValueRange(bool &foundRange, QCP::SignDomain, const QCPRange &) const
{
    foundRange = !m_bars.empty();
    return QCPRange(m_minRow - 0.5, m_maxRow + 0.5);
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
    const double half = m_barHeight / 2;
    for (const Bar &b : m_bars) {
        if (b.end < keys.lower || b.start > keys.upper || b.row < rows.lower - 1
            || b.row > rows.upper + 1)
            continue;
        const double x1 = keyAxis->coordToPixel(b.start);
        double x2 = keyAxis->coordToPixel(b.end);
        const QColor color = QColor::fromRgba(b.color);
        switch (b.shape) {
        case Shape::Bar: {
            if (x2 - x1 < 1)
                x2 = x1 + 1; // always visible
            const double y1 = valueAxis->coordToPixel(b.row - half);
            const double y2 = valueAxis->coordToPixel(b.row + half);
            painter->fillRect(QRectF(QPointF(x1, std::min(y1, y2)),
                                     QPointF(x2, std::max(y1, y2))),
                              color);
            break;
        }
        case Shape::Thin: {
            const double y1 = valueAxis->coordToPixel(b.row - half / 4);
            const double y2 = valueAxis->coordToPixel(b.row + half / 4);
            painter->fillRect(QRectF(QPointF(x1, std::min(y1, y2)),
                                     QPointF(std::max(x2, x1 + 1), std::max(y1, y2))),
                              color);
            break;
        }
        case Shape::Tick: {
            const double y1 = valueAxis->coordToPixel(b.row - half * 1.2);
            const double y2 = valueAxis->coordToPixel(b.row + half * 1.2);
            painter->fillRect(QRectF(QPointF(x1 - 1, std::min(y1, y2)),
                                     QPointF(x1 + 1, std::max(y1, y2))),
                              color);
            break;
        }
        }
    }
}

void PhaseBars::drawLegendIcon(QCPPainter *painter, const QRectF &rect) const
{
    painter->fillRect(rect, Qt::gray);
}

} // namespace loopscope::ui
