// Thread pool occupancy: busy and waiting over time (step lines) with the pool's limit.
#pragma once

#include "sessionchart.h"

#include <cstddef>
#include <string>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;

namespace loopscope::ui {

class PoolChart : public SessionChart {
public:
    // Empty name: the main limiter (the one `def` endpoints use).
    explicit PoolChart(std::string poolName = {}) : m_poolName(std::move(poolName)) {}

    void attach(QCustomPlot *plot) override;
    void update(const trace::Session &session) override;
    void reset() override;
    QString title() const override;
    QString fileName() const override;

private:
    const trace::PoolModel *findPool(const trace::Session &session) const;

    std::string m_poolName;
    std::string m_shownName;
    QCPGraph *m_busy = nullptr;
    QCPGraph *m_waiting = nullptr;
    QCPGraph *m_busyArea = nullptr, *m_waitingArea = nullptr, *m_bothArea = nullptr; // opaque fills
    QCPItemStraightLine *m_limit = nullptr;
    QCPItemText *m_limitLabel = nullptr;
    std::size_t m_count = 0;
    bool m_hasTail = false;
    double m_tailKey = 0;
    int m_maxValue = 0;
};

} // namespace loopscope::ui
