// A QCPLegend that lays its entries out like words in a paragraph: left to right, a new
// line when the next entry would not fit the width it has. The width is the plot's (a
// legend below the axes) or the axis rect's (a legend inside it), so a narrow chart gets
// a taller legend instead of entries cut off at the edge, and a wide one a single line.
#pragma once

#include <qcustomplot.h>

#include <QHash>

namespace loopscope::ui {

class FlowLegend : public QCPLegend {
    Q_OBJECT
public:
    FlowLegend();

    // Width of the box the entries flow in, given the width the legend's layout offers.
    QSize sizeForWidth(int width) const;

    QSize minimumOuterSizeHint() const override;
    QSize maximumOuterSizeHint() const override;

protected:
    void updateLayout() override;

private:
    // The entries' rects, inner coordinates from (0, 0), for lines at most `width` wide.
    QList<QRect> flow(int width, QSize *used = nullptr) const;
    int availableWidth() const;
    // An entry's size, measured once per text and font (a layout asks several times per
    // replot, and measuring text means shaping it).
    QSize entrySize(QCPLayoutElement *el) const;

    struct Measured {
        QString text;
        QString font;
        QSize size;
    };
    mutable QHash<const QCPLayoutElement *, Measured> m_sizes;
};

// Replaces the plot's legend with a FlowLegend in the same place (entries already in the
// old legend are added to the new one). Returns it; does nothing if it already is one.
FlowLegend *installFlowLegend(QCustomPlot *plot);

} // namespace loopscope::ui
