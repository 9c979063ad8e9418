// BurstPanel: the widgets build the burst that is asked for — path template, counts,
// mode, keep-alive, browser cap, extra delayed requests — refuse bad input with a
// message, and remember presets. Progress is painted with the next frame, not at once.
#include "burstpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

using namespace loopscope::ui;

class tst_BurstPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LoopscopeTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_burstpanel"));
        QSettings().clear();
    }

    void specRoundTrip()
    {
        BurstPanel p;
        BurstSpec s;
        s.path = QStringLiteral("/slow?i={i}");
        s.requests = 41;
        s.connections = 41;
        s.mode = BurstSpec::Mode::Rate;
        s.rate = 250;
        s.duration = 3;
        s.keepAlive = false;
        s.browser = true;
        s.extras = {{0.2, QStringLiteral("/fast?i=99")}, {1.5, QStringLiteral("/other")}};
        p.setSpec(s);
        QCOMPARE(p.spec(), s);
        QCOMPARE(p.spec().effectiveConnections(), 6);
        QCOMPARE(p.spec().pathFor(7), QStringLiteral("/slow?i=7"));
    }

    void widgetsBuildThePlan()
    {
        BurstPanel p;
        p.findChild<QComboBox *>(QStringLiteral("PathEdit"))->setCurrentText(QStringLiteral("/async_block?i={i}"));
        p.findChild<QSpinBox *>(QStringLiteral("RequestsSpin"))->setValue(2);
        p.findChild<QSpinBox *>(QStringLiteral("ConnectionsSpin"))->setValue(1);
        p.findChild<QPlainTextEdit *>(QStringLiteral("ExtrasEdit"))->setPlainText(QStringLiteral("0.25:/fast?i=99\n\n# comment\n"));
        QSignalSpy spy(&p, &BurstPanel::runRequested);
        p.setRunEnabled(true);
        QTest::mouseClick(p.runButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        const BurstSpec s = spy.first().first().value<BurstSpec>();
        QCOMPARE(s.path, QStringLiteral("/async_block?i={i}"));
        QCOMPARE(s.requests, 2);
        QCOMPARE(s.connections, 1);
        QCOMPARE(s.mode, BurstSpec::Mode::Burst);
        QCOMPARE(s.extras.size(), 1);
        QCOMPARE(s.extras.first().at, 0.25);
        QCOMPARE(s.extras.first().path, QStringLiteral("/fast?i=99"));
    }

    void badInputIsRefused()
    {
        BurstPanel p;
        p.setRunEnabled(true);
        QSignalSpy spy(&p, &BurstPanel::runRequested);
        p.findChild<QPlainTextEdit *>()->setPlainText(QStringLiteral("soon:/x"));
        QTest::mouseClick(p.runButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 0);
        p.findChild<QPlainTextEdit *>()->clear();
        p.findChild<QComboBox *>(QStringLiteral("PathEdit"))->setCurrentText(QStringLiteral("no-slash"));
        QTest::mouseClick(p.runButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 0);
        BurstSpec s;
        s.path = QStringLiteral("/x y");
        QVERIFY(!s.validate().isEmpty());
        ExtraRequest e;
        QVERIFY(!BurstSpec::parseExtra(QStringLiteral("-1:/x"), &e));
        QVERIFY(BurstSpec::parseExtra(QStringLiteral(" 2 : /y?q=1 "), &e));
        QCOMPARE(e.at, 2.0);
        QCOMPARE(e.path, QStringLiteral("/y?q=1"));
    }

    void runningState()
    {
        BurstPanel p;
        p.setRunEnabled(false, QStringLiteral("engine not running"));
        QVERIFY(!p.runButton()->isEnabled());
        p.setRunEnabled(true);
        p.setRunning(true);
        QVERIFY(!p.runButton()->isEnabled());
        QVERIFY(p.stopButton()->isEnabled());
        p.setProgress(5, 10);
        p.setRunning(false);
        QVERIFY(p.runButton()->isEnabled());
        QVERIFY(!p.stopButton()->isEnabled());
    }

    void progressPaintsWithTheNextFrame()
    {
        // A repaint at each update would paint everything else waiting in the window too.
        struct PaintCounter : QObject {
            int paints = 0;
            bool eventFilter(QObject *, QEvent *e) override
            {
                if (e->type() == QEvent::Paint)
                    ++paints;
                return false;
            }
        } counter;
        BurstPanel p;
        p.show();
        QVERIFY(QTest::qWaitForWindowExposed(&p));
        auto *bar = p.findChild<QProgressBar *>();
        QVERIFY(bar);
        QCOMPARE(bar->text(), QStringLiteral("No burst run yet")); // not "0 / 1 responses"
        p.setRunning(true);
        QTest::qWait(50);
        bar->installEventFilter(&counter);
        for (int done = 1; done <= 5; ++done)
            p.setProgress(done * 100, 1000);
        QCOMPARE(counter.paints, 0);
        QCOMPARE(bar->value(), 500);
        QCOMPARE(bar->maximum(), 1000);
        QCOMPARE(bar->text(), QStringLiteral("500 / 1000 responses"));
        QTRY_VERIFY(counter.paints >= 1);
        QVERIFY(counter.paints <= 2);
        bar->removeEventFilter(&counter);
    }

    void presets()
    {
        QSettings s;
        BurstSpec a;
        a.path = QStringLiteral("/a?i={i}");
        a.requests = 41;
        BurstPresets::save(s, QStringLiteral("41 for 40"), a);
        BurstPresets::save(s, QStringLiteral("odd/name"), a);
        QVERIFY(BurstPresets::names(s).contains(QStringLiteral("41 for 40")));
        BurstSpec b;
        QVERIFY(BurstPresets::load(s, QStringLiteral("41 for 40"), &b));
        QCOMPARE(b, a);
        BurstPresets::remove(s, QStringLiteral("41 for 40"));
        QVERIFY(!BurstPresets::names(s).contains(QStringLiteral("41 for 40")));
        QVERIFY(!BurstPresets::load(s, QStringLiteral("missing"), &b));
    }
};

QTEST_MAIN(tst_BurstPanel)
#include "tst_burstpanel.moc"
