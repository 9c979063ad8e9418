#include "mainwindow.h"

#include "burstpanel.h"
#include "chartsview.h"
#include "consoleview.h"
#include "diagnosisview.h"
#include "endpointlist.h"
#include "enginecontroller.h"
#include "findbar.h"
#include "lessonspanel.h"
#include "sessionfile.h"
#include "sessionjson.h"
#include "settingspanel.h"

#include "trace/diagnosis.h"
#include "trace/session.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPromise>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QThreadPool>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <set>

namespace loopscope::ui {

namespace {

constexpr int kFrameMs = 16;
constexpr int kIdleFrameMs = 100;
constexpr int kMaxRecent = 8;

QString stateColor(EngineController::State s)
{
    switch (s) {
    case EngineController::State::Running: return QStringLiteral("#2e7d32");
    case EngineController::State::Loading: return QStringLiteral("#f9a825");
    case EngineController::State::Failed: return QStringLiteral("#c62828");
    case EngineController::State::Unavailable: return QStringLiteral("#9e9e9e");
    case EngineController::State::Stopped: return QStringLiteral("#757575");
    }
    return QStringLiteral("#757575");
}

const char *kAppStyle = R"(
QMainWindow::separator { background: #dfe3e8; width: 1px; height: 1px; }
QDockWidget { font-weight: 600; }
QDockWidget::title { background: #eef1f5; padding: 4px 6px; border-bottom: 1px solid #dfe3e8; }
QToolBar { background: #f6f7f9; border-bottom: 1px solid #dfe3e8; spacing: 4px; padding: 2px; }
QStatusBar { background: #f6f7f9; border-top: 1px solid #dfe3e8; }
QStatusBar QLabel { color: #444d56; padding: 0 6px; }
QPushButton#RunButton, QPushButton#ApplyButton { background: #1e6fd9; color: white; border: 1px solid #1859b0;
    border-radius: 3px; padding: 4px 12px; font-weight: 600; }
QPushButton#RunButton:hover, QPushButton#ApplyButton:hover { background: #2a7df0; }
QPushButton#RunButton:disabled { background: #a9c4ea; border-color: #a9c4ea; }
QLabel#EditorHeader { color: #24292e; font-weight: 600; }
QWidget#EditorBar { background: #f6f7f9; border-bottom: 1px solid #dfe3e8; }
QLabel#ErrorLabel { color: #c62828; }
QTabWidget::pane { border: none; }
QTabBar::tab { padding: 4px 12px; }
)";

} // namespace

MainWindow::MainWindow()
    : MainWindow(Options{})
{
}

MainWindow::MainWindow(const Options &options)
    : m_options(options)
    , m_recovery(options.recoveryDir)
{
    LessonLibrary::initResources();
    setWindowIcon(QIcon(QStringLiteral(":/icons/loopscope.svg")));
    m_engine = new EngineController(this);
    buildUi();
    buildActions();
    buildDocks();
    connectEngine();
    m_lessons.load();
    m_lessonsPanel->setLessons(m_lessons.lessons());
    applyDefaultLayout();
    m_defaultState = saveState();
    restoreSettings();

    m_frameTimer.setInterval(kFrameMs);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &MainWindow::frame);
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(2000);
    connect(&m_autosaveTimer, &QTimer::timeout, this, [this] {
        if (m_editor->isModified())
            m_recovery.save({m_filePath, m_editor->text()});
    });
    updateTitle();
}

MainWindow::~MainWindow()
{
    m_frameTimer.stop();
}

void MainWindow::buildUi()
{
    m_editor = new CodeEditor;
    m_findBar = new FindBar(m_editor);
    auto *editorPane = new QWidget;
    auto *ev = new QVBoxLayout(editorPane);
    ev->setContentsMargins(0, 0, 0, 0);
    ev->setSpacing(0);
    auto *bar = new QWidget(editorPane);
    bar->setObjectName(QStringLiteral("EditorBar"));
    auto *bl = new QHBoxLayout(bar);
    bl->setContentsMargins(8, 4, 6, 4);
    m_fileLabel = new QLabel(bar);
    m_fileLabel->setObjectName(QStringLiteral("EditorHeader"));
    m_errorLabel = new QLabel(bar);
    m_errorLabel->setObjectName(QStringLiteral("ErrorLabel"));
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_applyButton = new QPushButton(tr("Apply"), bar);
    m_applyButton->setObjectName(QStringLiteral("ApplyButton"));
    m_applyButton->setToolTip(tr("Load the code into the running engine, like uvicorn --reload (Ctrl+S)"));
    bl->addWidget(m_fileLabel);
    bl->addWidget(m_errorLabel, 1);
    bl->addWidget(m_applyButton);
    ev->addWidget(bar);
    ev->addWidget(m_editor, 1);
    ev->addWidget(m_findBar);

    m_charts = new ChartsView;
    m_console = new ConsoleView;
    m_diagnosis = new DiagnosisView;

    auto *bottom = new QSplitter(Qt::Horizontal);
    auto *consoleBox = new QWidget;
    auto *cl = new QVBoxLayout(consoleBox);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->setSpacing(0);
    auto *consoleTitle = new QLabel(tr("  Console"));
    consoleTitle->setStyleSheet(QStringLiteral("background:#eef1f5; font-weight:600; padding:3px; border-bottom:1px solid #dfe3e8"));
    cl->addWidget(consoleTitle);
    cl->addWidget(m_console);
    bottom->addWidget(consoleBox);
    auto *diagBox = new QWidget;
    auto *dl = new QVBoxLayout(diagBox);
    dl->setContentsMargins(0, 0, 0, 0);
    dl->setSpacing(0);
    auto *diagTitle = new QLabel(tr("  Diagnosis"));
    diagTitle->setStyleSheet(consoleTitle->styleSheet());
    dl->addWidget(diagTitle);
    dl->addWidget(m_diagnosis);
    bottom->addWidget(diagBox);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);

    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(m_charts);
    right->addWidget(bottom);
    right->setStretchFactor(0, 5);
    right->setStretchFactor(1, 2);
    right->setSizes({520, 190});

    auto *central = new QSplitter(Qt::Horizontal);
    central->setObjectName(QStringLiteral("CentralSplitter"));
    central->addWidget(editorPane);
    central->addWidget(right);
    central->setStretchFactor(0, 4);
    central->setStretchFactor(1, 6);
    central->setSizes({430, 570});
    central->setChildrenCollapsible(false);
    setCentralWidget(central);

    m_engineLabel = new QLabel;
    m_portLabel = new QLabel;
    m_frameLabel = new QLabel;
    m_cursorLabel = new QLabel;
    statusBar()->addPermanentWidget(m_engineLabel);
    statusBar()->addPermanentWidget(m_portLabel);
    statusBar()->addPermanentWidget(m_frameLabel);
    statusBar()->addPermanentWidget(m_cursorLabel);

    connect(m_editor, &QsciScintilla::cursorPositionChanged, this, [this](int line, int index) {
        m_cursorLabel->setText(tr("Ln %1, Col %2").arg(line + 1).arg(index + 1));
    });
    connect(m_editor, &QsciScintilla::modificationChanged, this, [this] { updateTitle(); });
    connect(m_editor, &QsciScintilla::textChanged, this, [this] { m_autosaveTimer.start(); });
    connect(m_applyButton, &QPushButton::clicked, this, &MainWindow::applyCode);
    connect(m_charts, &ChartsView::blockedSpanClicked, this, [this](int line, const QString &where) {
        if (line > 0) {
            m_editor->goToLine(line);
            statusBar()->showMessage(tr("The event loop was blocked at %1").arg(where), 5000);
        }
    });
    connect(m_charts, &ChartsView::refreshRequested, this, [this] {
        if (const trace::Session *s = m_engine->session())
            m_charts->updateSession(*s);
    });
    connect(m_diagnosis, &DiagnosisView::lineActivated, this, [this](int line) { m_editor->goToLine(line); });
}

void MainWindow::buildDocks()
{
    setDockNestingEnabled(true);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    auto makeDock = [this](const QString &title, const QString &name, QWidget *w, bool scroll = false) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        if (scroll) {
            // The burst and engine forms are taller than a 700-pixel screen leaves them:
            // they scroll rather than push the window past the bottom of the screen.
            auto *area = new QScrollArea;
            area->setWidget(w);
            area->setWidgetResizable(true);
            area->setFrameShape(QFrame::NoFrame);
            area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
            area->setMinimumWidth(w->minimumSizeHint().width()
                                  + area->style()->pixelMetric(QStyle::PM_ScrollBarExtent));
            dock->setWidget(area);
        } else {
            dock->setWidget(w);
        }
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                          QDockWidget::DockWidgetClosable);
        return dock;
    };
    m_burst = new BurstPanel;
    m_settings = new SettingsPanel;
    m_lessonsPanel = new LessonsPanel;
    m_endpoints = new EndpointList;
    m_burstDock = makeDock(tr("Burst"), QStringLiteral("BurstDock"), m_burst, true);
    m_settingsDock = makeDock(tr("Engine"), QStringLiteral("EngineDock"), m_settings, true);
    m_lessonsDock = makeDock(tr("Lessons"), QStringLiteral("LessonsDock"), m_lessonsPanel);
    m_endpointsDock = makeDock(tr("Endpoints"), QStringLiteral("EndpointsDock"), m_endpoints);

