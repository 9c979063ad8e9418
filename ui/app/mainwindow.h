// MainWindow: the Loopscope desktop app — endpoint editor, burst panel, engine settings,
// lessons, live charts, console and diagnosis — and runApp(), the GUI entry point that
// app/main.cpp calls when no verb is given and a display exists.
#pragma once

#include "burstspec.h"
#include "codeeditor.h"
#include "engineconfig.h"
#include "framestats.h"
#include "lessonlibrary.h"
#include "recoverystore.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMainWindow>
#include <QTimer>

#include <memory>

class QAction;
class QLabel;
class QMenu;
class QPushButton;
class QDockWidget;

namespace loopscope::trace {
struct Session;
}

namespace loopscope::ui {

class BurstPanel;
class ChartsView;
class ConsoleView;
class DiagnosisView;
class EndpointList;
class EngineController;
class FindBar;
class LessonsPanel;
class SettingsPanel;

// The GUI entry point: builds the QApplication, the window, opens fileToOpen (a .py or a
// .loopscope session; empty = lesson 1) and runs the event loop.
int runApp(int argc, char **argv, QString fileToOpen = {});

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        bool askAboutRecovery = true;   // false in tests: never show the dialog
        QString recoveryDir;            // empty = the app data location
        bool applyOnOpen = true;        // load the opened file into the engine at once
    };

    MainWindow();
    explicit MainWindow(const Options &options);
    ~MainWindow() override;

    // Opening files and lessons (errors go to a dialog unless quiet).
    bool openFile(const QString &path, QString *error = nullptr);
    bool openLesson(const QString &id);
    bool openSession(const QString &path, QString *error = nullptr);
    bool saveFile(const QString &path, QString *error = nullptr);
    bool saveSession(const QString &path, QString *error = nullptr);

    // Applies the editor's code to the engine (Ctrl+S).
    void applyCode();
    // Fires the burst panel's burst; false with a reason.
    bool runBurst(QString *why = nullptr);
    void stopBurst();

    // Writes charts (png, svg, pdf), data (csv, json), the Perfetto trace and the session
    // into dir; returns the files written.
    QStringList exportAll(const QString &dir, QString *error = nullptr);

    // Offers to restore unsaved edits from the recovery file.
    void checkRecovery();

    CodeEditor *editor() const { return m_editor; }
    BurstPanel *burstPanel() const { return m_burst; }
    SettingsPanel *settingsPanel() const { return m_settings; }
    LessonsPanel *lessonsPanel() const { return m_lessonsPanel; }
    EndpointList *endpointList() const { return m_endpoints; }
    ChartsView *charts() const { return m_charts; }
    ConsoleView *console() const { return m_console; }
    DiagnosisView *diagnosis() const { return m_diagnosis; }
    EngineController *engine() const { return m_engine; }
    const LessonLibrary &lessons() const { return m_lessons; }
    // Work per frame (drain + chart updates) and the time between frames while a burst
    // runs (> 16 ms when the GUI thread was busy, painting included).
    const FrameStats &frameStats() const { return m_frames; }
    FrameStats &frameStats() { return m_frames; }
    const FrameStats &frameIntervals() const { return m_intervals; }
    QString currentFilePath() const { return m_filePath; }
    QString currentLessonId() const { return m_lessonId; }
    RecoveryStore &recovery() { return m_recovery; }

    // The size a first-time window opens at on a screen with `available` room.
    static QSize defaultSize(const QSize &available);

    // One frame of the live view (what the 16 ms timer runs); public for benchmarks.
    void frame();

protected:
    void closeEvent(QCloseEvent *e) override;

private:
    void buildUi();
    void buildActions();
    void buildDocks();
    void applyDefaultLayout();
    void connectEngine();
    void setDocument(const QString &text, const QString &path, const QString &displayName, const QString &lessonId);
    void updateTitle();
    void updateRecentMenu();
    void addRecent(const QString &path);
    bool maybeSave();
    void showSessionResults(const trace::Session &s, bool finished);
    // The diagnosis and the blocking lines marked in the editor.
    void showFindings(const trace::Session &s);
    // The same for a finished burst, worked out on a pool thread (tens of milliseconds for
    // 40,000 requests) and shown when ready, if that run is still the one on screen.
    void showFindingsSoon();
    struct RunStudy;
    static std::shared_ptr<const RunStudy> studyRun(const trace::Session &s);
    void showDiagnosis(const RunStudy &study);
    void markBlockingLines(const trace::Session &s);
    // The session's prints and warnings not shown yet, with the held log lines they have
    // caught up with (all of them when `final`), in time order.
    void appendNewOutput(const trace::Session &s, bool final = false);
    void onLoadFailed(const QList<SourceMark> &errors);
    void onDiagnostics(const QList<SourceMark> &warnings);
    void onBurstFinished(bool stopped);
    void exportChartsDialog(const QString &format);
    void exportDataDialog(const QString &kind);
    void showError(const QString &title, const QString &text);
    void showAbout();
    void saveSettings();
    void restoreSettings();

    Options m_options;
    CodeEditor *m_editor = nullptr;
    FindBar *m_findBar = nullptr;
    QLabel *m_fileLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_applyButton = nullptr;
    ChartsView *m_charts = nullptr;
    ConsoleView *m_console = nullptr;
    DiagnosisView *m_diagnosis = nullptr;
    BurstPanel *m_burst = nullptr;
    SettingsPanel *m_settings = nullptr;
    LessonsPanel *m_lessonsPanel = nullptr;
    EndpointList *m_endpoints = nullptr;
    EngineController *m_engine = nullptr;
    QDockWidget *m_burstDock = nullptr, *m_settingsDock = nullptr, *m_lessonsDock = nullptr,
                *m_endpointsDock = nullptr;
    QLabel *m_engineLabel = nullptr, *m_portLabel = nullptr, *m_frameLabel = nullptr, *m_cursorLabel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_compareAction = nullptr, *m_runAction = nullptr, *m_stopAction = nullptr, *m_applyAction = nullptr;

    QTimer m_frameTimer;
    QTimer m_autosaveTimer;
    FrameStats m_frames;
    FrameStats m_intervals;
    QElapsedTimer m_tick;
    RecoveryStore m_recovery;
    LessonLibrary m_lessons;
    QString m_filePath;    // on disk; empty for lessons and untitled buffers
    QString m_displayName; // "app.py"
    QString m_lessonId;
    QList<SourceMark> m_warnings;
    QList<SourceMark> m_errors;
    std::unique_ptr<trace::Session> m_previousRun;
    QString m_previousLabel;
    QString m_runLabel;
    size_t m_printsShown = 0;
    size_t m_warningsShown = 0;
    // Log lines of a running burst, waiting for the prints logged before them: those reach
    // the app through the trace's holdback, the log lines straight away.
    struct HeldLog {
        quint64 ns = 0; // trace::now() when logged
        QString text;
    };
    std::vector<HeldLog> m_heldLogs;
    int m_burstCount = 0;
    QByteArray m_defaultState;
    QFutureWatcher<std::shared_ptr<const RunStudy>> m_study;
    const trace::Session *m_studied = nullptr; // the run m_study is about
};

} // namespace loopscope::ui
