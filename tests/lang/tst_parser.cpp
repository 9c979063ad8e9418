#include "lang/parser.h"
#include <QtTest>
using namespace loopscope::lang;
class tst_Parser : public QObject {
    Q_OBJECT
private slots:
    void smoke() { auto r = parseModule("x = 1\n", "f.py"); QVERIFY(r.module); }
};
QTEST_GUILESS_MAIN(tst_Parser)
#include "tst_parser.moc"