    connect(m_burst, &BurstPanel::runRequested, this, [this] {
        QString why;
        if (!runBurst(&why))
            showError(tr("Cannot run the burst"), why);
    });
    connect(m_burst, &BurstPanel::stopRequested, this, &MainWindow::stopBurst);
    connect(m_settings, &SettingsPanel::changed, this, [this](const EngineConfig &c) {
        QSettings s;
        c.save(s);
        m_engine->setConfig(c);
    });
    connect(m_lessonsPanel, &LessonsPanel::openRequested, this, [this](const QString &id) {
        if (maybeSave())
            openLesson(id);
    });
    connect(m_endpoints, &EndpointList::lineActivated, this, [this](int line) { m_editor->goToLine(line); });
    connect(m_endpoints, &EndpointList::pathChosen, this, [this](const QString &path) {
        BurstSpec s = m_burst->spec();
        s.path = path;
        m_burst->setSpec(s);
        m_burstDock->raise();
    });
}

QSize MainWindow::defaultSize(const QSize &available)
{
    // 1280×800, or the screen's room when it has less (1024×700, 1366×768): a window taller
    // than the screen loses its status bar and the bottom of the charts.
    const QSize wanted(1280, 800);
    return available.isValid() ? wanted.boundedTo(available) : wanted;
}

