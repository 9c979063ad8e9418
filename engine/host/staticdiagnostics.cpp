// Static checks through engine/lang's checker.
#include "staticdiagnostics.h"

#include "lang/parser.h"

#if __has_include("lang/staticcheck.h")
#include "lang/staticcheck.h"
#define LOOPSCOPE_HAVE_STATICCHECK 1
#endif

namespace loopscope::host {

QList<SourceError> staticDiagnostics(const QString &source, const QString &fileName)
{
    QList<SourceError> out;
#ifdef LOOPSCOPE_HAVE_STATICCHECK
    const lang::ParseResult parsed = lang::parseModule(source.toStdString(), fileName.toStdString());
    if (!parsed.module)
        return out;
    for (const lang::Diagnostic &d : lang::checkModule(*parsed.module)) {
        SourceError e;
        e.message = QString::fromStdString(d.message);
        e.line = d.line;
        e.column = d.column;
        e.endLine = d.endLine;
        e.endColumn = d.endColumn;
        e.traceback = QStringLiteral("%1:%2: %3").arg(fileName).arg(d.line).arg(e.message);
        out.append(e);
    }
#else
    Q_UNUSED(source);
    Q_UNUSED(fileName);
#endif
    return out;
}

} // namespace loopscope::host
