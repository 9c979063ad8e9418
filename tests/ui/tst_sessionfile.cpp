// Session files (.loopscope): code, settings, burst and the run's model survive a save and
// a reopen; junk and foreign files are refused with a reason. Recovery files too.
#include "recoverystore.h"
#include "sessionfile.h"
#include "sessionjson.h"

#include "samplesession.h"

#include <QtTest>

using namespace loopscope;
using namespace loopscope::ui;

class tst_SessionFile : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        SessionFile sf;
        sf.fileName = QStringLiteral("app.py");
        sf.code = QStringLiteral("from fastapi import FastAPI\napp = FastAPI()\n");
        sf.engine.threads = 3;
        sf.engine.limiterLifo = true;
        sf.burst.path = QStringLiteral("/x?i={i}");
        sf.burst.requests = 41;
        sf.burst.extras = {{0.2, QStringLiteral("/fast")}};
        const trace::Session model = uitest::asyncSleepSession();
        sf.results.insert(QStringLiteral("model"), SessionJson::toJson(model));
        const QString path = dir.filePath(QStringLiteral("run.loopscope"));
        QString err;
        QVERIFY2(sf.save(path, &err), qPrintable(err));

        SessionFile back;
        QVERIFY2(SessionFile::open(path, &back, &err), qPrintable(err));
        QCOMPARE(back.fileName, sf.fileName);
        QCOMPARE(back.code, sf.code);
        QCOMPARE(back.engine, sf.engine);
        QCOMPARE(back.burst, sf.burst);

        trace::Session m;
        QVERIFY(SessionJson::fromJson(back.results.value(QStringLiteral("model")).toObject(), &m));
        QCOMPARE(m.requests.size(), model.requests.size());
        QCOMPARE(m.loop.blocked.size(), model.loop.blocked.size());
        QCOMPARE(m.loop.blocked.at(1).line(), 14);
        QCOMPARE(m.loop.blocked.at(1).call, std::string("time.sleep"));
        QCOMPARE(m.prints.size(), model.prints.size());
        QCOMPARE(m.loop.lag.size(), model.loop.lag.size());
        QCOMPARE(m.pools.size(), size_t(1));
        QCOMPARE(m.pools[0].limit, 40);
        QVERIFY(std::abs(m.requests[1].done() - model.requests[1].done()) < 1e-9);
        QVERIFY(std::isnan(m.requests[0].firstByte));
        QCOMPARE(m.requests[1].phases.size(), model.requests[1].phases.size());
        QCOMPARE(m.requests[1].phases[1].phase, trace::Phase::Running);
        QVERIFY(std::abs(m.wall() - model.wall()) < 1e-9);
    }

    void refusesJunk()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.loopscope"));
        SessionFile sf;
        QString err;
        QVERIFY(!SessionFile::open(path, &sf, &err));
        QVERIFY(!err.isEmpty());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"something-else\"}");
        f.close();
        QVERIFY(!SessionFile::open(path, &sf, &err));
        QVERIFY(err.contains(QStringLiteral("not a Loopscope session")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("\x01\x02 not json");
        f.close();
        QVERIFY(!SessionFile::open(path, &sf, &err));
        trace::Session s;
        QVERIFY(!SessionJson::fromJson(QJsonObject{}, &s));
    }

    void recovery()
    {
        QTemporaryDir dir;
        RecoveryStore store(dir.filePath(QStringLiteral("rec")));
        QVERIFY(!store.hasRecovery());
        QVERIFY(store.save({QStringLiteral("/tmp/app.py"), QStringLiteral("print('unsaved')\n")}));
        QVERIFY(store.hasRecovery());
        RecoveryStore again(dir.filePath(QStringLiteral("rec")));
        RecoveryState st;
        QVERIFY(again.load(&st));
        QCOMPARE(st.originalPath, QStringLiteral("/tmp/app.py"));
        QCOMPARE(st.text, QStringLiteral("print('unsaved')\n"));
        again.clear();
        QVERIFY(!store.hasRecovery());
    }
};

QTEST_MAIN(tst_SessionFile)
#include "tst_sessionfile.moc"
