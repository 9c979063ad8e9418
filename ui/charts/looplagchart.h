// Event loop lag over time (line), loop utilisation (step, right axis) and the spans where
// the loop was blocked, shaded and labelled with the blocking call and line.
#pragma once

#include "sessionchart.h"

#include <QColor>
#include <QStringList>

#include <cstddef>
#include <vector>

class QCPGraph;
class QCPItemRect;
class QPen;
class QCPItemText;

namespace loopscope::ui {

class LoopLagChart : public SessionChart {
public:
    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override { return QStringLiteral("Event loop lag"); }
    QString fileName() const override { return QStringLiteral("loop_lag"); }

    // Spans shorter than this are shaded but not labelled (labels would overlap).
    void setMaxLabels(int n) { m_maxLabels = n; }
    // Steps blocking the loop right now (a live session's loop.blocking), as drawn.
    int liveBlockedShown() const { return int(m_live.size()); }
    QString liveBlockedText(int i) const;

private:
    // Each span's label in a long and shorter forms; the longest that fits between the
    // span's start and the plot's right edge is shown (worked out after each layout).
    struct Label {
        QCPItemText *item = nullptr;
        QStringList texts; // longest first
        double start = 0, end = 0;
    };
    void fitLabels();
    void drawLive(const trace::Session &session);
    QCPItemRect *newSpanRect(const QPen &edge); // a span's shading, plot x by y ratio
    static QString blockedWhat(const trace::BlockedSpan &b, const QString &otherwise);
    struct Live {
        QCPItemRect *rect = nullptr;
        QCPItemText *label = nullptr;
    };

    QCPGraph *m_lag = nullptr;
    QCPGraph *m_utilisation = nullptr;
    QColor m_busyFill; // the loop-busy area's opaque colour
    std::size_t m_lagCount = 0;
    std::size_t m_blockedCount = 0;
    double m_maxLag = 0;
    int m_maxLabels = 12;
    int m_labels = 0;
    std::vector<Label> m_labelTexts;
    std::vector<Live> m_live; // redrawn each update: their end is "now"
};

} // namespace loopscope::ui
