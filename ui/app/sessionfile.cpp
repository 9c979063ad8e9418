#include "sessionfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace loopscope::ui {

QJsonObject SessionFile::toJson() const
{
    return QJsonObject{
        {QStringLiteral("format"), QStringLiteral("loopscope-session")},
        {QStringLiteral("version"), kFormatVersion},
        {QStringLiteral("fileName"), fileName},
        {QStringLiteral("code"), code},
        {QStringLiteral("engine"), engine.toJson()},
        {QStringLiteral("burst"), burst.toJson()},
        {QStringLiteral("results"), results},
    };
}

bool SessionFile::fromJson(const QJsonObject &o, SessionFile *out, QString *error)
{
    if (o.value(QStringLiteral("format")).toString() != QLatin1String("loopscope-session")) {
        if (error)
            *error = QStringLiteral("not a Loopscope session file");
        return false;
    }
    if (o.value(QStringLiteral("version")).toInt() > kFormatVersion) {
        if (error)
            *error = QStringLiteral("the session was written by a newer Loopscope");
        return false;
    }
    SessionFile s;
    s.fileName = o.value(QStringLiteral("fileName")).toString(QStringLiteral("app.py"));
    s.code = o.value(QStringLiteral("code")).toString();
    s.engine = EngineConfig::fromJson(o.value(QStringLiteral("engine")).toObject());
    s.burst = BurstSpec::fromJson(o.value(QStringLiteral("burst")).toObject());
    s.results = o.value(QStringLiteral("results")).toObject();
    *out = s;
    return true;
}

bool SessionFile::save(const QString &path, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    f.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

bool SessionFile::open(const QString &path, SessionFile *out, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("invalid JSON: %1").arg(pe.errorString());
        return false;
    }
    return fromJson(doc.object(), out, error);
}

} // namespace loopscope::ui
