// Request timeline (Gantt): one row per request, a coloured bar per phase — not yet read,
// reading, queued for the loop, waiting for a thread token, running on the loop or on a
// thread, suspended at an await, finished but waiting for the loop, background work —
// a tick when the client received the response, and the loop's blocked spans shaded.
#pragma once

#include "sessionchart.h"

#include <cstddef>
#include <cstdint>

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
    // Appends the bars of one row (longest first, so running bars sit on top of the waits
    // that enclose them); true when the row will not change any more.
    bool appendRow(const trace::Session &s, std::size_t row);

    PhaseBars *m_bars = nullptr;
    // Rows [0, m_settledRows) are finished with every phase closed: their bars (the first
    // m_settledBars) are kept from frame to frame, only the rows after them are redone.
    std::size_t m_settledRows = 0;
    std::size_t m_settledBars = 0;
    std::int64_t m_lastSettledId = -1;
    std::size_t m_loopThreads = 0;
    std::size_t m_blockedCount = 0;
    std::size_t m_labelledRows = 0;
    int m_maxLabelledRows = 60;
};

} // namespace loopscope::ui
