#include "burstspec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QStringList>

#include <algorithm>

namespace loopscope::ui {

namespace {
// QSettings treats '/' in keys as groups: keep preset names opaque.
QString presetKey(const QString &name)
{
    return QString::fromLatin1(name.toUtf8().toPercentEncoding(" "));
}
QString presetName(const QString &key)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(key.toLatin1()));
}
} // namespace

int BurstSpec::effectiveConnections() const
{
    const int c = std::max(1, connections);
    return browser ? std::min(c, 6) : c;
}

QString BurstSpec::pathFor(int i) const
{
    QString p = path;
    p.replace(QLatin1String("{i}"), QString::number(i));
    return p;
}

QString BurstSpec::validate() const
{
    if (!path.startsWith(QLatin1Char('/')))
        return QStringLiteral("the path must start with '/'");
    if (path.contains(QLatin1Char(' ')))
        return QStringLiteral("the path must not contain spaces (use %20)");
    if (mode == Mode::Burst && requests < 1)
        return QStringLiteral("send at least one request");
    if (connections < 1)
        return QStringLiteral("use at least one connection");
    if (mode == Mode::Duration && duration <= 0)
        return QStringLiteral("the duration must be positive");
    if (mode == Mode::Rate && (rate <= 0 || requests < 1))
        return QStringLiteral("the rate and the number of requests must be positive");
    for (const ExtraRequest &e : extras) {
        if (e.at < 0 || !e.path.startsWith(QLatin1Char('/')))
            return QStringLiteral("extra request '%1' needs a time >= 0 and a path starting with '/'").arg(e.path);
    }
    return {};
}

QString BurstSpec::modeName(Mode m)
{
    switch (m) {
    case Mode::Burst: return QStringLiteral("burst");
    case Mode::Duration: return QStringLiteral("duration");
    case Mode::Rate: return QStringLiteral("rate");
    }
    return QStringLiteral("burst");
}

BurstSpec::Mode BurstSpec::modeFromName(const QString &name)
{
    if (name == QLatin1String("duration"))
        return Mode::Duration;
    if (name == QLatin1String("rate"))
        return Mode::Rate;
    return Mode::Burst;
}

QJsonObject BurstSpec::toJson() const
{
    QJsonArray ex;
    for (const ExtraRequest &e : extras)
        ex.append(QJsonObject{{QStringLiteral("at"), e.at}, {QStringLiteral("path"), e.path}});
    QJsonObject o{
        {QStringLiteral("path"), path},
        {QStringLiteral("requests"), requests},
        {QStringLiteral("connections"), connections},
        {QStringLiteral("mode"), modeName(mode)},
        {QStringLiteral("duration"), duration},
        {QStringLiteral("rate"), rate},
        {QStringLiteral("keepAlive"), keepAlive},
        {QStringLiteral("browser"), browser},
    };
    if (!ex.isEmpty())
        o.insert(QStringLiteral("extras"), ex);
    return o;
}

BurstSpec BurstSpec::fromJson(const QJsonObject &o)
{
    BurstSpec s;
    s.path = o.value(QStringLiteral("path")).toString(s.path);
    s.requests = std::max(0, o.value(QStringLiteral("requests")).toInt(s.requests));
    s.connections = std::max(1, o.value(QStringLiteral("connections")).toInt(s.connections));
    s.mode = modeFromName(o.value(QStringLiteral("mode")).toString());
    s.duration = o.value(QStringLiteral("duration")).toDouble(s.duration);
    s.rate = o.value(QStringLiteral("rate")).toDouble(s.rate);
    s.keepAlive = o.value(QStringLiteral("keepAlive")).toBool(s.keepAlive);
    s.browser = o.value(QStringLiteral("browser")).toBool(s.browser);
    const QJsonArray ex = o.value(QStringLiteral("extras")).toArray();
    for (const QJsonValue &v : ex) {
        const QJsonObject e = v.toObject();
        s.extras.append({e.value(QStringLiteral("at")).toDouble(), e.value(QStringLiteral("path")).toString()});
    }
    return s;
}

bool BurstSpec::parseExtra(const QString &text, ExtraRequest *out)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    bool ok = false;
    const double at = text.left(colon).trimmed().toDouble(&ok);
    const QString path = text.mid(colon + 1).trimmed();
    if (!ok || at < 0 || !path.startsWith(QLatin1Char('/')))
        return false;
    *out = {at, path};
    return true;
}

QStringList BurstPresets::names(QSettings &s)
{
    s.beginGroup(QStringLiteral("bursts/presets"));
    QStringList n;
    for (const QString &k : s.childKeys())
        n << presetName(k);
    s.endGroup();
    n.sort(Qt::CaseInsensitive);
    return n;
}

bool BurstPresets::load(QSettings &s, const QString &name, BurstSpec *out)
{
    s.beginGroup(QStringLiteral("bursts/presets"));
    const QByteArray json = s.value(presetKey(name)).toByteArray();
    s.endGroup();
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return false;
    *out = BurstSpec::fromJson(doc.object());
    return true;
}

void BurstPresets::save(QSettings &s, const QString &name, const BurstSpec &spec)
{
    s.beginGroup(QStringLiteral("bursts/presets"));
    s.setValue(presetKey(name), QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact));
    s.endGroup();
}

void BurstPresets::remove(QSettings &s, const QString &name)
{
    s.beginGroup(QStringLiteral("bursts/presets"));
    s.remove(presetKey(name));
    s.endGroup();
}

} // namespace loopscope::ui
