// ConsoleView: the app's prints, warnings and the access log, coloured by request so that
// interleavings ("Hello 0, Hello 1, bye 0, ...") read at a glance. Appends in batches.
#pragma once

#include <QPlainTextEdit>

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

    void append(const QList<ConsoleLine> &lines);
    void appendLine(const ConsoleLine &line) { append({line}); }
    int lineCount() const { return m_count; }
    void clearAll();

    // A stable, readable colour per request id.
    static QColor requestColor(qint64 request);

private:
    int m_count = 0;
};

} // namespace loopscope::ui
