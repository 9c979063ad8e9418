// The `bench --json` document (ARCHITECTURE §4, a stable interface) and its writer.
#pragma once

#include "diagnosis.h"
#include "session.h"

#include <QJsonObject>
#include <QString>

namespace loopscope::trace {

// requests, prints, loop {lag_ms, blocked, histogram, utilisation, warnings}, pool (main
// limiter rows [t, busy, waiting]), pools (all, by name), summary, diagnosis (strings),
// findings (with severity and position), threads.
QJsonObject sessionToJson(const Session &session, const std::vector<Finding> &findings);
QJsonObject sessionToJson(const Session &session); // runs diagnose()

// Writes the document to `path`; on failure returns false and sets `error`.
bool writeJson(const Session &session, const QString &path, QString *error = nullptr);

} // namespace loopscope::trace
