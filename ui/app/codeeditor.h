// CodeEditor: the endpoint editor — QScintilla with the Python lexer, line numbers,
// current-line highlight, and error/warning marks shown three ways at once: a margin
// marker, a squiggle under the exact line:column span and an annotation with the
// message under the line. Also marks the lines that blocked the event loop.
#pragma once

#include <Qsci/qsciscintilla.h>

#include <QList>
#include <QString>

class QsciLexerPython;

namespace loopscope::ui {

// A message about a span of the source. Lines and columns are 1-based, the end is just
// past the last character (as in CPython and the engine's SourceError); endLine 0 means
// "to the end of the token at line:column".
struct SourceMark {
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    int line = 0;
    int column = 0;
    int endLine = 0;
    int endColumn = 0;
    QString message;
};

class CodeEditor : public QsciScintilla {
    Q_OBJECT
public:
    enum Marker { ErrorMarker = 0, WarningMarker = 1, BlockingMarker = 2, BlockingLineMarker = 3 };
    enum Indicator { ErrorIndicator = 8, WarningIndicator = 9 };

    explicit CodeEditor(QWidget *parent = nullptr);

    // Replaces every error and warning mark.
    void setMarks(const QList<SourceMark> &marks);
    void clearMarks();
    const QList<SourceMark> &marks() const { return m_marks; }

    // Lines (1-based) that blocked the event loop, with a short label each.
    void setBlockingLines(const QList<QPair<int, QString>> &lines);

    // Moves the cursor to line:column (1-based), scrolls it into view and focuses.
    void goToLine(int line, int column = 1);

    // Test and tooling helpers (1-based lines/columns).
    bool hasMarker(int line, Marker m) const;
    bool hasIndicatorAt(int line, int column, Indicator ind) const;
    QString annotationAt(int line) const;

    // Find and replace over the whole text. find() wraps around; replaceAll returns the count.
    bool find(const QString &text, bool forward, bool caseSensitive, bool wholeWord);
    bool replaceCurrent(const QString &replacement);
    int replaceAll(const QString &text, const QString &replacement, bool caseSensitive, bool wholeWord);

private:
    void defineMarkers();
    void applyTheme();
    int positionAt(int line, int column) const;

    QsciLexerPython *m_lexer = nullptr;
    QList<SourceMark> m_marks;
    QString m_lastFind;
};

} // namespace loopscope::ui