void MainWindow::applyDefaultLayout()
{
    // 1280×800: burst/engine above lessons/endpoints on the left, editor and charts centre.
    for (QDockWidget *d : {m_burstDock, m_settingsDock, m_lessonsDock, m_endpointsDock}) {
        d->setFloating(false);
        removeDockWidget(d);
    }
    addDockWidget(Qt::LeftDockWidgetArea, m_burstDock, Qt::Vertical);
    addDockWidget(Qt::LeftDockWidgetArea, m_lessonsDock, Qt::Vertical);
    tabifyDockWidget(m_burstDock, m_settingsDock);
    tabifyDockWidget(m_lessonsDock, m_endpointsDock);
    for (QDockWidget *d : {m_burstDock, m_settingsDock, m_lessonsDock, m_endpointsDock})
        d->show();
    m_burstDock->raise();
    m_lessonsDock->raise();
    resizeDocks({m_burstDock}, {300}, Qt::Horizontal);
    resizeDocks({m_burstDock, m_lessonsDock}, {440, 280}, Qt::Vertical);
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newAct = file->addAction(tr("&New"), this, [this] {
        if (maybeSave())
            setDocument(QStringLiteral("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\nasync def root():\n    return {\"hello\": \"world\"}\n"),
                        {}, QStringLiteral("untitled.py"), {});
    });
    newAct->setShortcut(QKeySequence::New);
    QAction *openAct = file->addAction(tr("&Open…"), this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open endpoint file or session"), {},
                                                          tr("Endpoints and sessions (*.py *.loopscope);;Python (*.py);;Loopscope sessions (*.loopscope);;All files (*)"));
        if (path.isEmpty())
            return;
        QString err;
        const bool ok = path.endsWith(QLatin1String(".loopscope")) ? openSession(path, &err) : openFile(path, &err);
        if (!ok)
            showError(tr("Cannot open %1").arg(QFileInfo(path).fileName()), err);
    });
    openAct->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    QAction *saveAct = file->addAction(tr("&Save and Apply"), this, &MainWindow::applyCode);
    saveAct->setShortcut(QKeySequence::Save);
    m_applyAction = saveAct;
    QAction *saveAsAct = file->addAction(tr("Save &As…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save endpoint file"), m_displayName,
                                                          tr("Python (*.py)"));
        if (path.isEmpty())
            return;
        QString err;
        if (!saveFile(path, &err))
            showError(tr("Cannot save"), err);
        else
            applyCode();
    });
    saveAsAct->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    file->addAction(tr("Open Session…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), {}, tr("Loopscope sessions (*.loopscope)"));
        QString err;
        if (!path.isEmpty() && !openSession(path, &err))
            showError(tr("Cannot open the session"), err);
    });
    file->addAction(tr("Save Session…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save session"),
                                                          QFileInfo(m_displayName).completeBaseName() + QStringLiteral(".loopscope"),
                                                          tr("Loopscope sessions (*.loopscope)"));
        QString err;
        if (!path.isEmpty() && !saveSession(path, &err))
            showError(tr("Cannot save the session"), err);
    });
    QMenu *exp = file->addMenu(tr("&Export"));
    exp->addAction(tr("Charts as PNG…"), this, [this] { exportChartsDialog(QStringLiteral("png")); });
    exp->addAction(tr("Charts as SVG…"), this, [this] { exportChartsDialog(QStringLiteral("svg")); });
    exp->addAction(tr("Charts as PDF…"), this, [this] { exportChartsDialog(QStringLiteral("pdf")); });
    exp->addSeparator();
    exp->addAction(tr("Data as CSV…"), this, [this] { exportDataDialog(QStringLiteral("csv")); });
    exp->addAction(tr("Data as JSON…"), this, [this] { exportDataDialog(QStringLiteral("json")); });
    exp->addAction(tr("Perfetto trace…"), this, [this] { exportDataDialog(QStringLiteral("perfetto")); });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Undo"), QKeySequence::Undo, m_editor, &QsciScintilla::undo);
    edit->addAction(tr("&Redo"), QKeySequence::Redo, m_editor, &QsciScintilla::redo);
    edit->addSeparator();
    edit->addAction(tr("Cu&t"), QKeySequence::Cut, m_editor, &QsciScintilla::cut);
    edit->addAction(tr("&Copy"), QKeySequence::Copy, m_editor, &QsciScintilla::copy);
    edit->addAction(tr("&Paste"), QKeySequence::Paste, m_editor, &QsciScintilla::paste);
    edit->addSeparator();
    edit->addAction(tr("&Find…"), QKeySequence::Find, m_findBar, &FindBar::showFind);
    edit->addAction(tr("Find &Next"), QKeySequence::FindNext, m_findBar, &FindBar::findNext);
    edit->addAction(tr("Find &Previous"), QKeySequence::FindPrevious, m_findBar, &FindBar::findPrevious);
    edit->addAction(tr("&Replace…"), QKeySequence(tr("Ctrl+H")), m_findBar, &FindBar::showReplace);
    edit->addAction(tr("&Go to Line…"), QKeySequence(tr("Ctrl+G")), this, [this] {
        bool ok = false;
        const int line = QInputDialog::getInt(this, tr("Go to line"), tr("Line:"), 1, 1, std::max(1, m_editor->lines()), 1, &ok);
        if (ok)
            m_editor->goToLine(line);
    });

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_applyAction);
    m_runAction = run->addAction(tr("Run &Burst"), this, [this] {
        QString why;
        if (!runBurst(&why))
            showError(tr("Cannot run the burst"), why);
    });
    m_runAction->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(tr("Ctrl+R"))});
    m_stopAction = run->addAction(tr("&Stop Burst"), this, &MainWindow::stopBurst);
    m_stopAction->setShortcut(QKeySequence(tr("Shift+F5")));
    m_stopAction->setEnabled(false);
    run->addSeparator();
    run->addAction(tr("Stop &Engine"), this, [this] { m_engine->stopEngine(); });
    run->addSeparator();
    m_compareAction = run->addAction(tr("&Compare with Previous Run"));
    m_compareAction->setCheckable(true);
    m_compareAction->setChecked(true);
    m_compareAction->setToolTip(tr("Overlay the previous run in a lighter colour"));
    connect(m_compareAction, &QAction::toggled, this, [this](bool on) {
        m_charts->setComparison(on ? m_previousRun.get() : nullptr, m_previousLabel);
    });

    QMenu *lessons = menuBar()->addMenu(tr("&Lessons"));
    connect(lessons, &QMenu::aboutToShow, this, [this, lessons] {
        lessons->clear();
        int n = 1;
        for (const Lesson &l : m_lessons.lessons()) {
            QAction *a = lessons->addAction(QStringLiteral("&%1. %2").arg(n++).arg(l.title));
            const QString id = l.id;
            connect(a, &QAction::triggered, this, [this, id] {
                if (maybeSave())
                    openLesson(id);
            });
        }
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Reset &Layout"), this, [this] {
        restoreState(m_defaultState);
        applyDefaultLayout();
    });
    view->addSeparator();
    menuBar()->addMenu(tr("&Help"))->addAction(tr("&About Loopscope"), this, &MainWindow::showAbout);

    QToolBar *tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("MainToolbar"));
    tb->setMovable(false);
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->setIconSize(QSize(16, 16));
    openAct->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_applyAction->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_runAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_stopAction->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    tb->addAction(openAct);
    tb->addAction(m_applyAction);
    tb->addSeparator();
    tb->addAction(m_runAction);
    tb->addAction(m_stopAction);
    tb->addSeparator();
    tb->addAction(m_compareAction);
    QAction *expAct = tb->addAction(tr("Export…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export charts, data, trace and session to"));
        if (dir.isEmpty())
            return;
        QString err;
        const QStringList files = exportAll(dir, &err);
        if (!err.isEmpty())
            showError(tr("Export incomplete"), err);
        else
            statusBar()->showMessage(tr("Exported %n file(s) to %1", nullptr, int(files.size())).arg(dir), 6000);
    });
    expAct->setToolTip(tr("Export everything to a folder"));
    expAct->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));

    connect(view, &QMenu::aboutToShow, this, [this, view] {
        while (view->actions().size() > 2)
            view->removeAction(view->actions().constLast());
        for (QDockWidget *d : {m_burstDock, m_settingsDock, m_lessonsDock, m_endpointsDock})
            view->addAction(d->toggleViewAction());
    });
    updateRecentMenu();
}

