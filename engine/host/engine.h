// Engine: the running engine as the GUI drives it. Created and used on the caller's
// thread; it never blocks that thread: loading, starting, reloading and stopping run on
// the engine's own control thread and results come back as queued signals.
#pragma once

#include "enginesettings.h"

#include <QObject>
#include <QStringList>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace loopscope::host {

class EngineCore;

class Engine : public QObject {
    Q_OBJECT
public:
    explicit Engine(QObject *parent = nullptr);
    ~Engine() override; // stops the engine and joins its threads

    // Compiles, checks and imports the app. On a running engine it swaps the app like
    // `uvicorn --reload` (same port); otherwise the source is kept for start().
    void load(const QString &source, const QString &fileName);
    void start(const EngineSettings &settings);
    void stop();

    // Snapshots (any time, never wait on the engine's work).
    quint16 port() const;
    QList<EndpointInfo> endpoints() const;
    bool isRunning() const;
    EngineSettings settings() const;

    // The engine itself, for BenchRun (its calls are thread-safe but may block).
    EngineCore &core() { return *m_core; }

signals:
    void loaded(const QList<loopscope::host::EndpointInfo> &endpoints);
    void loadFailed(const QList<loopscope::host::SourceError> &errors);
    void diagnostics(const QList<loopscope::host::SourceError> &warnings);
    void started(quint16 port);
    void startFailed(const QString &reason);
    void stopped();
    // Log lines (access log, server messages) in batches: the lines that arrived while the
    // receiver's thread was busy come as one signal, never one queued call per line.
    // `timesNs`: when each was logged, on the trace clock (trace::now()), so that a view can
    // put them among the traced prints (which reach it through the trace's holdback).
    void logLines(const QStringList &lines, const QList<quint64> &timesNs);

private:
    void post(std::function<void()> job);
    void controlLoop();
    void doLoad(const QString &source, const QString &fileName);
    void doStart(const EngineSettings &settings);
    void updateSnapshot();
    void queueLogLine(const QString &line);

    std::unique_ptr<EngineCore> m_core;
    QString m_source, m_fileName;    // control thread
    QList<EndpointInfo> m_trialEndpoints;

    mutable std::mutex m_snapMutex;
    quint16 m_port = 0;
    QList<EndpointInfo> m_endpoints;
    bool m_running = false;
    EngineSettings m_settings;

    std::mutex m_logMutex;
    QStringList m_pendingLog; // guarded by m_logMutex; a flush is queued while non-empty
    QList<quint64> m_pendingLogTimes;

    std::mutex m_jobsMutex;
    std::condition_variable m_jobsCv;
    std::deque<std::function<void()>> m_jobs;
    bool m_quit = false;
    std::thread m_control;
};

} // namespace loopscope::host
