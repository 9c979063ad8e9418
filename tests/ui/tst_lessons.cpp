// Lessons: the bundled lessons load (lesson 1 is async def + time.sleep), every lesson's
// endpoint file is there with a ready burst, and the lessons panel lists and opens them.
#include "lessonlibrary.h"
#include "lessonspanel.h"

#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace loopscope::ui;

class tst_Lessons : public QObject {
    Q_OBJECT
private slots:
    void builtinLessonsLoad()
    {
        LessonLibrary lib;
        QVERIFY2(lib.load(), qPrintable(lib.error()));
        QVERIFY2(lib.error().isEmpty(), qPrintable(lib.error()));
        QVERIFY(lib.lessons().size() >= 8);
        const Lesson &first = lib.lessons().first();
        QVERIFY(first.source.contains(QStringLiteral("async def")));
        QVERIFY(first.source.contains(QStringLiteral("time.sleep(1)")));
        QCOMPARE(first.burst.requests, 2);
        for (const Lesson &l : lib.lessons()) {
            QVERIFY2(!l.title.isEmpty() && !l.summary.isEmpty(), qPrintable(l.id));
            QVERIFY2(l.source.contains(QStringLiteral("app = FastAPI()")), qPrintable(l.id));
            QVERIFY2(l.burst.validate().isEmpty(), qPrintable(l.id + QStringLiteral(": ") + l.burst.validate()));
            QVERIFY(lib.find(l.id) != nullptr);
        }
        // The stories of the seeds are all there.
        QStringList sources;
        for (const Lesson &l : lib.lessons())
            sources << l.source;
        const QString all = sources.join(QLatin1Char('\n'));
        for (const char *needle : {"await asyncio.sleep", "run_in_threadpool", "ProcessPoolExecutor", "def slow("})
            QVERIFY2(all.contains(QLatin1String(needle)), needle);
        const Lesson *fortyOne = lib.find(QStringLiteral("41-requests-40-threads"));
        QVERIFY(fortyOne);
        QCOMPARE(fortyOne->burst.requests, 41);
        QCOMPARE(fortyOne->burst.extras.size(), 1);
        const Lesson *tab = lib.find(QStringLiteral("one-browser-tab"));
        QVERIFY(tab);
        QCOMPARE(tab->burst.connections, 1);
    }

    void sourceTreeMatchesResources()
    {
        // The lessons installed from resources/lessons are the ones compiled in.
        LessonLibrary disk;
        QVERIFY(disk.load(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/resources/lessons")));
        LessonLibrary builtin;
        QVERIFY(builtin.load());
        QCOMPARE(disk.lessons().size(), builtin.lessons().size());
        for (int i = 0; i < disk.lessons().size(); ++i)
            QCOMPARE(disk.lessons().at(i).source, builtin.lessons().at(i).source);
    }

    void missingOrBrokenLibrary()
    {
        LessonLibrary lib;
        QVERIFY(!lib.load(QStringLiteral("/nonexistent/dir")));
        QVERIFY(!lib.error().isEmpty());
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("lessons.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"lessons\": [{\"id\": \"x\", \"file\": \"missing.py\"}]");
        f.close();
        QVERIFY(!lib.load(dir.path()));
        QVERIFY(!lib.error().isEmpty());
    }

    void panelListsAndOpens()
    {
        LessonLibrary lib;
        QVERIFY(lib.load());
        LessonsPanel panel;
        panel.setLessons(lib.lessons());
        QCOMPARE(panel.count(), lib.lessons().size());
        QSignalSpy spy(&panel, &LessonsPanel::openRequested);
        panel.setCurrent(QStringLiteral("def-endpoint"));
        QTest::mouseClick(panel.findChild<QPushButton *>(), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().toString(), QStringLiteral("def-endpoint"));
    }
};

QTEST_MAIN(tst_Lessons)
#include "tst_lessons.moc"
