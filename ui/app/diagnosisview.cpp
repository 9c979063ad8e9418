#include "diagnosisview.h"

namespace loopscope::ui {

DiagnosisView::DiagnosisView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setFrameShape(QFrame::NoFrame);
    document()->setDefaultStyleSheet(QStringLiteral(
        "body { color:#24292e; font-size:9pt; } h4 { margin:2px 0 6px 0; font-size:9pt; color:#24292e; }"
        ".item { margin: 0 0 6px 0; } .t { font-weight:600; } .d { color:#444d56; }"
        "a { color:#0366d6; text-decoration:none; }"));
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("line"))
            emit lineActivated(url.path().toInt());
    });
    showIdle();
}

void DiagnosisView::showIdle(const QString &lessonSummary)
{
    m_findings.clear();
    QString html;
    if (!lessonSummary.isEmpty())
        html += QStringLiteral("<p class='d'>%1</p>").arg(lessonSummary.toHtmlEscaped());
    html += QStringLiteral("<p class='d'>Run a burst (F5) to see what the event loop, the thread pool and "
                           "the connections did.</p>");
    setHtml(html);
}

void DiagnosisView::setFindings(const QList<Finding> &findings, const QString &headline)
{
    m_findings = findings;
    QString html = headline.isEmpty() ? QString() : QStringLiteral("<h4>%1</h4>").arg(headline.toHtmlEscaped());
    for (const Finding &f : findings) {
        QString color, badge;
        switch (f.level) {
        case Finding::Level::Info: color = QStringLiteral("#0366d6"); badge = QStringLiteral("●"); break;
        case Finding::Level::Good: color = QStringLiteral("#2e7d32"); badge = QStringLiteral("✔"); break;
        case Finding::Level::Warning: color = QStringLiteral("#b26a00"); badge = QStringLiteral("▲"); break;
        case Finding::Level::Problem: color = QStringLiteral("#c62828"); badge = QStringLiteral("■"); break;
        }
        QString detail = f.detail.toHtmlEscaped();
        if (f.line > 0)
            detail += QStringLiteral(" <a href='line:%1'>line %1 →</a>").arg(f.line);
        html += QStringLiteral("<div class='item'><span style='color:%1'>%2</span> <span class='t'>%3</span>"
                               "<br/><span class='d'>%4</span></div>")
                    .arg(color, badge, f.title.toHtmlEscaped(), detail);
    }
    setHtml(html);
}

} // namespace loopscope::ui
