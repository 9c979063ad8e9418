// The language's static checks (a blocking call inside async def, ...) as SourceErrors.
#pragma once

#include "enginesettings.h"

namespace loopscope::host {

// Warnings for `source`; empty when it does not parse (the compile error says why).
QList<SourceError> staticDiagnostics(const QString &source, const QString &fileName);

} // namespace loopscope::host
