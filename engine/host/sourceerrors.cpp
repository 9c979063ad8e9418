// SourceError from the language's errors.
#include "sourceerrors.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"

#include <QRegularExpression>

namespace loopscope::host {

SourceError sourceErrorFromCompile(const lang::CompileError &e)
{
    SourceError s;
    s.message = QString::fromStdString(e.type + ": " + e.message);
    s.line = e.line;
    s.column = e.column;
    s.endLine = e.endLine > 0 ? e.endLine : e.line;
    s.endColumn = e.endColumn > 0 ? e.endColumn : e.column + 1;
    s.traceback = QString::fromStdString(e.formatted);
    if (s.traceback.isEmpty())
        s.traceback = QStringLiteral("  File \"%1\", line %2\n%3\n").arg(QString::fromStdString(e.filename)).arg(e.line).arg(s.message);
    return s;
}

SourceError sourceErrorFromTraceback(const QString &traceback, const QString &fileName)
{
    SourceError s;
    s.traceback = traceback;
    const QStringList lines = traceback.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    s.message = lines.isEmpty() ? QStringLiteral("error") : lines.last().trimmed();
    const QRegularExpression re(QStringLiteral("File \"([^\"]*)\", line (\\d+)"));
    auto it = re.globalMatch(traceback);
    int anyLine = 0;
    while (it.hasNext()) {
        const auto m = it.next();
        const int line = m.captured(2).toInt();
        anyLine = line;
        if (m.captured(1) == fileName)
            s.line = line;
    }
    if (s.line == 0)
        s.line = anyLine;
    s.endLine = s.line;
    return s;
}

SourceError sourceErrorFromException(lang::ThreadState &ts, const lang::Value &exception, const std::string &fileName)
{
    const std::string text = lang::formatException(ts, exception);
    return sourceErrorFromTraceback(QString::fromStdString(text), QString::fromStdString(fileName));
}

QString oneLine(const SourceError &e, const QString &fileName)
{
    if (e.line > 0)
        return QStringLiteral("File \"%1\", line %2: %3").arg(fileName).arg(e.line).arg(e.message);
    return e.message;
}

} // namespace loopscope::host
