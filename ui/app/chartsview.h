// ChartsView: the live charts of a run — loop lag with the blocked spans shaded and
// labelled (click one to jump to its line), thread-pool occupancy and waiting, requests
// in flight and latency, the request timeline (one row per request, coloured by phase,
// zoom/pan, details on hover), and the response order (sent vs completed). A previous
// run can be overlaid in a lighter colour for comparison. update() is called once per
// frame with the current session and queues one replot per plot.
#pragma once

#include <QWidget>

#include <memory>

class QCustomPlot;
class QTabWidget;
class QLabel;

namespace loopscope::trace {
struct Session;
}

namespace loopscope::ui {

class ChartsView : public QWidget {
    Q_OBJECT
public:
    explicit ChartsView(QWidget *parent = nullptr);
    ~ChartsView() override;

    // Brings the charts up to date with the session as it grows (a live run) and queues one
    // replot each. Only the charts on screen are updated (hidden tabs catch up when shown:
    // refreshRequested()); all = true draws every chart from scratch (before exports).
    void updateSession(const trace::Session &session, bool all = false);
    // Another session takes the place of the one shown (the finished run after the live
    // one, a reopened file): the charts start over, the ones on screen are drawn now and
    // the others when their tab is shown, so the switch costs one tab's drawing.
    void replaceSession(const trace::Session &session);
    // Overlay of a previous run (nullptr: none). The session is copied.
    void setComparison(const trace::Session *previous, const QString &label = {});
    bool hasComparison() const;
    void clear();

    // Writes every chart of the current session into dir as `format` ("png", "svg" or
    // "pdf"): loop_lag, pool, request_timeline, response_order, latency_histogram (the
    // charts library's renderer) and in_flight. Returns the files written; empty with
    // *error on failure.
    QStringList exportCharts(const QString &dir, const QString &format, QString *error = nullptr);

    // Test helpers: number of data points shown.
    int lagPoints() const;
    int timelineRows() const;
    int blockedSpansShown() const;
    // Steps blocking the loop right now (live), as labelled on the loop chart.
    QStringList liveBlockedLabels() const;

    QCustomPlot *lagPlot() const { return m_lag; }
    QCustomPlot *poolPlot() const { return m_pool; }
    QCustomPlot *inflightPlot() const { return m_inflight; }
    QCustomPlot *timelinePlot() const { return m_timeline; }
    QCustomPlot *orderPlot() const { return m_order; }
    QCustomPlot *latencyPlot() const { return m_latency; }

signals:
    // A hidden tab became visible: call updateSession() again with the current session.
    void refreshRequested();
    // A blocked span was clicked: the line (1-based) that blocked the loop, and "file:line".
    void blockedSpanClicked(int line, const QString &where);

private:
    struct Data;
    void fillInflight(const trace::Session &s);
    void restartInflight();
    void fillRows(const trace::Session &s);
    void restart();
    void addOverlays();
    void onLagClicked(QMouseEvent *e);
    void onTimelineHover(QMouseEvent *e);

    QTabWidget *m_tabs;
    QCustomPlot *m_lag;
    QCustomPlot *m_pool;
    QCustomPlot *m_inflight;
    QCustomPlot *m_timeline;
    QCustomPlot *m_order;
    QCustomPlot *m_latency;
    QLabel *m_legend;
    std::unique_ptr<Data> d;
};

} // namespace loopscope::ui
