#include "engineconfig.h"

#include <QSettings>

#include <algorithm>

namespace loopscope::ui {

QJsonObject EngineConfig::toJson() const
{
    return QJsonObject{
        {QStringLiteral("threads"), threads},
        {QStringLiteral("limiter"), limiterLifo ? QStringLiteral("lifo") : QStringLiteral("fifo")},
        {QStringLiteral("defaultExecutorThreads"), defaultExecutorThreads},
        {QStringLiteral("gil"), gil},
        {QStringLiteral("switchInterval"), switchInterval},
        {QStringLiteral("workers"), workers},
        {QStringLiteral("keepAliveTimeout"), keepAliveTimeout},
        {QStringLiteral("slowCallbackDuration"), slowCallbackDuration},
        {QStringLiteral("limitConcurrency"), limitConcurrency},
        {QStringLiteral("port"), int(port)},
    };
}

EngineConfig EngineConfig::fromJson(const QJsonObject &o)
{
    EngineConfig c;
    c.threads = o.value(QStringLiteral("threads")).toInt(c.threads);
    c.limiterLifo = o.value(QStringLiteral("limiter")).toString() == QLatin1String("lifo");
    c.defaultExecutorThreads = o.value(QStringLiteral("defaultExecutorThreads")).toInt(c.defaultExecutorThreads);
    c.gil = o.value(QStringLiteral("gil")).toBool(c.gil);
    c.switchInterval = o.value(QStringLiteral("switchInterval")).toDouble(c.switchInterval);
    c.workers = o.value(QStringLiteral("workers")).toInt(c.workers);
    c.keepAliveTimeout = o.value(QStringLiteral("keepAliveTimeout")).toDouble(c.keepAliveTimeout);
    c.slowCallbackDuration = o.value(QStringLiteral("slowCallbackDuration")).toDouble(c.slowCallbackDuration);
    c.limitConcurrency = o.value(QStringLiteral("limitConcurrency")).toInt(c.limitConcurrency);
    c.port = quint16(o.value(QStringLiteral("port")).toInt(c.port));
    return c.sanitized();
}

void EngineConfig::save(QSettings &s) const
{
    s.beginGroup(QStringLiteral("engine"));
    s.setValue(QStringLiteral("threads"), threads);
    s.setValue(QStringLiteral("limiterLifo"), limiterLifo);
    s.setValue(QStringLiteral("defaultExecutorThreads"), defaultExecutorThreads);
    s.setValue(QStringLiteral("gil"), gil);
    s.setValue(QStringLiteral("switchInterval"), switchInterval);
    s.setValue(QStringLiteral("workers"), workers);
    s.setValue(QStringLiteral("keepAliveTimeout"), keepAliveTimeout);
    s.setValue(QStringLiteral("slowCallbackDuration"), slowCallbackDuration);
    s.setValue(QStringLiteral("limitConcurrency"), limitConcurrency);
    s.setValue(QStringLiteral("port"), int(port));
    s.endGroup();
}

EngineConfig EngineConfig::load(QSettings &s)
{
    EngineConfig c;
    s.beginGroup(QStringLiteral("engine"));
    c.threads = s.value(QStringLiteral("threads"), c.threads).toInt();
    c.limiterLifo = s.value(QStringLiteral("limiterLifo"), c.limiterLifo).toBool();
    c.defaultExecutorThreads = s.value(QStringLiteral("defaultExecutorThreads"), c.defaultExecutorThreads).toInt();
    c.gil = s.value(QStringLiteral("gil"), c.gil).toBool();
    c.switchInterval = s.value(QStringLiteral("switchInterval"), c.switchInterval).toDouble();
    c.workers = s.value(QStringLiteral("workers"), c.workers).toInt();
    c.keepAliveTimeout = s.value(QStringLiteral("keepAliveTimeout"), c.keepAliveTimeout).toDouble();
    c.slowCallbackDuration = s.value(QStringLiteral("slowCallbackDuration"), c.slowCallbackDuration).toDouble();
    c.limitConcurrency = s.value(QStringLiteral("limitConcurrency"), c.limitConcurrency).toInt();
    c.port = quint16(s.value(QStringLiteral("port"), int(c.port)).toInt());
    s.endGroup();
    return c.sanitized();
}

EngineConfig EngineConfig::sanitized() const
{
    EngineConfig c = *this;
    c.threads = std::clamp(c.threads, 1, 10000);
    c.defaultExecutorThreads = std::clamp(c.defaultExecutorThreads, 0, 1024);
    c.switchInterval = std::clamp(c.switchInterval, 0.0001, 1.0);
    c.workers = std::clamp(c.workers, 1, 64);
    c.keepAliveTimeout = std::clamp(c.keepAliveTimeout, 0.0, 3600.0);
    c.slowCallbackDuration = std::clamp(c.slowCallbackDuration, 0.001, 60.0);
    c.limitConcurrency = std::clamp(c.limitConcurrency, 0, 1000000);
    return c;
}

} // namespace loopscope::ui
