#include "consoleview.h"

#include <QFontDatabase>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

#include <algorithm>

namespace loopscope::ui {

ConsoleView::ConsoleView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setUndoRedoEnabled(false);
    // Old lines are dropped by trim(), a chunk at a time.
    setMaximumBlockCount(0);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSize(9);
    setFont(mono);
    setPlaceholderText(tr("Prints, warnings and the access log appear here while a burst runs."));
    // Flat scroll bars in opaque colours: a flood moves them every frame, and the style's
    // shaded, translucent ones are filled by Qt's paint threads, which the GUI thread then
    // waits for (milliseconds when a burst keeps both cores busy).
    setStyleSheet(QStringLiteral(
        "QScrollBar:vertical { background: #f1f2f4; width: 11px; margin: 0; border: none; }"
        "QScrollBar:horizontal { background: #f1f2f4; height: 11px; margin: 0; border: none; }"
        "QScrollBar::handle:vertical { background: #c3c7cd; min-height: 24px; }"
        "QScrollBar::handle:horizontal { background: #c3c7cd; min-width: 24px; }"
        "QScrollBar::handle:hover { background: #a5abb3; }"
        "QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: none; background: none; }"
        "QScrollBar::add-page, QScrollBar::sub-page { background: none; }"));
    // One budget's worth per frame: the console may lag behind a flood, the window does not.
    m_drain.setInterval(16);
    connect(&m_drain, &QTimer::timeout, this, [this] { insert(budgetLeft()); });
}

QColor ConsoleView::requestColor(qint64 request)
{
    if (request < 0)
        return QColor(0x45, 0x4d, 0x57);
    // Golden-ratio hue steps keep neighbouring requests apart.
    const double hue = std::fmod(0.07 + double(request) * 0.618033988749895, 1.0);
    return QColor::fromHsvF(float(hue), 0.75f, 0.62f);
}

void ConsoleView::clearAll()
{
    clear();
    m_count = 0;
    m_pending.clear();
    m_skipped = 0;
    m_drain.stop();
}

void ConsoleView::append(const QList<ConsoleLine> &lines)
{
    if (lines.isEmpty())
        return;
    m_pending.append(lines);
    // Lines the console would drop as soon as they were shown are not worth laying out.
    if (m_pending.size() > kMaxLines) {
        const qsizetype drop = m_pending.size() - kMaxLines;
        m_pending.remove(0, drop);
        m_skipped += drop;
    }
    // While lines keep coming, they are laid out once per frame (the drain's tick) rather
    // than batch by batch: each insertion lays the document out and repaints the view.
    if (m_drain.isActive())
        return;
    insert(budgetLeft());
}

double ConsoleView::budgetLeft()
{
    // The budget is per frame (16 ms), however many batches arrive in it.
    if (!m_frameClock.isValid() || m_frameClock.elapsed() >= 16) {
        m_frameClock.start();
        m_spentMs = 0;
    }
    // Overspent is nothing left, not a negative budget (which would mean "everything").
    return std::max(0.0, m_budgetMs - m_spentMs);
}

void ConsoleView::flush()
{
    insert(-1);
}

void ConsoleView::insert(double budgetMs)
{
    if (m_pending.isEmpty() && !m_skipped) {
        m_drain.stop();
        return;
    }
    if (budgetMs >= 0 && budgetMs < 0.5) {
        // This frame's share is spent: the rest waits for the next one.
        if (!m_drain.isActive())
            m_drain.start();
        return;
    }
    QElapsedTimer clock;
    clock.start();
    QScrollBar *sb = verticalScrollBar();
    const bool atEnd = sb->value() >= sb->maximum() - 2;
    QTextCursor c(document());
    c.movePosition(QTextCursor::End);
    c.beginEditBlock();
    if (m_skipped) {
        insertLine(c, {ConsoleLine::Kind::Log, -1, -1, {},
                       tr("… %n line(s) skipped: the console keeps the last %1", nullptr, int(m_skipped))
                           .arg(kMaxLines)});
        m_skipped = 0;
    }
    // As many lines as the budget allows at the cost per line seen so far (the layout at
    // the end of the edit and the trimming of old lines included).
    const qsizetype most = budgetMs < 0 ? m_pending.size()
                                        : std::max<qsizetype>(16, qsizetype(budgetMs / std::max(m_lineCostMs, 0.001)));
    const qsizetype n = std::min(most, m_pending.size());
    for (qsizetype i = 0; i < n; ++i)
        insertLine(c, m_pending.at(i));
    c.endEditBlock();
    m_pending.remove(0, n);
    trim();
    if (atEnd)
        sb->setValue(sb->maximum());
    const double took = double(clock.nsecsElapsed()) / 1e6;
    if (budgetMs >= 0)
        m_spentMs += took;
    if (n >= 16)
        m_lineCostMs = 0.7 * m_lineCostMs + 0.3 * (took / double(n));
    // The drain runs on after an insertion, for one more tick at least: the next batch
    // waits for it instead of being laid out in the same frame.
    if (!m_drain.isActive())
        m_drain.start();
}

void ConsoleView::trim()
{
    // QPlainTextEdit's own limit drops one block at a time, walking a cursor over each (and
    // laying it out); dropping a few thousand at once, by position, costs far less.
    QTextDocument *doc = document();
    if (doc->blockCount() <= kMaxLines + kTrimChunk)
        return;
    const QTextBlock keep = doc->findBlockByNumber(doc->blockCount() - kMaxLines);
    QTextCursor c(doc);
    c.setPosition(0);
    c.setPosition(keep.position(), QTextCursor::KeepAnchor);
    c.removeSelectedText();
}

void ConsoleView::insertLine(QTextCursor &c, const ConsoleLine &l)
{
    if (!document()->isEmpty() || m_count > 0)
        c.insertBlock();
    if (l.t >= 0) {
        QTextCharFormat timeFmt;
        timeFmt.setForeground(QColor(0x90, 0x96, 0xa0));
        c.insertText(QStringLiteral("%1  ").arg(l.t, 8, 'f', 3), timeFmt);
    }
    QTextCharFormat tag;
    QTextCharFormat body;
    QString prefix;
    switch (l.kind) {
    case ConsoleLine::Kind::Print:
        prefix = l.request >= 0 ? QStringLiteral("[req %1] ").arg(l.request, 3) : QStringLiteral("[app]     ");
        tag.setForeground(requestColor(l.request));
        tag.setFontWeight(QFont::Bold);
        body.setForeground(requestColor(l.request));
        break;
    case ConsoleLine::Kind::Stderr:
        prefix = QStringLiteral("[stderr]  ");
        tag.setForeground(QColor(0xc6, 0x28, 0x28));
        body.setForeground(QColor(0xc6, 0x28, 0x28));
        break;
    case ConsoleLine::Kind::Warning:
        prefix = QStringLiteral("[warning] ");
        tag.setForeground(QColor(0xb2, 0x6a, 0x00));
        tag.setFontWeight(QFont::Bold);
        body.setForeground(QColor(0x8a, 0x52, 0x00));
        break;
    case ConsoleLine::Kind::Log:
        prefix = QStringLiteral("[log]     ");
        tag.setForeground(QColor(0x90, 0x96, 0xa0));
        body.setForeground(QColor(0x5f, 0x66, 0x70));
        break;
    }
    c.insertText(prefix, tag);
    c.insertText(l.text, body);
    ++m_count;
}

} // namespace loopscope::ui