void MainWindow::connectEngine()
{
    // A finished run's findings, worked out on a pool thread: shown if that run is still
    // the one on screen (no other burst started or finished since).
    connect(&m_study, &QFutureWatcherBase::finished, this, [this] {
        if (m_study.future().resultCount() == 0)
            return;
        const trace::Session *s = m_engine->session();
        if (!s || s != m_studied || m_engine->burstRunning())
            return;
        showDiagnosis(*m_study.result());
        markBlockingLines(*s);
    });
    connect(m_engine, &EngineController::stateChanged, this, [this](EngineController::State s, const QString &text) {
        m_engineLabel->setText(QStringLiteral("<span style='color:%1'>●</span> %2").arg(stateColor(s), text.toHtmlEscaped()));
        m_portLabel->setText(s == EngineController::State::Running
                                 ? tr("http://127.0.0.1:%1").arg(m_engine->port())
                                 : QString());
        m_burst->setRunEnabled(s == EngineController::State::Running,
                               tr("Apply the code first (Ctrl+S): the engine is not running"));
        if (s == EngineController::State::Running && !m_frameTimer.isActive())
            m_frameTimer.start(m_engine->burstRunning() ? kFrameMs : kIdleFrameMs);
    });
    connect(m_engine, &EngineController::loaded, this, [this](const QList<Endpoint> &eps) {
        m_endpoints->setEndpoints(eps);
        m_errors.clear();
        m_editor->setMarks(m_warnings);
        m_errorLabel->clear();
        statusBar()->showMessage(tr("Applied: %n endpoint(s) loaded", nullptr, int(eps.size())), 4000);
    });
    connect(m_engine, &EngineController::loadFailed, this, &MainWindow::onLoadFailed);
    connect(m_engine, &EngineController::diagnostics, this, &MainWindow::onDiagnostics);
    connect(m_engine, &EngineController::logLines, this, [this](const QStringList &lines, const QList<quint64> &times) {
        if (m_engine->burstRunning() && times.size() == lines.size()) {
            for (qsizetype i = 0; i < lines.size(); ++i)
                m_heldLogs.push_back({times[i], lines[i]});
            return; // shown among the prints by appendNewOutput
        }
        QList<ConsoleLine> out;
        out.reserve(lines.size());
        for (const QString &line : lines)
            out.append({ConsoleLine::Kind::Log, -1, -1, {}, line});
        m_console->append(out);
    });
    connect(m_engine, &EngineController::errorOccurred, this, [this](const QString &msg) {
        m_console->appendLine({ConsoleLine::Kind::Stderr, -1, -1, {}, msg});
        statusBar()->showMessage(msg, 8000);
    });
    connect(m_engine, &EngineController::burstStarted, this, [this] {
        m_burst->setRunning(true);
        m_runAction->setEnabled(false);
        m_stopAction->setEnabled(true);
        m_frames.reset();
        m_intervals.reset();
        m_tick.invalidate();
        m_frameTimer.start(kFrameMs);
    });
    connect(m_engine, &EngineController::burstProgress, m_burst, &BurstPanel::setProgress);
    connect(m_engine, &EngineController::burstFinished, this, &MainWindow::onBurstFinished);
    m_engineLabel->setText(QStringLiteral("<span style='color:%1'>●</span> %2")
                               .arg(stateColor(m_engine->state()), m_engine->stateText().toHtmlEscaped()));
    m_burst->setRunEnabled(m_engine->state() == EngineController::State::Running,
                           tr("Apply the code first (Ctrl+S): the engine is not running"));
}

