#include "settingspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace loopscope::ui {

SettingsPanel::SettingsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 8, 8, 8);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);

    m_threads = new QSpinBox(this);
    m_threads->setRange(1, 10000);
    m_threads->setToolTip(tr("AnyIO's default CapacityLimiter: how many def endpoints / run_in_threadpool calls run at once (FastAPI: 40)"));
    form->addRow(tr("Thread limiter"), m_threads);

    m_wakeOrder = new QComboBox(this);
    m_wakeOrder->addItem(tr("FIFO (AnyIO 4+)"));
    m_wakeOrder->addItem(tr("LIFO (AnyIO 3.x)"));
    m_wakeOrder->setToolTip(tr("Which waiting request gets a freed token: the oldest (AnyIO >= 4) or the newest (AnyIO 3.x)"));
    form->addRow(tr("Wake order"), m_wakeOrder);

    m_executor = new QSpinBox(this);
    m_executor->setRange(0, 1024);
    m_executor->setSpecialValueText(tr("auto: min(32, cpu + 4)"));
    m_executor->setToolTip(tr("asyncio's default executor (loop.run_in_executor(None, ...), asyncio.to_thread)"));
    form->addRow(tr("Default executor"), m_executor);

    m_gil = new QCheckBox(tr("One GIL per process"), this);
    m_gil->setToolTip(tr("Off: free-threaded Python (3.13t), CPU-bound threads run in parallel"));
    form->addRow(tr("GIL"), m_gil);

    m_switchMs = new QDoubleSpinBox(this);
    m_switchMs->setRange(0.1, 1000);
    m_switchMs->setDecimals(1);
    m_switchMs->setSuffix(tr(" ms"));
    m_switchMs->setToolTip(tr("sys.setswitchinterval(): how often a CPU-bound thread hands the GIL over (5 ms)"));
    form->addRow(tr("Switch interval"), m_switchMs);

    m_workers = new QSpinBox(this);
    m_workers->setRange(1, 64);
    m_workers->setToolTip(tr("uvicorn --workers: processes, each with its own loop, 40 tokens, GIL and globals"));
    form->addRow(tr("Workers"), m_workers);

    m_keepAlive = new QDoubleSpinBox(this);
    m_keepAlive->setRange(0, 3600);
    m_keepAlive->setDecimals(1);
    m_keepAlive->setSuffix(tr(" s"));
    m_keepAlive->setToolTip(tr("uvicorn --timeout-keep-alive (5 s)"));
    form->addRow(tr("Keep-alive timeout"), m_keepAlive);

    m_slowCallbackMs = new QDoubleSpinBox(this);
    m_slowCallbackMs->setRange(1, 60000);
    m_slowCallbackMs->setDecimals(0);
    m_slowCallbackMs->setSuffix(tr(" ms"));
    m_slowCallbackMs->setToolTip(tr("asyncio debug mode: warn about loop steps longer than this (100 ms)"));
    form->addRow(tr("Slow callback"), m_slowCallbackMs);

    m_limitConcurrency = new QSpinBox(this);
    m_limitConcurrency->setRange(0, 1000000);
    m_limitConcurrency->setSpecialValueText(tr("none"));
    m_limitConcurrency->setToolTip(tr("uvicorn --limit-concurrency: answer 503 above this many connections/tasks"));
    form->addRow(tr("Limit concurrency"), m_limitConcurrency);

    m_port = new QSpinBox(this);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setToolTip(tr("The engine listens on 127.0.0.1 only"));
    form->addRow(tr("Port"), m_port);

    outer->addLayout(form);
    auto *reset = new QPushButton(tr("FastAPI defaults"), this);
    reset->setToolTip(tr("40 tokens, FIFO, GIL on, 5 ms switch interval, 1 worker, 5 s keep-alive"));
    outer->addWidget(reset, 0, Qt::AlignRight);
    auto *note = new QLabel(tr("Changes apply to the running engine on the next Apply (Ctrl+S)."), this);
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color:#6a737d"));
    outer->addWidget(note);
    outer->addStretch();

    connect(reset, &QPushButton::clicked, this, [this] {
        setConfig(EngineConfig{});
        emitChanged();
    });
    auto hook = [this] { emitChanged(); };
    connect(m_threads, &QSpinBox::valueChanged, this, hook);
    connect(m_wakeOrder, &QComboBox::currentIndexChanged, this, hook);
    connect(m_executor, &QSpinBox::valueChanged, this, hook);
    connect(m_gil, &QCheckBox::toggled, this, hook);
    connect(m_gil, &QCheckBox::toggled, m_switchMs, &QWidget::setEnabled);
    connect(m_switchMs, &QDoubleSpinBox::valueChanged, this, hook);
    connect(m_workers, &QSpinBox::valueChanged, this, hook);
    connect(m_keepAlive, &QDoubleSpinBox::valueChanged, this, hook);
    connect(m_slowCallbackMs, &QDoubleSpinBox::valueChanged, this, hook);
    connect(m_limitConcurrency, &QSpinBox::valueChanged, this, hook);
    connect(m_port, &QSpinBox::valueChanged, this, hook);
    setConfig(EngineConfig{});
}

EngineConfig SettingsPanel::config() const
{
    EngineConfig c;
    c.threads = m_threads->value();
    c.limiterLifo = m_wakeOrder->currentIndex() == 1;
    c.defaultExecutorThreads = m_executor->value();
    c.gil = m_gil->isChecked();
    c.switchInterval = m_switchMs->value() / 1000.0;
    c.workers = m_workers->value();
    c.keepAliveTimeout = m_keepAlive->value();
    c.slowCallbackDuration = m_slowCallbackMs->value() / 1000.0;
    c.limitConcurrency = m_limitConcurrency->value();
    c.port = quint16(m_port->value());
    return c;
}

void SettingsPanel::setConfig(const EngineConfig &in)
{
    const EngineConfig c = in.sanitized();
    m_updating = true;
    m_threads->setValue(c.threads);
    m_wakeOrder->setCurrentIndex(c.limiterLifo ? 1 : 0);
    m_executor->setValue(c.defaultExecutorThreads);
    m_gil->setChecked(c.gil);
    m_switchMs->setEnabled(c.gil);
    m_switchMs->setValue(c.switchInterval * 1000.0);
    m_workers->setValue(c.workers);
    m_keepAlive->setValue(c.keepAliveTimeout);
    m_slowCallbackMs->setValue(c.slowCallbackDuration * 1000.0);
    m_limitConcurrency->setValue(c.limitConcurrency);
    m_port->setValue(c.port);
    m_updating = false;
}

void SettingsPanel::emitChanged()
{
    if (!m_updating)
        emit changed(config());
}

} // namespace loopscope::ui
