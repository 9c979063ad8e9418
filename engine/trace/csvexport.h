// `bench --csv`: one row per request with every phase time (seconds from the burst start).
#pragma once

#include "session.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace loopscope::trace {

// The header row's column names, in order.
QStringList csvColumns();
QByteArray sessionToCsv(const Session &session);
bool writeCsv(const Session &session, const QString &path, QString *error = nullptr);

} // namespace loopscope::trace
