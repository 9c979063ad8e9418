// DiagnosisView: the plain-language explanation of a run beside the charts ("the event
// loop was blocked for 1.0 s by time.sleep at line 14 inside async def ping ...").
// Line references are links that jump to the editor.
#pragma once

#include <QTextBrowser>

namespace loopscope::ui {

struct Finding {
    enum class Level { Info, Good, Warning, Problem };
    Level level = Level::Info;
    QString title;
    QString detail;
    int line = 0; // 1-based line the finding is about, 0 = none
};

class DiagnosisView : public QTextBrowser {
    Q_OBJECT
public:
    explicit DiagnosisView(QWidget *parent = nullptr);

    void setFindings(const QList<Finding> &findings, const QString &headline = {});
    const QList<Finding> &findings() const { return m_findings; }
    void showIdle(const QString &lessonSummary = {});

signals:
    void lineActivated(int line);

private:
    QList<Finding> m_findings;
};

} // namespace loopscope::ui