void MainWindow::setDocument(const QString &text, const QString &path, const QString &displayName, const QString &lessonId)
{
    m_editor->clearMarks();
    m_editor->setBlockingLines({});
    m_editor->setText(text);
    m_editor->setModified(false);
    m_editor->SendScintilla(QsciScintilla::SCI_EMPTYUNDOBUFFER);
    m_editor->goToLine(1);
    m_filePath = path;
    m_displayName = displayName;
    m_lessonId = lessonId;
    m_warnings.clear();
    m_errors.clear();
    m_errorLabel->clear();
    m_endpoints->setEndpoints({});
    updateTitle();
    if (m_options.applyOnOpen)
        applyCode();
}

bool MainWindow::openFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    const QByteArray data = f.readAll();
    if (data.contains('\0')) {
        if (error)
            *error = tr("%1 is not a text file").arg(path);
        return false;
    }
    setDocument(QString::fromUtf8(data), QFileInfo(path).absoluteFilePath(), QFileInfo(path).fileName(), {});
    addRecent(QFileInfo(path).absoluteFilePath());
    m_diagnosis->showIdle();
    return true;
}

bool MainWindow::openLesson(const QString &id)
{
    const Lesson *l = m_lessons.find(id);
    if (!l)
        return false;
    setDocument(l->source, {}, l->fileName, l->id);
    m_burst->setSpec(l->burst);
    m_lessonsPanel->setCurrent(id);
    m_diagnosis->showIdle(l->summary);
    return true;
}

