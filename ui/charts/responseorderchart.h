// Response order: for each request (x = id, the order of sending), when it was sent and
// when it completed (left axis, seconds), and its completion rank (right axis). In-order
// service shows as a staircase; concurrency as a flat band; overtaking as scattered ranks.
#pragma once

#include "sessionchart.h"

class QCPGraph;

namespace loopscope::ui {

class ResponseOrderChart : public SessionChart {
public:
    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override { return QStringLiteral("Response order"); }
    QString fileName() const override { return QStringLiteral("response_order"); }

private:
    QCPGraph *m_sent = nullptr;
    QCPGraph *m_done = nullptr;
    QCPGraph *m_rank = nullptr;
};

} // namespace loopscope::ui
