#include "lessonlibrary.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

// Resources compiled into a static library must be registered explicitly, from the
// global namespace.
static void initLoopscopeResources()
{
    Q_INIT_RESOURCE(loopscope);
}

namespace loopscope::ui {

void LessonLibrary::initResources()
{
    static const bool done = [] {
        initLoopscopeResources();
        return true;
    }();
    Q_UNUSED(done);
}

QString LessonLibrary::builtinDir()
{
    initResources();
    return QStringLiteral(":/lessons");
}

bool LessonLibrary::load(const QString &dir)
{
    m_lessons.clear();
    m_error.clear();
    QFile f(QDir(dir).filePath(QStringLiteral("lessons.json")));
    if (!f.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isObject()) {
        m_error = QStringLiteral("%1: %2").arg(f.fileName(), pe.errorString());
        return false;
    }
    QStringList problems;
    const QJsonArray arr = doc.object().value(QStringLiteral("lessons")).toArray();
    for (const QJsonValue &v : arr) {
        const QJsonObject o = v.toObject();
        Lesson l;
        l.id = o.value(QStringLiteral("id")).toString();
        l.title = o.value(QStringLiteral("title")).toString();
        l.summary = o.value(QStringLiteral("summary")).toString();
        l.fileName = o.value(QStringLiteral("file")).toString();
        l.burst = BurstSpec::fromJson(o.value(QStringLiteral("burst")).toObject());
        QFile src(QDir(dir).filePath(l.fileName));
        if (l.id.isEmpty() || l.fileName.isEmpty() || !src.open(QIODevice::ReadOnly)) {
            problems << QStringLiteral("lesson '%1': cannot read '%2'").arg(l.id, l.fileName);
            continue;
        }
        l.source = QString::fromUtf8(src.readAll());
        m_lessons.append(l);
    }
    m_error = problems.join(QLatin1Char('\n'));
    return !m_lessons.isEmpty();
}

const Lesson *LessonLibrary::find(const QString &id) const
{
    for (const Lesson &l : m_lessons) {
        if (l.id == id)
            return &l;
    }
    return nullptr;
}

} // namespace loopscope::ui
