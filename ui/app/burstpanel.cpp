#include "burstpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace loopscope::ui {

BurstPanel::BurstPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 8, 8, 8);
    outer->setSpacing(6);

    auto *presetRow = new QHBoxLayout;
    m_presets = new QComboBox(this);
    m_presets->setPlaceholderText(tr("Presets"));
    m_presets->setToolTip(tr("Saved bursts"));
    auto *savePreset = new QToolButton(this);
    savePreset->setText(tr("Save…"));
    savePreset->setToolTip(tr("Save this burst as a preset"));
    auto *deletePreset = new QToolButton(this);
    deletePreset->setText(tr("Delete"));
    presetRow->addWidget(m_presets, 1);
    presetRow->addWidget(savePreset);
    presetRow->addWidget(deletePreset);
    outer->addLayout(presetRow);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    m_path = new QComboBox(this);
    m_path->setObjectName(QStringLiteral("PathEdit"));
    m_path->setEditable(true);
    m_path->setInsertPolicy(QComboBox::NoInsert);
    m_path->setToolTip(tr("Request path; {i} is replaced by the request's index"));
    form->addRow(tr("Path"), m_path);

    m_mode = new QComboBox(this);
    m_mode->addItem(tr("Burst: N requests at once"), int(BurstSpec::Mode::Burst));
    m_mode->addItem(tr("Duration: as fast as possible for S s"), int(BurstSpec::Mode::Duration));
    m_mode->addItem(tr("Rate: N requests at R per second"), int(BurstSpec::Mode::Rate));
    form->addRow(tr("Mode"), m_mode);

    m_requests = new QSpinBox(this);
    m_requests->setObjectName(QStringLiteral("RequestsSpin"));
    m_requests->setRange(1, 1000000);
    form->addRow(tr("Requests"), m_requests);
    m_connections = new QSpinBox(this);
    m_connections->setObjectName(QStringLiteral("ConnectionsSpin"));
    m_connections->setRange(1, 10000);
    m_connections->setToolTip(tr("Client connections the requests share (one keep-alive connection answers in order)"));
    form->addRow(tr("Connections"), m_connections);
    m_duration = new QDoubleSpinBox(this);
    m_duration->setRange(0.1, 3600);
    m_duration->setSuffix(tr(" s"));
    form->addRow(tr("Duration"), m_duration);
    m_rate = new QDoubleSpinBox(this);
    m_rate->setRange(0.1, 1000000);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" req/s"));
    form->addRow(tr("Rate"), m_rate);

    m_keepAlive = new QCheckBox(tr("Keep-alive (reuse connections)"), this);
    form->addRow(QString(), m_keepAlive);
    m_browser = new QCheckBox(tr("Browser: at most 6 connections"), this);
    m_browser->setToolTip(tr("Like a browser: one host gets at most 6 keep-alive connections"));
    form->addRow(QString(), m_browser);

    m_extras = new QPlainTextEdit(this);
    m_extras->setObjectName(QStringLiteral("ExtrasEdit"));
    m_extras->setPlaceholderText(tr("Extra requests, one per line: AT:PATH\n0.2:/fast?i=99"));
    m_extras->setMaximumHeight(54);
    m_extras->setTabChangesFocus(true);
    form->addRow(tr("Extras"), m_extras);
    outer->addLayout(form);

    auto *runRow = new QHBoxLayout;
    m_run = new QPushButton(tr("Run burst"), this);
    m_run->setObjectName(QStringLiteral("RunButton"));
    m_run->setToolTip(tr("Fire the burst at the running engine (F5)"));
    m_run->setDefault(true);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setToolTip(tr("Stop the burst (Shift+F5)"));
    m_stop->setEnabled(false);
    runRow->addWidget(m_run, 1);
    runRow->addWidget(m_stop);
    outer->addLayout(runRow);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("No burst run yet"));
    m_progress->setTextVisible(true);
    // Flat and opaque: the style's shaded bar is partly translucent, and Qt hands such fills
    // to its paint threads, which the GUI thread then waits for on every update of a burst.
    m_progress->setStyleSheet(QStringLiteral(
        "QProgressBar { border: 1px solid #c3c7cd; background: #f1f2f4; text-align: center; min-height: 18px; }"
        "QProgressBar::chunk { background: #9cc3e6; }"));
    outer->addWidget(m_progress);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color:#c62828"));
    m_message->hide();
    outer->addWidget(m_message);
    outer->addStretch();

    connect(m_mode, &QComboBox::currentIndexChanged, this, &BurstPanel::updateModeWidgets);
    connect(m_run, &QPushButton::clicked, this, &BurstPanel::requestRun);
    connect(m_stop, &QPushButton::clicked, this, &BurstPanel::stopRequested);
    connect(m_presets, &QComboBox::textActivated, this, [this](const QString &name) {
        QSettings s;
        BurstSpec spec;
        if (BurstPresets::load(s, name, &spec))
            setSpec(spec);
    });
    connect(savePreset, &QToolButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save burst preset"), tr("Name:"), QLineEdit::Normal,
                                                   m_presets->currentText(), &ok).trimmed();
        if (!ok || name.isEmpty())
            return;
        QSettings s;
        BurstPresets::save(s, name, spec());
        reloadPresets(s);
        m_presets->setCurrentText(name);
    });
    connect(deletePreset, &QToolButton::clicked, this, [this] {
        if (m_presets->currentText().isEmpty())
            return;
        QSettings s;
        BurstPresets::remove(s, m_presets->currentText());
        reloadPresets(s);
    });

    setSpec(BurstSpec{});
    QSettings s;
    reloadPresets(s);
}

