#include "codeeditor.h"

#include <Qsci/qscilexerpython.h>
#include <Qsci/qscistyle.h>

#include <QFontDatabase>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace loopscope::ui {

namespace {

const QColor kErrorColor(0xd3, 0x2f, 0x2f);
const QColor kWarningColor(0xe6, 0x8a, 0x00);
const QColor kBlockingColor(0x8e, 0x24, 0xaa);

QImage markerImage(const QColor &color, QChar glyph, bool triangle)
{
    QImage img(14, 14, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    if (triangle) {
        QPainterPath path;
        path.moveTo(7, 1);
        path.lineTo(13, 13);
        path.lineTo(1, 13);
        path.closeSubpath();
        p.drawPath(path);
    } else {
        p.drawEllipse(QRectF(1, 1, 12, 12));
    }
    QFont f = p.font();
    f.setPixelSize(10);
    f.setBold(true);
    p.setFont(f);
    p.setPen(Qt::white);
    p.drawText(QRect(0, triangle ? 2 : 0, 14, 14), Qt::AlignCenter, QString(glyph));
    return img;
}

} // namespace

CodeEditor::CodeEditor(QWidget *parent)
    : QsciScintilla(parent)
{
    setUtf8(true);
    m_lexer = new QsciLexerPython(this);
    m_lexer->setIndentationWarning(QsciLexerPython::Inconsistent);
    m_lexer->setHighlightSubidentifiers(false);
    setLexer(m_lexer);
    applyTheme();

    setIndentationsUseTabs(false);
    setIndentationWidth(4);
    setTabWidth(4);
    setAutoIndent(true);
    setIndentationGuides(true);
    setBackspaceUnindents(true);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setCaretLineVisible(true);
    setEdgeMode(QsciScintilla::EdgeLine);
    setEdgeColumn(100);
    setEdgeColor(QColor(0xee, 0xee, 0xee));
    setEolMode(QsciScintilla::EolUnix);
    setWrapMode(QsciScintilla::WrapNone);
    setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
    setFolding(QsciScintilla::BoxedTreeFoldStyle, 3);
    setFoldMarginColors(QColor(0xf6, 0xf7, 0xf9), QColor(0xf6, 0xf7, 0xf9));

    // Margin 0: line numbers; margin 1: error/warning/blocking symbols; 3: folding.
    setMarginType(0, QsciScintilla::NumberMargin);
    setMarginWidth(0, QStringLiteral("00000"));
    setMarginType(1, QsciScintilla::SymbolMargin);
    setMarginWidth(1, 18);
    setMarginSensitivity(1, true);
    setMarginsBackgroundColor(QColor(0xf6, 0xf7, 0xf9));
    setMarginsForegroundColor(QColor(0x90, 0x96, 0xa0));
    defineMarkers();

    indicatorDefine(QsciScintilla::SquiggleLowIndicator, ErrorIndicator);
    setIndicatorForegroundColor(kErrorColor, ErrorIndicator);
    indicatorDefine(QsciScintilla::SquiggleLowIndicator, WarningIndicator);
    setIndicatorForegroundColor(kWarningColor, WarningIndicator);
}

void CodeEditor::applyTheme()
{
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSize(10);
    m_lexer->setDefaultFont(mono);
    m_lexer->setFont(mono);
    QFont bold = mono;
    bold.setBold(true);
    m_lexer->setFont(bold, QsciLexerPython::Keyword);
    m_lexer->setFont(bold, QsciLexerPython::ClassName);
    m_lexer->setFont(bold, QsciLexerPython::FunctionMethodName);
    QFont italic = mono;
    italic.setItalic(true);
    m_lexer->setFont(italic, QsciLexerPython::Comment);
    m_lexer->setFont(italic, QsciLexerPython::CommentBlock);

    m_lexer->setPaper(Qt::white);
    m_lexer->setDefaultPaper(Qt::white);
    m_lexer->setColor(QColor(0x24, 0x29, 0x2e), QsciLexerPython::Default);
    m_lexer->setColor(QColor(0x24, 0x29, 0x2e), QsciLexerPython::Identifier);
    m_lexer->setColor(QColor(0x6a, 0x73, 0x7d), QsciLexerPython::Comment);
    m_lexer->setColor(QColor(0x6a, 0x73, 0x7d), QsciLexerPython::CommentBlock);
    m_lexer->setColor(QColor(0xd7, 0x3a, 0x49), QsciLexerPython::Keyword);
    m_lexer->setColor(QColor(0x00, 0x5c, 0xc5), QsciLexerPython::Number);
    for (int s : {int(QsciLexerPython::SingleQuotedString), int(QsciLexerPython::DoubleQuotedString),
                  int(QsciLexerPython::TripleSingleQuotedString), int(QsciLexerPython::TripleDoubleQuotedString),
                  int(QsciLexerPython::SingleQuotedFString), int(QsciLexerPython::DoubleQuotedFString),
                  int(QsciLexerPython::TripleSingleQuotedFString), int(QsciLexerPython::TripleDoubleQuotedFString)})
        m_lexer->setColor(QColor(0x03, 0x2f, 0x62), s);
    m_lexer->setColor(QColor(0x6f, 0x42, 0xc1), QsciLexerPython::FunctionMethodName);
    m_lexer->setColor(QColor(0x6f, 0x42, 0xc1), QsciLexerPython::ClassName);
    m_lexer->setColor(QColor(0xe3, 0x62, 0x09), QsciLexerPython::Decorator);
    m_lexer->setColor(QColor(0x24, 0x29, 0x2e), QsciLexerPython::Operator);

    setCaretLineBackgroundColor(QColor(0xf1, 0xf5, 0xfb));
    setCaretForegroundColor(QColor(0x24, 0x29, 0x2e));
    setSelectionBackgroundColor(QColor(0xc8, 0xe1, 0xff));
    setMatchedBraceBackgroundColor(QColor(0xdd, 0xf4, 0xdd));
    QFont marginFont = mono;
    marginFont.setPointSize(9);
    setMarginsFont(marginFont);
}

void CodeEditor::defineMarkers()
{
    markerDefine(markerImage(kErrorColor, QLatin1Char('!'), false), ErrorMarker);
    markerDefine(markerImage(kWarningColor, QLatin1Char('!'), true), WarningMarker);
    markerDefine(markerImage(kBlockingColor, QChar(0x23f8), false), BlockingMarker);
    markerDefine(QsciScintilla::Background, BlockingLineMarker);
    setMarkerBackgroundColor(QColor(0xf3, 0xe5, 0xf5), BlockingLineMarker);
}

int CodeEditor::positionAt(int line, int column) const
{
    const int l = std::clamp(line - 1, 0, std::max(0, lines() - 1));
    const int len = text(l).length();
    const int c = std::clamp(column - 1, 0, std::max(0, len));
    return positionFromLineIndex(l, c);
}

void CodeEditor::clearMarks()
{
    m_marks.clear();
    markerDeleteAll(ErrorMarker);
    markerDeleteAll(WarningMarker);
    clearAnnotations();
    const int end = length();
    SendScintilla(SCI_SETINDICATORCURRENT, int(ErrorIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, 0, end);
    SendScintilla(SCI_SETINDICATORCURRENT, int(WarningIndicator));
    SendScintilla(SCI_INDICATORCLEARRANGE, 0, end);
}

void CodeEditor::setMarks(const QList<SourceMark> &marks)
{
    clearMarks();
    m_marks = marks;
    if (lines() == 0)
        return;
    // Several messages on one line share one annotation, errors first.
    QMap<int, QStringList> notes;
    QMap<int, bool> lineHasError;
    QList<SourceMark> ordered = marks;
    std::stable_sort(ordered.begin(), ordered.end(), [](const SourceMark &a, const SourceMark &b) {
        return int(a.severity) < int(b.severity);
    });
    for (const SourceMark &m : ordered) {
        const bool err = m.severity == SourceMark::Severity::Error;
        const int line0 = std::clamp(m.line - 1, 0, lines() - 1);
        markerAdd(line0, err ? ErrorMarker : WarningMarker);

        const int start = positionAt(m.line, std::max(1, m.column));
        int end;
        if (m.endLine > 0 && (m.endLine > m.line || m.endColumn > m.column)) {
            end = positionAt(m.endLine, m.endColumn);
        } else {
            // No end given: underline the word at the column, or the rest of the line.
            end = int(SendScintilla(SCI_WORDENDPOSITION, start, true));
            if (end <= start)
                end = int(SendScintilla(SCI_GETLINEENDPOSITION, line0));
        }
        if (end <= start)
            end = std::min(length(), start + 1);
        SendScintilla(SCI_SETINDICATORCURRENT, int(err ? ErrorIndicator : WarningIndicator));
        SendScintilla(SCI_INDICATORFILLRANGE, start, end - start);

        QString msg = m.message.trimmed();
        if (m.column > 0)
            msg = QStringLiteral("%1:%2  %3").arg(m.line).arg(m.column).arg(msg);
        notes[line0].append(msg);
        lineHasError[line0] = lineHasError.value(line0) || err;
    }
    QsciStyle errStyle(-1, QStringLiteral("error annotation"), QColor(0x9b, 0x1c, 0x1c), QColor(0xfd, 0xec, 0xec),
                       font());
    QsciStyle warnStyle(-1, QStringLiteral("warning annotation"), QColor(0x7a, 0x4a, 0x00), QColor(0xff, 0xf6, 0xe0),
                        font());
    for (auto it = notes.cbegin(); it != notes.cend(); ++it)
        annotate(it.key(), it.value().join(QLatin1Char('\n')), lineHasError.value(it.key()) ? errStyle : warnStyle);
}

void CodeEditor::setBlockingLines(const QList<QPair<int, QString>> &blockLines)
{
    markerDeleteAll(BlockingMarker);
    markerDeleteAll(BlockingLineMarker);
    for (const auto &bl : blockLines) {
        if (bl.first < 1 || bl.first > lines())
            continue;
        markerAdd(bl.first - 1, BlockingMarker);
        markerAdd(bl.first - 1, BlockingLineMarker);
    }
}

void CodeEditor::goToLine(int line, int column)
{
    const int l = std::clamp(line - 1, 0, std::max(0, lines() - 1));
    setCursorPosition(l, std::max(0, column - 1));
    ensureLineVisible(l);
    // Keep some context above the line.
    const int first = std::max(0, l - 5);
    setFirstVisibleLine(first);
    setFocus(Qt::OtherFocusReason);
}

bool CodeEditor::hasMarker(int line, Marker m) const
{
    if (line < 1 || line > lines())
        return false;
    return (const_cast<CodeEditor *>(this)->markersAtLine(line - 1) & (1u << unsigned(m))) != 0;
}

bool CodeEditor::hasIndicatorAt(int line, int column, Indicator ind) const
{
    const int pos = positionAt(line, column);
    return SendScintilla(SCI_INDICATORVALUEAT, int(ind), pos) != 0;
}

QString CodeEditor::annotationAt(int line) const
{
    if (line < 1 || line > lines())
        return {};
    return annotation(line - 1);
}

bool CodeEditor::find(const QString &text, bool forward, bool caseSensitive, bool wholeWord)
{
    if (text.isEmpty())
        return false;
    int line = 0, index = 0;
    getCursorPosition(&line, &index);
    if (!forward && hasSelectedText()) {
        int l1, i1, l2, i2;
        getSelection(&l1, &i1, &l2, &i2);
        line = l1;
        index = i1;
    }
    m_lastFind = text;
    return findFirst(text, false, caseSensitive, wholeWord, true, forward, line, index, true);
}

bool CodeEditor::replaceCurrent(const QString &replacement)
{
    if (!hasSelectedText())
        return false;
    replaceSelectedText(replacement);
    return true;
}

int CodeEditor::replaceAll(const QString &text, const QString &replacement, bool caseSensitive, bool wholeWord)
{
    if (text.isEmpty())
        return 0;
    int count = 0;
    beginUndoAction();
    bool found = findFirst(text, false, caseSensitive, wholeWord, false, true, 0, 0, false);
    while (found) {
        replace(replacement);
        ++count;
        found = findNext();
    }
    endUndoAction();
    return count;
}

} // namespace loopscope::ui
