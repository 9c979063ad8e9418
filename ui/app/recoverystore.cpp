#include "recoverystore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace loopscope::ui {

RecoveryStore::RecoveryStore(QString dir)
    : m_dir(dir.isEmpty()
                ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recovery")
                : std::move(dir))
{
}

QString RecoveryStore::recoveryFile() const
{
    return QDir(m_dir).filePath(QStringLiteral("unsaved.json"));
}

bool RecoveryStore::save(const RecoveryState &state)
{
    if (!QDir().mkpath(m_dir))
        return false;
    QSaveFile f(recoveryFile());
    if (!f.open(QIODevice::WriteOnly))
        return false;
    const QJsonObject o{{QStringLiteral("path"), state.originalPath}, {QStringLiteral("text"), state.text}};
    f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
    return f.commit();
}

bool RecoveryStore::hasRecovery() const
{
    return QFile::exists(recoveryFile());
}

bool RecoveryStore::load(RecoveryState *out) const
{
    QFile f(recoveryFile());
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    if (!doc.isObject())
        return false;
    out->originalPath = doc.object().value(QStringLiteral("path")).toString();
    out->text = doc.object().value(QStringLiteral("text")).toString();
    return true;
}

void RecoveryStore::clear()
{
    QFile::remove(recoveryFile());
}

} // namespace loopscope::ui
