#include "lessonspanel.h"

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace loopscope::ui {

LessonsPanel::LessonsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_list = new QListWidget(this);
    m_list->setAlternatingRowColors(true);
    layout->addWidget(m_list, 2);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setMinimumHeight(60);
    layout->addWidget(m_summary, 1);
    m_open = new QPushButton(tr("Open lesson"), this);
    layout->addWidget(m_open);

    connect(m_list, &QListWidget::currentRowChanged, this, &LessonsPanel::showSummary);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        emit openRequested(item->data(Qt::UserRole).toString());
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_list->currentItem())
            emit openRequested(item->data(Qt::UserRole).toString());
    });
}

int LessonsPanel::count() const
{
    return m_list->count();
}

void LessonsPanel::setLessons(const QList<Lesson> &lessons)
{
    m_lessons = lessons;
    m_list->clear();
    int n = 1;
    for (const Lesson &l : lessons) {
        auto *item = new QListWidgetItem(QStringLiteral("%1. %2").arg(n++).arg(l.title), m_list);
        item->setData(Qt::UserRole, l.id);
        item->setToolTip(l.summary);
    }
    if (!lessons.isEmpty())
        m_list->setCurrentRow(0);
}

void LessonsPanel::setCurrent(const QString &id)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toString() == id)
            m_list->setCurrentRow(i);
    }
}

void LessonsPanel::showSummary()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_lessons.size()) {
        m_summary->clear();
        return;
    }
    const Lesson &l = m_lessons.at(row);
    const BurstSpec &b = l.burst;
    m_summary->setText(QStringLiteral("<b>%1</b><p>%2</p><p style='color:#6a737d'>Burst: %3 × <tt>%4</tt> over %5 connection(s)%6</p>")
                           .arg(l.title.toHtmlEscaped(), l.summary.toHtmlEscaped())
                           .arg(b.requests)
                           .arg(b.path.toHtmlEscaped())
                           .arg(b.connections)
                           .arg(b.extras.isEmpty() ? QString() : tr(", plus %n extra", nullptr, int(b.extras.size()))));
}

} // namespace loopscope::ui
