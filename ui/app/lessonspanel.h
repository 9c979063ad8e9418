// LessonsPanel: the bundled lessons as a list with their explanation; opening one loads
// its endpoint file and its ready burst.
#pragma once

#include "lessonlibrary.h"

#include <QWidget>

class QListWidget;
class QLabel;
class QPushButton;

namespace loopscope::ui {

class LessonsPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonsPanel(QWidget *parent = nullptr);

    void setLessons(const QList<Lesson> &lessons);
    void setCurrent(const QString &id);
    int count() const;

signals:
    void openRequested(const QString &lessonId);

private:
    void showSummary();

    QListWidget *m_list;
    QLabel *m_summary;
    QPushButton *m_open;
    QList<Lesson> m_lessons;
};

} // namespace loopscope::ui
