// CodeEditor: errors and warnings land at the right line and column (margin marker,
// squiggle, annotation), blocking lines are marked, find/replace and undo work.
#include "codeeditor.h"
#include "findbar.h"

#include <QLineEdit>
#include <QtTest>

using namespace loopscope::ui;

namespace {
const char *kSource =
    "import time\n"
    "from fastapi import FastAPI\n"
    "\n"
    "app = FastAPI()\n"
    "\n"
    "@app.get(\"/ping\")\n"
    "async def ping(i: int = 0):\n"
    "    time.sleep(1)\n"
    "    return \"pong\"\n";
}

class tst_CodeEditor : public QObject {
    Q_OBJECT
private slots:
    void errorMarkAtLineAndColumn()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        SourceMark m;
        m.line = 8;
        m.column = 5;
        m.endLine = 8;
        m.endColumn = 15;
        m.message = QStringLiteral("NameError: name 'time' is not defined");
        e.setMarks({m});
        QVERIFY(e.hasMarker(8, CodeEditor::ErrorMarker));
        QVERIFY(!e.hasMarker(7, CodeEditor::ErrorMarker));
        QVERIFY(!e.hasMarker(8, CodeEditor::WarningMarker));
        QVERIFY(e.hasIndicatorAt(8, 5, CodeEditor::ErrorIndicator));
        QVERIFY(e.hasIndicatorAt(8, 14, CodeEditor::ErrorIndicator));
        QVERIFY(!e.hasIndicatorAt(8, 4, CodeEditor::ErrorIndicator));
        QVERIFY(!e.hasIndicatorAt(8, 15, CodeEditor::ErrorIndicator));
        QVERIFY(e.annotationAt(8).contains(QStringLiteral("NameError")));
        QVERIFY(e.annotationAt(8).startsWith(QStringLiteral("8:5")));
        QVERIFY(e.annotationAt(7).isEmpty());
    }

    void warningWithoutEndUnderlinesTheWord()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        SourceMark w;
        w.severity = SourceMark::Severity::Warning;
        w.line = 8;
        w.column = 5;
        w.message = QStringLiteral("time.sleep blocks the event loop inside async def");
        e.setMarks({w});
        QVERIFY(e.hasMarker(8, CodeEditor::WarningMarker));
        QVERIFY(!e.hasMarker(8, CodeEditor::ErrorMarker));
        QVERIFY(e.hasIndicatorAt(8, 5, CodeEditor::WarningIndicator));
        QVERIFY(e.hasIndicatorAt(8, 8, CodeEditor::WarningIndicator)); // "time"
        QVERIFY(!e.hasIndicatorAt(8, 5, CodeEditor::ErrorIndicator));
        QVERIFY(e.annotationAt(8).contains(QStringLiteral("blocks the event loop")));
    }

    void marksClearAndSurviveBadPositions()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        SourceMark far;
        far.line = 999;
        far.column = 999;
        far.message = QStringLiteral("SyntaxError: unexpected EOF");
        SourceMark zero;
        zero.message = QStringLiteral("ImportError");
        e.setMarks({far, zero});
        QVERIFY(e.hasMarker(e.lines(), CodeEditor::ErrorMarker) || e.hasMarker(e.lines() - 1, CodeEditor::ErrorMarker));
        QVERIFY(e.hasMarker(1, CodeEditor::ErrorMarker));
        e.clearMarks();
        for (int l = 1; l <= e.lines(); ++l) {
            QVERIFY(!e.hasMarker(l, CodeEditor::ErrorMarker));
            QVERIFY(e.annotationAt(l).isEmpty());
        }
        CodeEditor empty;
        empty.setMarks({far}); // no text at all: nothing to mark, no crash
        QVERIFY(empty.marks().size() == 1);
    }

    void blockingLines()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        e.setBlockingLines({{8, QStringLiteral("time.sleep")}, {500, QString()}});
        QVERIFY(e.hasMarker(8, CodeEditor::BlockingMarker));
        QVERIFY(e.hasMarker(8, CodeEditor::BlockingLineMarker));
        QVERIFY(!e.hasMarker(7, CodeEditor::BlockingMarker));
        e.goToLine(8, 5);
        int line = 0, index = 0;
        e.getCursorPosition(&line, &index);
        QCOMPARE(line, 7);
        QCOMPARE(index, 4);
    }

    void findReplaceUndo()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        e.setCursorPosition(0, 0);
        QVERIFY(e.find(QStringLiteral("sleep"), true, true, false));
        QCOMPARE(e.selectedText(), QStringLiteral("sleep"));
        QVERIFY(!e.find(QStringLiteral("nonexistent"), true, true, false));
        const int n = e.replaceAll(QStringLiteral("pong"), QStringLiteral("ping-pong"), true, false);
        QCOMPARE(n, 1);
        QVERIFY(e.text().contains(QStringLiteral("\"ping-pong\"")));
        e.undo();
        QVERIFY(!e.text().contains(QStringLiteral("ping-pong")));
        e.redo();
        QVERIFY(e.text().contains(QStringLiteral("ping-pong")));
        // A replacement that contains the needle terminates.
        QCOMPARE(e.replaceAll(QStringLiteral("app"), QStringLiteral("app_app"), true, true), 2);
    }

    void findBar()
    {
        CodeEditor e;
        e.setText(QString::fromLatin1(kSource));
        FindBar bar(&e);
        bar.showReplace();
        auto *find = bar.findChildren<QLineEdit *>().at(0);
        auto *repl = bar.findChildren<QLineEdit *>().at(1);
        find->setText(QStringLiteral("time"));
        repl->setText(QStringLiteral("clock"));
        QCOMPARE(bar.replaceAll(), 2);
        QVERIFY(e.text().startsWith(QStringLiteral("import clock")));
    }
};

QTEST_MAIN(tst_CodeEditor)
#include "tst_codeeditor.moc"
