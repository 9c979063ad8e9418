// A QCustomPlot plottable that draws many coloured horizontal bars (one row per request)
// in one pass: the request timeline's Gantt bars. Far cheaper than one item per bar.
#pragma once

#include <qcustomplot.h>

#include <vector>

namespace loopscope::ui {

class PhaseBars : public QCPAbstractPlottable {
    Q_OBJECT
public:
    enum class Shape : quint8 {
        Bar,  // full-height bar
        Thin, // a thin bar in the middle of the row (not yet on the server)
        Tick  // a short vertical mark (response received)
    };
    struct Bar {
        double row = 0;
        double start = 0;
        double end = 0;
        QRgb color = 0;
        Shape shape = Shape::Bar;
    };

    PhaseBars(QCPAxis *keyAxis, QCPAxis *valueAxis);

    void setBars(std::vector<Bar> bars) { m_bars = std::move(bars); }
    const std::vector<Bar> &bars() const { return m_bars; }
    // For charts that keep the bars of finished rows and redo only the rest each frame.
    std::vector<Bar> &editBars() { return m_bars; }
    // Fraction of a row's height a full bar takes.
    void setBarHeight(double fraction) { m_barHeight = fraction; }

    double selectTest(const QPointF &pos, bool onlySelectable,
                      QVariant *details = nullptr) const override;
    QCPRange getKeyRange(bool &foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool &foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange &inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter *painter) override;
    void drawLegendIcon(QCPPainter *painter, const QRectF &rect) const override;

private:
    std::vector<Bar> m_bars;
    double m_barHeight = 0.7;
    QImage m_image; // the bars of the last on-screen draw, reused from one replot to the next
};

} // namespace loopscope::ui
