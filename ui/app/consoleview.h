// ConsoleView: the app's prints, warnings and the access log, coloured by request so that
// interleavings ("Hello 0, Hello 1, bye 0, ...") read at a glance. Appends in batches, a
// few milliseconds of them per frame: a 40,000-request burst logs 40,000 access lines, and
// laying them all out at once would freeze the window. The rest follows frame by frame;
// lines the console could not keep anyway are skipped and counted.
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QPlainTextEdit>
#include <QTimer>

namespace loopscope::ui {

struct ConsoleLine {
    enum class Kind { Print, Stderr, Warning, Log };
    Kind kind = Kind::Print;
    double t = -1;          // seconds from the burst start, < 0 when unknown
    qint64 request = -1;    // -1 = no request
    QString thread;
    QString text;
};

class ConsoleView : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ConsoleView(QWidget *parent = nullptr);

    // Shows the lines at once when they fit in the time budget, else queues the rest.
    void append(const QList<ConsoleLine> &lines);
    void appendLine(const ConsoleLine &line) { append({line}); }
    // Lines shown so far (not counting those still queued).
    int lineCount() const { return m_count; }
    int pendingCount() const { return int(m_pending.size()); }
    // Shows everything queued now, whatever it costs (tests, exports).
    void flush();
    void clearAll();

    // Milliseconds of appending per frame (default 2).
    void setBudget(double ms) { m_budgetMs = ms; }
    // Lines the console keeps (older ones are dropped).
    static constexpr int kMaxLines = 20000;
    static constexpr int kTrimChunk = 500;

    // A stable, readable colour per request id.
    static QColor requestColor(qint64 request);

private:
    void insert(double budgetMs);
    void insertLine(QTextCursor &c, const ConsoleLine &l);
    void trim();
    double budgetLeft();

    int m_count = 0;
    QList<ConsoleLine> m_pending;
    qsizetype m_skipped = 0; // queued lines dropped since the last one shown
    double m_budgetMs = 2.0;
    double m_lineCostMs = 0.03; // measured: insertion, layout and trimming per line
    QElapsedTimer m_frameClock;  // the current 16 ms frame
    double m_spentMs = 0;        // appending done in it
    QTimer m_drain;
};

} // namespace loopscope::ui
