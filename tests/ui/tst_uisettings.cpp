// Engine settings: the panel shows and edits FastAPI's knobs, and they are remembered
// between runs (QSettings), clamped when the stored values are nonsense.
#include "engineconfig.h"
#include "settingspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using namespace loopscope::ui;

class tst_UiSettings : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_uisettings"));
        QSettings().clear();
    }

    void defaultsAreFastApis()
    {
        SettingsPanel p;
        const EngineConfig c = p.config();
        QCOMPARE(c.threads, 40);
        QCOMPARE(c.limiterLifo, false);
        QCOMPARE(c.gil, true);
        QCOMPARE(c.switchInterval, 0.005);
        QCOMPARE(c.workers, 1);
        QCOMPARE(c.keepAliveTimeout, 5.0);
        QCOMPARE(c.slowCallbackDuration, 0.1);
        QCOMPARE(c.limitConcurrency, 0);
    }

    void panelRoundTripsAndSignals()
    {
        SettingsPanel p;
        QSignalSpy spy(&p, &SettingsPanel::changed);
        EngineConfig c;
        c.threads = 3;
        c.limiterLifo = true;
        c.defaultExecutorThreads = 6;
        c.gil = false;
        c.switchInterval = 0.02;
        c.workers = 2;
        c.keepAliveTimeout = 1.5;
        c.slowCallbackDuration = 0.25;
        c.limitConcurrency = 10;
        c.port = 8123;
        p.setConfig(c);
        QCOMPARE(spy.count(), 0); // programmatic changes do not echo
        QCOMPARE(p.config(), c);
        p.findChildren<QSpinBox *>().first()->setValue(7);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.last().first().value<EngineConfig>().threads, 7);
    }

    void persistedBetweenRuns()
    {
        EngineConfig c;
        c.threads = 41;
        c.limiterLifo = true;
        c.switchInterval = 0.001;
        c.keepAliveTimeout = 0.5;
        {
            QSettings s;
            c.save(s);
        }
        QSettings s2;
        QCOMPARE(EngineConfig::load(s2), c);
    }

    void nonsenseIsClamped()
    {
        QSettings s;
        s.setValue(QStringLiteral("engine/threads"), -5);
        s.setValue(QStringLiteral("engine/workers"), 100000);
        s.setValue(QStringLiteral("engine/switchInterval"), QStringLiteral("garbage"));
        const EngineConfig c = EngineConfig::load(s);
        QCOMPARE(c.threads, 1);
        QCOMPARE(c.workers, 64);
        QVERIFY(c.switchInterval > 0);
        s.clear();
    }

    void jsonRoundTrip()
    {
        EngineConfig c;
        c.limiterLifo = true;
        c.threads = 2;
        QCOMPARE(EngineConfig::fromJson(c.toJson()), c);
        QCOMPARE(c.toJson().value(QStringLiteral("limiter")).toString(), QStringLiteral("lifo"));
    }
};

QTEST_MAIN(tst_UiSettings)
#include "tst_uisettings.moc"
