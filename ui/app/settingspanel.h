// SettingsPanel: the engine's knobs, as FastAPI/AnyIO/Uvicorn name them: the thread
// limiter (40 tokens, FIFO/LIFO), asyncio's default executor, the GIL and its switch
// interval, workers, keep-alive timeout, slow-callback threshold, limit-concurrency.
#pragma once

#include "engineconfig.h"

#include <QWidget>

class QSpinBox;
class QDoubleSpinBox;
class QComboBox;
class QCheckBox;

namespace loopscope::ui {

class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPanel(QWidget *parent = nullptr);

    EngineConfig config() const;
    void setConfig(const EngineConfig &c);

signals:
    void changed(const loopscope::ui::EngineConfig &config);

private:
    void emitChanged();

    QSpinBox *m_threads;
    QComboBox *m_wakeOrder;
    QSpinBox *m_executor;
    QCheckBox *m_gil;
    QDoubleSpinBox *m_switchMs;
    QSpinBox *m_workers;
    QDoubleSpinBox *m_keepAlive;
    QDoubleSpinBox *m_slowCallbackMs;
    QSpinBox *m_limitConcurrency;
    QSpinBox *m_port;
    bool m_updating = false;
};

} // namespace loopscope::ui
