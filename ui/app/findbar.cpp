#include "findbar.h"

#include "codeeditor.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace loopscope::ui {

FindBar::FindBar(CodeEditor *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
{
    setObjectName(QStringLiteral("FindBar"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 4, 6, 4);
    outer->setSpacing(3);

    auto *row1 = new QHBoxLayout;
    m_find = new QLineEdit(this);
    m_find->setPlaceholderText(tr("Find"));
    m_find->setClearButtonEnabled(true);
    auto *prev = new QToolButton(this);
    prev->setText(tr("Previous"));
    auto *next = new QToolButton(this);
    next->setText(tr("Next"));
    m_case = new QCheckBox(tr("Match case"), this);
    m_word = new QCheckBox(tr("Whole words"), this);
    m_status = new QLabel(this);
    m_status->setMinimumWidth(80);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close (Esc)"));
    row1->addWidget(m_find, 1);
    row1->addWidget(prev);
    row1->addWidget(next);
    row1->addWidget(m_case);
    row1->addWidget(m_word);
    row1->addWidget(m_status);
    row1->addWidget(close);
    outer->addLayout(row1);

    m_replaceRow = new QWidget(this);
    auto *row2 = new QHBoxLayout(m_replaceRow);
    row2->setContentsMargins(0, 0, 0, 0);
    m_replace = new QLineEdit(m_replaceRow);
    m_replace->setPlaceholderText(tr("Replace with"));
    auto *one = new QToolButton(m_replaceRow);
    one->setText(tr("Replace"));
    auto *all = new QToolButton(m_replaceRow);
    all->setText(tr("Replace all"));
    row2->addWidget(m_replace, 1);
    row2->addWidget(one);
    row2->addWidget(all);
    row2->addStretch();
    outer->addWidget(m_replaceRow);

    connect(m_find, &QLineEdit::returnPressed, this, &FindBar::findNext);
    connect(next, &QToolButton::clicked, this, &FindBar::findNext);
    connect(prev, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(one, &QToolButton::clicked, this, &FindBar::replaceOne);
    connect(all, &QToolButton::clicked, this, [this] { replaceAll(); });
    connect(m_replace, &QLineEdit::returnPressed, this, &FindBar::replaceOne);
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        m_editor->setFocus();
    });
    hide();
}

void FindBar::setReplaceVisible(bool on)
{
    m_replaceRow->setVisible(on);
}

void FindBar::showFind()
{
    setReplaceVisible(false);
    show();
    if (m_editor->hasSelectedText() && !m_editor->selectedText().contains(QLatin1Char('\n')))
        m_find->setText(m_editor->selectedText());
    m_find->setFocus();
    m_find->selectAll();
}

void FindBar::showReplace()
{
    showFind();
    setReplaceVisible(true);
}

void FindBar::report(bool found)
{
    m_status->setText(found || m_find->text().isEmpty() ? QString() : tr("Not found"));
    m_find->setStyleSheet(found || m_find->text().isEmpty() ? QString()
                                                            : QStringLiteral("background:#fdecec"));
}

void FindBar::findNext()
{
    report(m_editor->find(m_find->text(), true, m_case->isChecked(), m_word->isChecked()));
}

void FindBar::findPrevious()
{
    report(m_editor->find(m_find->text(), false, m_case->isChecked(), m_word->isChecked()));
}

void FindBar::replaceOne()
{
    if (m_editor->hasSelectedText() &&
        m_editor->selectedText().compare(m_find->text(), m_case->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive) == 0)
        m_editor->replaceCurrent(m_replace->text());
    findNext();
}

int FindBar::replaceAll()
{
    const int n = m_editor->replaceAll(m_find->text(), m_replace->text(), m_case->isChecked(), m_word->isChecked());
    m_status->setText(tr("%n replaced", nullptr, n));
    return n;
}

void FindBar::keyPressEvent(QKeyEvent *e)
{
    if (e->key() == Qt::Key_Escape) {
        hide();
        m_editor->setFocus();
        return;
    }
    QWidget::keyPressEvent(e);
}

} // namespace loopscope::ui
