// Legend entries that wrap to the width they have.
#include "flowlegend.h"

#include <algorithm>

namespace loopscope::ui {

FlowLegend::FlowLegend() = default;

QList<QRect> FlowLegend::flow(int width, QSize *used) const
{
    QList<QRect> rects;
    int x = 0, y = 0, lineHeight = 0, widest = 0;
    for (int i = 0; i < elementCount(); ++i) {
        QCPLayoutElement *el = elementAt(i);
        if (!el || !el->visible()) {
            rects.append(QRect());
            continue;
        }
        QSize s = entrySize(el);
        s.setWidth(std::min(s.width(), std::max(1, width)));
        if (x > 0 && x + s.width() > width) {
            x = 0;
            y += lineHeight + mRowSpacing;
            lineHeight = 0;
        }
        rects.append(QRect(QPoint(x, y), s));
        widest = std::max(widest, x + s.width());
        x += s.width() + mColumnSpacing;
        lineHeight = std::max(lineHeight, s.height());
    }
    if (used)
        *used = QSize(widest, rects.isEmpty() ? 0 : y + lineHeight);
    return rects;
}

QSize FlowLegend::entrySize(QCPLayoutElement *el) const
{
    auto *item = qobject_cast<QCPPlottableLegendItem *>(el);
    if (!item || !item->plottable())
        return getFinalMinimumOuterSize(el);
    const QString text = item->plottable()->name();
    const QString font = item->font().key() + QString::number(iconSize().width()) + QLatin1Char('x')
                         + QString::number(iconSize().height());
    Measured &m = m_sizes[el];
    if (m.size.isEmpty() || m.text != text || m.font != font)
        m = {text, font, getFinalMinimumOuterSize(el)};
    return m.size;
}

int FlowLegend::availableWidth() const
{
    // The cell (or inset) this legend goes into spans the width of its layout's rect.
    const QCPLayout *parent = layout();
    const int outer = parent ? parent->rect().width() : mOuterRect.width();
    return std::max(1, outer - mMargins.left() - mMargins.right());
}

QSize FlowLegend::sizeForWidth(int width) const
{
    QSize used;
    flow(std::max(1, width - mMargins.left() - mMargins.right()), &used);
    return used + QSize(mMargins.left() + mMargins.right(), mMargins.top() + mMargins.bottom());
}

QSize FlowLegend::minimumOuterSizeHint() const
{
    QSize used;
    flow(availableWidth(), &used);
    return used + QSize(mMargins.left() + mMargins.right(), mMargins.top() + mMargins.bottom());
}

QSize FlowLegend::maximumOuterSizeHint() const
{
    // As tall as its lines, never stretched.
    return QSize(QWIDGETSIZE_MAX, minimumOuterSizeHint().height());
}

void FlowLegend::updateLayout()
{
    QSize used;
    const QList<QRect> rects = flow(mRect.width(), &used);
    // Lines of entries centred in the box, the box's height taken from the top.
    int lineTop = -1, lineStart = 0;
    auto placeLine = [&](int end) {
        if (lineStart >= end)
            return;
        int right = 0;
        for (int k = lineStart; k < end; ++k)
            if (!rects[k].isNull())
                right = std::max(right, rects[k].right() + 1);
        const int shift = std::max(0, (mRect.width() - right) / 2);
        for (int k = lineStart; k < end; ++k) {
            if (QCPLayoutElement *el = elementAt(k); el && !rects[k].isNull())
                el->setOuterRect(rects[k].translated(mRect.topLeft() + QPoint(shift, 0)));
        }
    };
    for (int i = 0; i < rects.size(); ++i) {
        if (rects[i].isNull())
            continue;
        if (lineTop >= 0 && rects[i].top() != lineTop) {
            placeLine(i);
            lineStart = i;
        }
        lineTop = rects[i].top();
    }
    placeLine(int(rects.size()));
}

FlowLegend *installFlowLegend(QCustomPlot *plot)
{
    if (auto *flow = qobject_cast<FlowLegend *>(plot->legend))
        return flow;
    QCPLegend *old = plot->legend;
    auto *flow = new FlowLegend;
    QList<QCPAbstractPlottable *> entries;
    if (old) {
        for (int i = 0; i < plot->plottableCount(); ++i)
            if (old->hasItemWithPlottable(plot->plottable(i)))
                entries.append(plot->plottable(i));
        flow->setFont(old->font());
        flow->setVisible(old->visible());
        if (QCPLayout *where = old->layout())
            where->take(old);
        delete old;
    }
    plot->legend = flow;
    plot->axisRect()->insetLayout()->addElement(flow, Qt::AlignRight | Qt::AlignTop);
    for (QCPAbstractPlottable *p : entries)
        p->addToLegend(flow);
    return flow;
}

} // namespace loopscope::ui
