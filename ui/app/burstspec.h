// BurstSpec: what the burst panel fires — a path template with {i}, how many requests
// over how many connections, in which mode, plus extra delayed requests. Plain data;
// EngineController turns it into the engine's BurstPlan.
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QList>
#include <QString>

class QSettings;

namespace loopscope::ui {

struct ExtraRequest {
    double at = 0.0; // seconds after the burst starts
    QString path;
    bool operator==(const ExtraRequest &) const = default;
};

struct BurstSpec {
    enum class Mode { Burst, Duration, Rate };

    QString path = QStringLiteral("/ping?i={i}");
    int requests = 2;
    int connections = 2;
    Mode mode = Mode::Burst;
    double duration = 5.0;  // seconds, Mode::Duration
    double rate = 100.0;    // requests per second, Mode::Rate
    bool keepAlive = true;
    bool browser = false;   // browser-like: at most 6 keep-alive connections per host
    QList<ExtraRequest> extras;

    bool operator==(const BurstSpec &) const = default;

    // The connections actually opened: browser mode caps them at 6.
    int effectiveConnections() const;
    // The path of request number i ({i} replaced).
    QString pathFor(int i) const;
    // Empty when fireable, otherwise a one-line reason.
    QString validate() const;

    static QString modeName(Mode m);
    static Mode modeFromName(const QString &name);

    QJsonObject toJson() const;
    static BurstSpec fromJson(const QJsonObject &o);
    // Parses "AT:PATH" as in `loopscope bench --extra`.
    static bool parseExtra(const QString &text, ExtraRequest *out);
};

// Named burst presets remembered in QSettings ("bursts/presets").
class BurstPresets {
public:
    static QStringList names(QSettings &s);
    static bool load(QSettings &s, const QString &name, BurstSpec *out);
    static void save(QSettings &s, const QString &name, const BurstSpec &spec);
    static void remove(QSettings &s, const QString &name);
};

} // namespace loopscope::ui

Q_DECLARE_METATYPE(loopscope::ui::BurstSpec)