bool MainWindow::saveFile(const QString &path, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    f.write(m_editor->text().toUtf8());
    if (!f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    m_filePath = QFileInfo(path).absoluteFilePath();
    m_displayName = QFileInfo(path).fileName();
    m_lessonId.clear();
    m_editor->setModified(false);
    m_recovery.clear();
    addRecent(m_filePath);
    updateTitle();
    return true;
}

bool MainWindow::openSession(const QString &path, QString *error)
{
    SessionFile sf;
    if (!SessionFile::open(path, &sf, error))
        return false;
    m_settings->setConfig(sf.engine);
    m_engine->setConfig(sf.engine);
    setDocument(sf.code, {}, sf.fileName, {});
    m_burst->setSpec(sf.burst);
    trace::Session s;
    if (SessionJson::fromJson(sf.results.value(QStringLiteral("model")).toObject(), &s)) {
        m_engine->showSession(s);
        showSessionResults(s, true);
    }
    addRecent(QFileInfo(path).absoluteFilePath());
    statusBar()->showMessage(tr("Session %1 reopened").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

bool MainWindow::saveSession(const QString &path, QString *error)
{
    SessionFile sf;
    sf.fileName = m_displayName;
    sf.code = m_editor->text();
    sf.engine = m_settings->config();
    sf.burst = m_burst->spec();
    if (const trace::Session *s = m_engine->session()) {
        sf.results = m_engine->resultsJson();
        sf.results.insert(QStringLiteral("model"), SessionJson::toJson(*s));
    }
    return sf.save(path, error);
}

void MainWindow::applyCode()
{
    if (!m_filePath.isEmpty() && m_editor->isModified()) {
        QString err;
        if (!saveFile(m_filePath, &err)) {
            showError(tr("Cannot save %1").arg(m_displayName), err);
            return;
        }
    }
    // The engine answers with fresh errors and warnings for this text.
    m_errors.clear();
    m_warnings.clear();
    m_editor->clearMarks();
    m_errorLabel->clear();
    m_engine->setConfig(m_settings->config());
    m_engine->apply(m_editor->text(), m_displayName.isEmpty() ? QStringLiteral("app.py") : m_displayName);
}

bool MainWindow::runBurst(QString *why)
{
    const BurstSpec spec = m_burst->spec();
    // Keep the run on screen as the comparison for the next one.
    if (const trace::Session *s = m_engine->session(); s && !s->requests.empty()) {
        m_previousRun = std::make_unique<trace::Session>(*s);
        m_previousLabel = m_runLabel;
    }
    if (!m_engine->runBurst(spec, why))
        return false;
    ++m_burstCount;
    m_runLabel = tr("run %1: %2").arg(m_burstCount).arg(m_displayName);
    m_printsShown = 0;
    m_warningsShown = 0;
    m_charts->clear();
    m_charts->setComparison(m_compareAction->isChecked() ? m_previousRun.get() : nullptr, m_previousLabel);
    m_console->appendLine({ConsoleLine::Kind::Log, -1, -1, {},
                           tr("── burst %1: %2 × %3 over %4 connection(s) ──")
                               .arg(m_burstCount)
                               .arg(spec.mode == BurstSpec::Mode::Duration ? tr("%1 s of").arg(spec.duration)
                                                                           : QString::number(spec.requests))
                               .arg(spec.path)
                               .arg(spec.effectiveConnections())});
    return true;
}

void MainWindow::stopBurst()
{
    m_engine->stopBurst();
}

void MainWindow::frame()
{
    if (m_tick.isValid() && m_engine->burstRunning())
        m_intervals.add(double(m_tick.nsecsElapsed()) / 1e6);
    m_tick.start();
    m_frames.begin();
    const bool changed = m_engine->poll();
    if (changed) {
        if (const trace::Session *s = m_engine->session())
            showSessionResults(*s, false);
    }
    m_frames.end();
    if (m_engine->burstRunning() && m_frames.count() % 30 == 0)
        m_frameLabel->setText(tr("frame p99 %1 ms").arg(m_frames.quantile(0.99), 0, 'f', 1));
    if (!m_engine->burstRunning() && m_engine->state() != EngineController::State::Running)
        m_frameTimer.stop();
}

void MainWindow::showSessionResults(const trace::Session &s, bool finished)
{
    // Both are drawn only where they are seen (other tabs when shown); a finished run takes
    // the place of the live one.
    if (finished)
        m_charts->replaceSession(s);
    else
        m_charts->updateSession(s);
    appendNewOutput(s);
    if (finished)
        showFindings(s);
}

struct MainWindow::RunStudy {
    std::vector<trace::Finding> findings;
    trace::LatencySummary latency;
    double wall = 0;
    int errors = 0;
    int requests = 0;
};

std::shared_ptr<const MainWindow::RunStudy> MainWindow::studyRun(const trace::Session &s)
{
    auto study = std::make_shared<RunStudy>();
    study->findings = trace::diagnose(s);
    study->latency = s.latency();
    study->wall = s.wall();
    study->errors = s.errors();
    study->requests = int(s.requests.size());
    return study;
}

void MainWindow::showFindings(const trace::Session &s)
{
    showDiagnosis(*studyRun(s));
    markBlockingLines(s);
}

void MainWindow::showFindingsSoon()
{
    const std::shared_ptr<const trace::Session> run = m_engine->finishedSession();
    if (!run)
        return;
    auto promise = std::make_shared<QPromise<std::shared_ptr<const RunStudy>>>();
    m_studied = run.get();
    m_study.setFuture(promise->future());
    // The run is shared with the task: it stays whole even if another run replaces it.
    QThreadPool::globalInstance()->start([promise, run] {
        promise->start();
        promise->addResult(studyRun(*run));
        promise->finish();
    });
}

void MainWindow::markBlockingLines(const trace::Session &s)
{
    QList<QPair<int, QString>> lines;
    std::set<int> seen;
    for (const trace::BlockedSpan &b : s.loop.blocked) {
        const int line = b.line();
        const QString file = QString::fromStdString(b.file());
        if (line > 0 && (file.isEmpty() || file == m_displayName) && seen.insert(line).second)
            lines.append({line, QString::fromStdString(b.call)});
    }
    m_editor->setBlockingLines(lines);
}

void MainWindow::appendNewOutput(const trace::Session &s, bool final)
{
    if (m_printsShown > s.prints.size())
        m_printsShown = 0;
    QList<ConsoleLine> out;
    // A log line goes out once the session has reached the time it was logged at: every
    // print before it is in the session by then.
    const std::uint64_t origin = m_engine->sessionOriginNs();
    std::vector<HeldLog> later;
    for (HeldLog &h : m_heldLogs) {
        const double t = origin ? (h.ns > origin ? double(h.ns - origin) / 1e9 : 0.0) : -1.0;
        if (final || !origin || t <= s.end)
            out.append({ConsoleLine::Kind::Log, t, -1, {}, std::move(h.text)});
        else
            later.push_back(std::move(h));
    }
    m_heldLogs.swap(later);
    for (size_t i = m_printsShown; i < s.prints.size(); ++i) {
        const trace::PrintLine &p = s.prints[i];
        out.append({p.stream ? ConsoleLine::Kind::Stderr : ConsoleLine::Kind::Print, p.t, p.request,
                    QString::fromStdString(p.thread), QString::fromStdString(p.text)});
    }
    m_printsShown = s.prints.size();
    if (m_warningsShown > s.loop.warnings.size())
        m_warningsShown = 0;
    for (size_t i = m_warningsShown; i < s.loop.warnings.size(); ++i) {
        const trace::LoopWarningLine &w = s.loop.warnings[i];
        out.append({ConsoleLine::Kind::Warning, w.t, -1, {}, QString::fromStdString(w.text)});
    }
    m_warningsShown = s.loop.warnings.size();
    std::stable_sort(out.begin(), out.end(), [](const ConsoleLine &a, const ConsoleLine &b) { return a.t < b.t; });
    m_console->append(out);
}

void MainWindow::showDiagnosis(const RunStudy &study)
{
    QList<Finding> findings;
    for (const trace::Finding &f : study.findings) {
        Finding g;
        g.level = f.severity == trace::Finding::Severity::Critical ? Finding::Level::Problem
                  : f.severity == trace::Finding::Severity::Warning ? Finding::Level::Warning
                                                                    : Finding::Level::Info;
        const QString text = QString::fromStdString(f.text);
        const qsizetype dot = text.indexOf(QLatin1String(". "));
        g.title = dot > 0 ? text.left(dot + 1) : text;
        g.detail = dot > 0 ? text.mid(dot + 2) : QString();
        g.line = (f.file.empty() || QString::fromStdString(f.file) == m_displayName) ? f.line : 0;
        findings.append(g);
    }
    const trace::LatencySummary &lat = study.latency;
    const int n = study.requests;
    if (findings.isEmpty())
        findings.append({Finding::Level::Good, tr("Nothing held anything up."),
                         tr("The loop was never blocked and no request waited for a thread."), 0});
    const QString headline = tr("%n request(s) in %1 s · p50 %2 ms · p99 %3 ms · %4 error(s)", nullptr, n)
                                 .arg(study.wall, 0, 'f', 2)
                                 .arg(lat.p50, 0, 'f', 0)
                                 .arg(lat.p99, 0, 'f', 0)
                                 .arg(study.errors);
    m_diagnosis->setFindings(findings, headline);
}

void MainWindow::onLoadFailed(const QList<SourceMark> &errors)
{
    m_errors = errors;
    QList<SourceMark> all = errors;
    all.append(m_warnings);
    m_editor->setMarks(all);
    if (!errors.isEmpty()) {
        const SourceMark &e = errors.first();
        m_errorLabel->setText(tr("line %1: %2").arg(e.line).arg(e.message));
        m_editor->goToLine(e.line, e.column);
        m_console->appendLine({ConsoleLine::Kind::Stderr, -1, -1, {},
                               tr("%1:%2:%3: %4").arg(m_displayName).arg(e.line).arg(e.column).arg(e.message)});
    }
    statusBar()->showMessage(tr("The code has errors: nothing new runs until they are fixed"), 6000);
}

void MainWindow::onDiagnostics(const QList<SourceMark> &warnings)
{
    m_warnings = warnings;
    QList<SourceMark> all = m_errors;
    all.append(warnings);
    m_editor->setMarks(all);
}

void MainWindow::onBurstFinished(bool stopped)
{
    // Between bursts only late log lines arrive: a slower tick is plenty.
    m_frameTimer.setInterval(kIdleFrameMs);
    m_burst->setRunning(false);
    m_runAction->setEnabled(true);
    m_stopAction->setEnabled(false);
    // The charts take the finished run now; the diagnosis and the editor's marks when it
    // has been studied off the GUI thread, so that the frame the burst ends in stays within
    // budget.
    if (const trace::Session *s = m_engine->session()) {
        m_charts->replaceSession(*s);
        appendNewOutput(*s, true);
        showFindingsSoon();
    }
    m_frameLabel->setText(tr("frame p99 %1 ms").arg(m_frames.quantile(0.99), 0, 'f', 1));
    statusBar()->showMessage(stopped ? tr("Burst stopped") : tr("Burst finished"), 5000);
}

QStringList MainWindow::exportAll(const QString &dir, QString *error)
{
    QStringList files;
    QDir().mkpath(dir);
    const QString base = QDir(dir).filePath(QFileInfo(m_displayName.isEmpty() ? QStringLiteral("loopscope") : m_displayName).completeBaseName());
    QString err;
    if (const trace::Session *s = m_engine->session())
        m_charts->updateSession(*s, true);
    for (const QString &fmt : {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
        files += m_charts->exportCharts(dir, fmt, &err);
        if (!err.isEmpty())
            break;
    }
    auto step = [&](const QString &path, bool ok) {
        if (ok)
            files << path;
    };
    if (err.isEmpty()) {
        QString e;
        step(base + QStringLiteral(".csv"), m_engine->exportCsv(base + QStringLiteral(".csv"), &e));
        if (!e.isEmpty())
            err = e;
        e.clear();
        step(base + QStringLiteral(".json"), m_engine->exportJson(base + QStringLiteral(".json"), &e));
        if (!e.isEmpty() && err.isEmpty())
            err = e;
        e.clear();
        step(base + QStringLiteral(".perfetto.json"), m_engine->exportPerfetto(base + QStringLiteral(".perfetto.json"), &e));
        if (!e.isEmpty() && err.isEmpty())
            err = e;
        e.clear();
        step(base + QStringLiteral(".loopscope"), saveSession(base + QStringLiteral(".loopscope"), &e));
        if (!e.isEmpty() && err.isEmpty())
            err = e;
    }
    if (error)
        *error = err;
    return files;
}

void MainWindow::exportChartsDialog(const QString &format)
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the charts as %1 to").arg(format.toUpper()));
    if (dir.isEmpty())
        return;
    QString err;
    if (const trace::Session *s = m_engine->session())
        m_charts->updateSession(*s, true);
    const QStringList files = m_charts->exportCharts(dir, format, &err);
    if (!err.isEmpty())
        showError(tr("Cannot export the charts"), err);
    else
        statusBar()->showMessage(tr("Wrote %n chart(s) to %1", nullptr, int(files.size())).arg(dir), 5000);
}

void MainWindow::exportDataDialog(const QString &kind)
{
    const QString ext = kind == QLatin1String("perfetto") ? QStringLiteral("perfetto.json") : kind;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export"),
                                                      QFileInfo(m_displayName).completeBaseName() + QLatin1Char('.') + ext);
    if (path.isEmpty())
        return;
    QString err;
    const bool ok = kind == QLatin1String("csv")    ? m_engine->exportCsv(path, &err)
                    : kind == QLatin1String("json") ? m_engine->exportJson(path, &err)
                                                    : m_engine->exportPerfetto(path, &err);
    if (!ok)
        showError(tr("Cannot export"), err);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
}

void MainWindow::showError(const QString &title, const QString &text)
{
    if (QApplication::platformName() == QLatin1String("offscreen")) {
        // Tests and headless runs: never block on a dialog.
        statusBar()->showMessage(title + QStringLiteral(": ") + text, 8000);
        return;
    }
    QMessageBox box(QMessageBox::Warning, title, title, QMessageBox::Ok, this);
    box.setInformativeText(text);
    box.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Loopscope"),
        tr("<h3>Loopscope %1</h3>"
           "<p>A profiler and playground for FastAPI's concurrency model: <tt>async def</tt> on one "
           "event-loop thread, <tt>def</tt> on a thread pool behind a CapacityLimiter(40), one GIL per "
           "process.</p><p>Edit endpoints, fire bursts, and see what blocked the loop, which request "
           "waited for a thread and why responses came back in the order they did.</p>")
            .arg(QStringLiteral(LOOPSCOPE_UI_VERSION)));
}

void MainWindow::updateTitle()
{
    QString name = m_displayName.isEmpty() ? tr("untitled.py") : m_displayName;
    if (!m_lessonId.isEmpty())
        name += tr(" (lesson)");
    setWindowTitle(QStringLiteral("%1%2 — Loopscope").arg(name, m_editor->isModified() ? QStringLiteral(" •") : QString()));
    m_fileLabel->setText(m_displayName + (m_editor->isModified() ? QStringLiteral(" •") : QString()));
    m_fileLabel->setToolTip(m_filePath.isEmpty() ? tr("Not saved to disk: Save As to keep it") : m_filePath);
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    QSettings s;
    const QStringList recent = s.value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent) {
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] {
            if (!maybeSave())
                return;
            QString err;
            const bool ok = path.endsWith(QLatin1String(".loopscope")) ? openSession(path, &err) : openFile(path, &err);
            if (!ok)
                showError(tr("Cannot open %1").arg(path), err);
        })->setToolTip(path);
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

