// `bench --trace`: Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing open.
// One process per server worker with a track per thread (handler runs, prints) and a
// "loop blocked" track; one "requests" process with a track per request (its phases);
// counters for loop lag, loop utilisation and every pool's busy/waiting; flow arrows from
// each blocking span to the requests it delayed.
#pragma once

#include "session.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace loopscope::trace {

QJsonObject sessionToChromeTrace(const Session &session);
bool writeChromeTrace(const Session &session, const QString &path, QString *error = nullptr);

} // namespace loopscope::trace
