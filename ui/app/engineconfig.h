// EngineConfig: the engine settings the app shows and remembers, named as FastAPI,
// AnyIO and Uvicorn name them. Plain data; EngineController turns it into the engine's
// own settings.
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

class QSettings;

namespace loopscope::ui {

struct EngineConfig {
    int threads = 40;                  // AnyIO's default CapacityLimiter(40)
    bool limiterLifo = false;          // AnyIO >= 4 wakes FIFO; 3.x newest first
    int defaultExecutorThreads = 0;    // 0 = asyncio's min(32, cpu + 4)
    bool gil = true;
    double switchInterval = 0.005;     // sys.getswitchinterval()
    int workers = 1;                   // uvicorn --workers
    double keepAliveTimeout = 5.0;     // uvicorn --timeout-keep-alive
    double slowCallbackDuration = 0.1; // asyncio debug mode threshold
    int limitConcurrency = 0;          // uvicorn --limit-concurrency, 0 = none
    quint16 port = 0;                  // 0 = ephemeral

    bool operator==(const EngineConfig &) const = default;

    QJsonObject toJson() const;
    static EngineConfig fromJson(const QJsonObject &o);
    // Remembered between runs under the "engine/" group.
    void save(QSettings &s) const;
    static EngineConfig load(QSettings &s);
    // Clamps every value into the range the engine accepts.
    EngineConfig sanitized() const;
};

} // namespace loopscope::ui

Q_DECLARE_METATYPE(loopscope::ui::EngineConfig)