bool MainWindow::maybeSave()
{
    if (!m_editor->isModified() || QApplication::platformName() == QLatin1String("offscreen"))
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                              tr("%1 has unsaved changes. Save them?").arg(m_displayName),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard) {
        m_recovery.clear();
        return true;
    }
    QString path = m_filePath;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Save endpoint file"), m_displayName, tr("Python (*.py)"));
    if (path.isEmpty())
        return false;
    QString err;
    if (!saveFile(path, &err)) {
        showError(tr("Cannot save"), err);
        return false;
    }
    return true;
}

void MainWindow::checkRecovery()
{
    RecoveryState st;
    if (!m_recovery.hasRecovery() || !m_recovery.load(&st))
        return;
    if (m_options.askAboutRecovery) {
        const auto answer = QMessageBox::question(
            this, tr("Recover unsaved edits?"),
            tr("Loopscope did not close cleanly last time. Restore the unsaved edits of %1?")
                .arg(st.originalPath.isEmpty() ? tr("an untitled file") : QFileInfo(st.originalPath).fileName()),
            QMessageBox::Yes | QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            m_recovery.clear();
            return;
        }
    }
    const QString name = st.originalPath.isEmpty() ? QStringLiteral("recovered.py") : QFileInfo(st.originalPath).fileName();
    // Open what is on disk, then apply the recovered text as one edit: the buffer shows as
    // modified and Undo goes back to the saved version.
    QString onDisk;
    QFile f(st.originalPath);
    if (!st.originalPath.isEmpty() && f.open(QIODevice::ReadOnly))
        onDisk = QString::fromUtf8(f.readAll());
    const bool apply = m_options.applyOnOpen;
    m_options.applyOnOpen = false;
    setDocument(onDisk, st.originalPath, name, {});
    m_options.applyOnOpen = apply;
    m_editor->selectAll();
    m_editor->replaceSelectedText(st.text);
    m_editor->goToLine(1);
    updateTitle();
    statusBar()->showMessage(tr("Unsaved edits restored"), 6000);
}

