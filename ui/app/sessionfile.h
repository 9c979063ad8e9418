// SessionFile: a `.loopscope` file — JSON with the code, the engine settings, the
// burst and the run's results (the same shape as `loopscope bench --json`), so that a
// run can be reopened, shown and compared later.
#pragma once

#include "burstspec.h"
#include "engineconfig.h"

#include <QJsonObject>
#include <QString>

namespace loopscope::ui {

struct SessionFile {
    static constexpr int kFormatVersion = 1;

    QString fileName;     // the endpoint file's name ("app.py")
    QString code;
    EngineConfig engine;
    BurstSpec burst;
    QJsonObject results;  // bench-style JSON of the run (requests, prints, loop, pool, summary)

    QJsonObject toJson() const;
    // False with a reason in *error when the JSON is not a Loopscope session.
    static bool fromJson(const QJsonObject &o, SessionFile *out, QString *error);

    // Atomic write (QSaveFile).
    bool save(const QString &path, QString *error) const;
    static bool open(const QString &path, SessionFile *out, QString *error);
};

} // namespace loopscope::ui
