// SessionJson: a trace::Session as JSON and back, losslessly for everything the charts,
// the console and the diagnosis show, so that a `.loopscope` session file reopens a run.
#pragma once

#include <QJsonObject>

namespace loopscope::trace {
struct Session;
}

namespace loopscope::ui {

class SessionJson {
public:
    static QJsonObject toJson(const trace::Session &session);
    // False when the object does not hold a session model.
    static bool fromJson(const QJsonObject &o, trace::Session *out);
};

} // namespace loopscope::ui
