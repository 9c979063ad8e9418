// LessonLibrary: the bundled lessons (resources/lessons/lessons.json and one endpoint
// file per lesson), each with a plain-language explanation and a ready burst.
#pragma once

#include "burstspec.h"

#include <QList>
#include <QString>

namespace loopscope::ui {

struct Lesson {
    QString id;
    QString title;
    QString summary;
    QString fileName;  // e.g. "01_async_time_sleep.py"
    QString source;    // the endpoint file's text
    BurstSpec burst;
};

class LessonLibrary {
public:
    // Registers the app's compiled-in resources (lessons, icons); idempotent.
    static void initResources();
    // The lessons compiled into the app (":/lessons").
    static QString builtinDir();

    // Loads lessons.json from dir; false (and error()) when it cannot be read. Lessons
    // whose file is missing are skipped and reported in error().
    bool load(const QString &dir = builtinDir());

    const QList<Lesson> &lessons() const { return m_lessons; }
    const Lesson *find(const QString &id) const;
    QString error() const { return m_error; }

private:
    QList<Lesson> m_lessons;
    QString m_error;
};

} // namespace loopscope::ui
