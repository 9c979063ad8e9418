// EngineController: the one place the app talks to the engine (engine/host). It loads
// and hot-reloads the endpoint file, starts and stops the server, fires bursts, and
// drains the live trace once per frame. It never waits on the engine: every result
// comes back as a queued signal, and poll() only reads what the engine already wrote.
#pragma once

#include "burstspec.h"
#include "codeeditor.h"
#include "endpointlist.h"
#include "engineconfig.h"

#include "trace/session.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>

namespace loopscope::ui {

class EngineController : public QObject {
    Q_OBJECT
public:
    enum class State { Unavailable, Stopped, Loading, Running, Failed };
    Q_ENUM(State)

    explicit EngineController(QObject *parent = nullptr);
    ~EngineController() override;

    // False when the app was built without the engine (then nothing runs).
    static bool engineAvailable();

    State state() const { return m_state; }
    QString stateText() const;
    quint16 port() const { return m_port; }
    QList<Endpoint> endpoints() const { return m_endpoints; }

    void setConfig(const EngineConfig &config);
    EngineConfig config() const { return m_config; }

    // Compiles, checks and imports the source; starts the engine if it is not running,
    // otherwise swaps the app in like `uvicorn --reload`. Settings that need a restart
    // (workers, port) restart the engine.
    void apply(const QString &source, const QString &fileName);
    void stopEngine();

    // Fires a burst at the running engine. False (with a reason) when it cannot start.
    bool runBurst(const BurstSpec &spec, QString *why = nullptr);
    void stopBurst();
    bool burstRunning() const { return m_burstRunning; }

    // Drains the live trace (cheap, never blocks). True when the session changed.
    bool poll();
    // The session on screen: live while a burst runs, then the finished run, or a session
    // reopened from a file. Null before the first run.
    const trace::Session *session() const;
    // The finished or reopened run on screen, shared (for work off the GUI thread); null
    // while a burst runs or before the first run.
    std::shared_ptr<const trace::Session> finishedSession() const;
    // trace::now() at t = 0 of the session on screen when it is (or was) a burst of this
    // engine; 0 for a session reopened from a file or none.
    std::uint64_t sessionOriginNs() const;
    // Shows a session that was read from a file (no engine involved).
    void showSession(const trace::Session &session);
    void clearSession();

    // Exports of the current session; false with a reason in *error.
    bool exportJson(const QString &path, QString *error) const;
    bool exportCsv(const QString &path, QString *error) const;
    bool exportPerfetto(const QString &path, QString *error) const;
    // The bench-style JSON of the current session (`loopscope bench --json`).
    QJsonObject resultsJson() const;

signals:
    void stateChanged(loopscope::ui::EngineController::State state, const QString &text);
    void loaded(const QList<loopscope::ui::Endpoint> &endpoints);
    void loadFailed(const QList<loopscope::ui::SourceMark> &errors);
    void diagnostics(const QList<loopscope::ui::SourceMark> &warnings);
    // Log lines in batches (the engine's access log comes a batch per event-loop pass),
    // each with the trace clock's time it was logged at (trace::now()).
    void logLines(const QStringList &lines, const QList<quint64> &timesNs);
    void burstStarted();
    void burstProgress(int done, int total);
    void burstFinished(bool stopped);
    void errorOccurred(const QString &message);

private:
    void setState(State s, const QString &text = {});
    struct Impl;
    std::unique_ptr<Impl> d;
    State m_state = State::Stopped;
    quint16 m_port = 0;
    EngineConfig m_config;
    QList<Endpoint> m_endpoints;
    bool m_burstRunning = false;
    std::shared_ptr<const trace::Session> m_shown; // finished or reopened session
    std::uint64_t m_shownOriginNs = 0;              // of m_shown, when it is a burst's
};

} // namespace loopscope::ui