void BurstPanel::reloadPresets(QSettings &s)
{
    m_presets->clear();
    m_presets->addItems(BurstPresets::names(s));
    m_presets->setCurrentIndex(-1);
}

void BurstPanel::updateModeWidgets()
{
    const auto mode = BurstSpec::Mode(m_mode->currentData().toInt());
    m_duration->setEnabled(mode == BurstSpec::Mode::Duration);
    m_rate->setEnabled(mode == BurstSpec::Mode::Rate);
    m_requests->setEnabled(mode != BurstSpec::Mode::Duration);
}

bool BurstPanel::parseExtras(QList<ExtraRequest> *out, QString *bad) const
{
    out->clear();
    const QStringList lines = m_extras->toPlainText().split(QLatin1Char('\n'));
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        ExtraRequest e;
        if (!BurstSpec::parseExtra(line, &e)) {
            if (bad)
                *bad = line;
            return false;
        }
        out->append(e);
    }
    return true;
}

BurstSpec BurstPanel::spec() const
{
    BurstSpec s;
    s.path = m_path->currentText().trimmed();
    s.requests = m_requests->value();
    s.connections = m_connections->value();
    s.mode = BurstSpec::Mode(m_mode->currentData().toInt());
    s.duration = m_duration->value();
    s.rate = m_rate->value();
    s.keepAlive = m_keepAlive->isChecked();
    s.browser = m_browser->isChecked();
    parseExtras(&s.extras, nullptr);
    return s;
}

void BurstPanel::setSpec(const BurstSpec &s)
{
    if (m_path->findText(s.path) < 0)
        m_path->insertItem(0, s.path);
    m_path->setCurrentText(s.path);
    m_requests->setValue(s.requests);
    m_connections->setValue(s.connections);
    m_mode->setCurrentIndex(std::max(0, m_mode->findData(int(s.mode))));
    m_duration->setValue(s.duration);
    m_rate->setValue(s.rate);
    m_keepAlive->setChecked(s.keepAlive);
    m_browser->setChecked(s.browser);
    QStringList lines;
    for (const ExtraRequest &e : s.extras)
        lines << QStringLiteral("%1:%2").arg(e.at).arg(e.path);
    m_extras->setPlainText(lines.join(QLatin1Char('\n')));
    updateModeWidgets();
}

void BurstPanel::requestRun()
{
    QList<ExtraRequest> extras;
    QString bad;
    if (!parseExtras(&extras, &bad)) {
        m_message->setText(tr("Extra request \"%1\" is not AT:PATH (e.g. 0.2:/fast?i=99)").arg(bad));
        m_message->show();
        return;
    }
    const BurstSpec s = spec();
    const QString problem = s.validate();
    if (!problem.isEmpty()) {
        m_message->setText(problem);
        m_message->show();
        return;
    }
    m_message->hide();
    emit runRequested(s);
}

void BurstPanel::setRunning(bool running)
{
    m_running = running;
    m_run->setEnabled(!running && m_runEnabled);
    m_stop->setEnabled(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_message->hide();
    }
}

void BurstPanel::setRunEnabled(bool enabled, const QString &why)
{
    m_runEnabled = enabled;
    m_run->setEnabled(enabled && !m_running);
    m_run->setToolTip(enabled ? tr("Fire the burst at the running engine (F5)") : why);
}

void BurstPanel::setProgress(int done, int total)
{
    if (total <= 0) {
        m_progress->setRange(0, 0);
        return;
    }
    // QProgressBar::setValue() repaints at once, and a repaint paints everything else waiting
    // in the window too; with updates held back the bar is painted with the next frame.
    m_progress->setUpdatesEnabled(false);
    m_progress->setFormat(tr("%v / %m responses"));
    m_progress->setRange(0, total);
    m_progress->setValue(std::min(done, total));
    m_progress->setUpdatesEnabled(true); // queues an update()
}

} // namespace loopscope::ui
