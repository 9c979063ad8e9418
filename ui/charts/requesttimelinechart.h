// Request timeline (Gantt): one row per request, a coloured bar per phase — not yet read,
// reading, queued for the loop, waiting for a thread token, running on the loop or on a
// thread, suspended at an await, finished but waiting for the loop, background work —
// a tick when the client received the response, and the loop's blocked spans shaded.
#pragma once

#include "sessionchart.h"

#include <cstddef>

namespace loopscope::ui {

class PhaseBars;

class RequestTimelineChart : public SessionChart {
public:
    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override { return QStringLiteral("Request timeline"); }
    QString fileName() const override { return QStringLiteral("request_timeline"); }

    // Rows up to this count get a "#id path" label each; beyond, the axis shows numbers.
    void setMaxLabelledRows(int n) { m_maxLabelledRows = n; }
    // Pixel height a renderer should give the plot for `rows` requests.
    static int preferredHeight(std::size_t rows);

private:
    PhaseBars *m_bars = nullptr;
    std::size_t m_blockedCount = 0;
    std::size_t m_labelledRows = 0;
    int m_maxLabelledRows = 60;
};

} // namespace loopscope::ui
