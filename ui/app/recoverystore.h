// RecoveryStore: autosaves the editor's unsaved text to a recovery file so that a crash
// loses nothing; on the next start the app offers to restore it.
#pragma once

#include <QString>

namespace loopscope::ui {

struct RecoveryState {
    QString originalPath; // the file being edited ("" for an untitled buffer)
    QString text;
};

class RecoveryStore {
public:
    // dir defaults to QStandardPaths::AppDataLocation/recovery.
    explicit RecoveryStore(QString dir = {});

    QString recoveryFile() const;
    bool save(const RecoveryState &state);
    bool hasRecovery() const;
    bool load(RecoveryState *out) const;
    // After a clean save or a clean exit.
    void clear();

private:
    QString m_dir;
};

} // namespace loopscope::ui
