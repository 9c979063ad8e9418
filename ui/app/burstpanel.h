// BurstPanel: fires client bursts at the running engine — a path template with {i},
// requests, connections, mode (burst / duration / rate), keep-alive, browser-like
// 6 connections, extra delayed requests — with Run/Stop, progress and saved presets.
#pragma once

#include "burstspec.h"

#include <QWidget>

class QComboBox;
class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QPlainTextEdit;
class QPushButton;
class QProgressBar;
class QLabel;
class QSettings;

namespace loopscope::ui {

class BurstPanel : public QWidget {
    Q_OBJECT
public:
    explicit BurstPanel(QWidget *parent = nullptr);

    BurstSpec spec() const;
    void setSpec(const BurstSpec &spec);

    // Reads the extras box ("AT:PATH" per line); false with the bad line in *bad.
    bool parseExtras(QList<ExtraRequest> *out, QString *bad) const;

    void setRunning(bool running);
    bool isRunning() const { return m_running; }
    void setProgress(int done, int total);
    void setRunEnabled(bool enabled, const QString &why = {});

    void reloadPresets(QSettings &s);

    QPushButton *runButton() const { return m_run; }
    QPushButton *stopButton() const { return m_stop; }

signals:
    void runRequested(const loopscope::ui::BurstSpec &spec);
    void stopRequested();

private:
    void requestRun();
    void updateModeWidgets();

    QComboBox *m_path;
    QSpinBox *m_requests;
    QSpinBox *m_connections;
    QComboBox *m_mode;
    QDoubleSpinBox *m_duration;
    QDoubleSpinBox *m_rate;
    QCheckBox *m_keepAlive;
    QCheckBox *m_browser;
    QPlainTextEdit *m_extras;
    QPushButton *m_run;
    QPushButton *m_stop;
    QProgressBar *m_progress;
    QLabel *m_message;
    QComboBox *m_presets;
    bool m_running = false;
    bool m_runEnabled = true;
};

} // namespace loopscope::ui