void MainWindow::saveSettings()
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    m_settings->config().save(s);
    s.setValue(QStringLiteral("burst/last"), QJsonDocument(m_burst->spec().toJson()).toJson(QJsonDocument::Compact));
}

void MainWindow::restoreSettings()
{
    QSettings s;
    const EngineConfig c = EngineConfig::load(s);
    m_settings->setConfig(c);
    m_engine->setConfig(c);
    if (s.contains(QStringLiteral("window/geometry")))
        restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    if (s.contains(QStringLiteral("window/state")))
        restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent *e)
{
    if (!maybeSave()) {
        e->ignore();
        return;
    }
    m_frameTimer.stop();
    m_autosaveTimer.stop();
    if (m_engine->burstRunning())
        m_engine->stopBurst();
    saveSettings();
    m_recovery.clear();
    e->accept();
}

int runApp(int argc, char **argv, QString fileToOpen)
{
    QElapsedTimer startup;
    startup.start();
    QApplication app(argc, argv);
    LessonLibrary::initResources();
    QApplication::setOrganizationName(QStringLiteral("Loopscope"));
    QApplication::setApplicationName(QStringLiteral("loopscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("Loopscope"));
    QApplication::setApplicationVersion(QStringLiteral(LOOPSCOPE_UI_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("loopscope"));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette pal = QApplication::palette();
    pal.setColor(QPalette::Window, QColor(0xf6, 0xf7, 0xf9));
    pal.setColor(QPalette::Base, Qt::white);
    pal.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
    pal.setColor(QPalette::Highlight, QColor(0x1e, 0x6f, 0xd9));
    pal.setColor(QPalette::Button, QColor(0xf0, 0xf2, 0xf5));
    QApplication::setPalette(pal);
    app.setStyleSheet(QString::fromLatin1(kAppStyle));
    app.setWindowIcon(QIcon(QStringLiteral(":/icons/loopscope.svg")));

    MainWindow w;
    QSettings s;
    if (!s.contains(QStringLiteral("window/geometry")))
        w.resize(MainWindow::defaultSize(w.screen() ? w.screen()->availableGeometry().size() : QSize()));
    w.show();
    w.checkRecovery();
    if (w.currentFilePath().isEmpty() && w.editor()->text().isEmpty()) {
        bool opened = false;
        if (!fileToOpen.isEmpty()) {
            QString err;
            opened = fileToOpen.endsWith(QLatin1String(".loopscope")) ? w.openSession(fileToOpen, &err)
                                                                       : w.openFile(fileToOpen, &err);
            if (!opened)
                QMessageBox::warning(&w, QObject::tr("Cannot open %1").arg(fileToOpen), err);
        }
        if (!opened && !w.lessons().lessons().isEmpty())
            w.openLesson(w.lessons().lessons().first().id);
    }
    QTimer::singleShot(0, &w, [&startup] {
        if (qEnvironmentVariableIsSet("LOOPSCOPE_STARTUP_TIME"))
            qInfo("loopscope: window up in %lld ms", static_cast<long long>(startup.elapsed()));
    });
    if (qEnvironmentVariableIsSet("LOOPSCOPE_QUIT_AFTER_MS"))
        QTimer::singleShot(qEnvironmentVariableIntValue("LOOPSCOPE_QUIT_AFTER_MS"), &app, &QApplication::quit);
    return app.exec();
}

} // namespace loopscope::ui
