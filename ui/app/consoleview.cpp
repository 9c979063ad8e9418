#include "consoleview.h"

#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

namespace loopscope::ui {

ConsoleView::ConsoleView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setUndoRedoEnabled(false);
    setMaximumBlockCount(20000);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSize(9);
    setFont(mono);
    setPlaceholderText(tr("Prints, warnings and the access log appear here while a burst runs."));
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
}

void ConsoleView::append(const QList<ConsoleLine> &lines)
{
    if (lines.isEmpty())
        return;
    QScrollBar *sb = verticalScrollBar();
    const bool atEnd = sb->value() >= sb->maximum() - 2;
    QTextCursor c(document());
    c.movePosition(QTextCursor::End);
    c.beginEditBlock();
    QTextCharFormat timeFmt;
    timeFmt.setForeground(QColor(0x90, 0x96, 0xa0));
    for (const ConsoleLine &l : lines) {
        if (!document()->isEmpty() || m_count > 0)
            c.insertBlock();
        if (l.t >= 0)
            c.insertText(QStringLiteral("%1  ").arg(l.t, 8, 'f', 3), timeFmt);
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
    c.endEditBlock();
    if (atEnd)
        sb->setValue(sb->maximum());
}

} // namespace loopscope::ui
