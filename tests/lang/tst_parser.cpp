// The parser: trees and syntax errors compared with what CPython 3.11 produces for the
// same sources. The expectations in data/parse_*.txt come from CPython itself
// (tools/gen_parser_expectations.py); trees are compared in ast.dump format with
// positions, errors by type, message, range and the text CPython prints.
#include "goldencase.h"
#include "lang/parser.h"

#include <QFile>
#include <QtTest>

using namespace loopscope::lang;
using loopscope::lang::ast::Expr;

namespace {

struct Case {
    QByteArray source;
    QByteArray expect;
};

QList<Case> readCases(const QString &name)
{
    QList<Case> out;
    QFile f(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/tests/lang/data/") + name);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = f.readAll().split('\n');
    Case current;
    enum { None, Source, Expect } state = None;
    for (const QByteArray &line : lines) {
        if (line == "### case") {
            current = Case();
            state = Source;
        } else if (line == "### expect") {
            state = Expect;
        } else if (line == "### end") {
            if (current.expect.endsWith('\n'))
                current.expect.chop(1);
            out << current;
            state = None;
        } else if (state == Source) {
            current.source += line + '\n';
        } else if (state == Expect) {
            current.expect += line + '\n';
        }
    }
    return out;
}

std::string str(const QByteArray &b) { return std::string(b.constData(), static_cast<std::size_t>(b.size())); }

QByteArray describeError(const SyntaxErrorInfo &e)
{
    return QByteArray::fromStdString(e.type + "|" + e.message + "|" + std::to_string(e.line) + "|"
                                     + std::to_string(e.column) + "|" + std::to_string(e.endLine) + "|"
                                     + std::to_string(e.endColumn));
}

const Expr *firstValue(const ParseResult &r)
{
    return r.module && !r.module->body.empty() ? r.module->body[0]->value.get() : nullptr;
}

} // namespace

using loopscope::lang::ast::Expr;

class tst_Parser : public QObject {
    Q_OBJECT
private slots:
    void treesMatchCPython_data();
    void treesMatchCPython();
    void errorsMatchCPython_data();
    void errorsMatchCPython();
    void integers();
    void floats();
    void strings();
    void exceptStarSaysWhatToWrite();
    void fstrings();
    void flags();
    void reprs();
    void formatWithoutPosition();
    void apiNeverThrows();
    void longFileLookahead();
    void goldenCorpus_data();
    void goldenCorpus();
};

void tst_Parser::treesMatchCPython_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("dump");
    const auto cases = readCases(QStringLiteral("parse_ok.txt"));
    QVERIFY(cases.size() >= 10);
    int i = 0;
    for (const auto &c : cases)
        QTest::addRow("%d: %s", i++, c.source.left(40).replace('\n', ' ').constData()) << c.source << c.expect;
}

void tst_Parser::treesMatchCPython()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, dump);
    const ParseResult r = parseModule(str(source), "f.py");
    if (r.error)
        QFAIL(formatSyntaxError(*r.error).c_str());
    QVERIFY(r.module);
    QCOMPARE(QByteArray::fromStdString(dumpModule(*r.module, true)), dump);
}

void tst_Parser::errorsMatchCPython_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QByteArray>("display");
    const auto cases = readCases(QStringLiteral("parse_errors.txt"));
    QVERIFY(cases.size() >= 100);
    int i = 0;
    for (const auto &c : cases) {
        const int nl = c.expect.indexOf('\n');
        QTest::addRow("%d: %s", i++, c.source.left(40).replace('\n', ' ').constData())
            << c.source << c.expect.left(nl) << c.expect.mid(nl + 1) + '\n';
    }
}

void tst_Parser::errorsMatchCPython()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, display);
    const ParseResult r = parseModule(str(source), "f.py");
    QVERIFY(!r.module);
    QVERIFY(r.error);
    QCOMPARE(describeError(*r.error), expected);
    QCOMPARE(QByteArray::fromStdString(formatSyntaxError(*r.error)), display);
    QCOMPARE(r.error->filename, std::string("f.py"));
}

void tst_Parser::integers()
{
    const ParseResult r = parseModule("0xFF_FF\n", "f.py");
    QVERIFY(firstValue(r));
    QCOMPARE(firstValue(r)->constant.text, std::string("65535"));
    QCOMPARE(firstValue(r)->constant.intValue, std::int64_t(65535));
    QVERIFY(firstValue(r)->constant.intFits);

    const ParseResult big = parseModule("123456789012345678901234567890\n", "f.py");
    QCOMPARE(firstValue(big)->constant.text, std::string("123456789012345678901234567890"));
    QVERIFY(!firstValue(big)->constant.intFits);

    const ParseResult edge = parseModule("9223372036854775807\n", "f.py");
    QVERIFY(firstValue(edge)->constant.intFits);
    QCOMPARE(firstValue(edge)->constant.intValue, std::int64_t(9223372036854775807LL));
    const ParseResult over = parseModule("9223372036854775808\n", "f.py");
    QVERIFY(!firstValue(over)->constant.intFits);

    const ParseResult bin = parseModule("0b1111111111111111111111111111111111111111111111111111111111111111\n", "f.py");
    QCOMPARE(firstValue(bin)->constant.text, std::string("18446744073709551615"));
    const ParseResult oct = parseModule("0o777\n", "f.py");
    QCOMPARE(firstValue(oct)->constant.intValue, std::int64_t(511));
}

void tst_Parser::floats()
{
    const ParseResult r = parseModule("1e-3\n", "f.py");
    QCOMPARE(firstValue(r)->constant.kind, ast::Constant::Kind::Float);
    QCOMPARE(firstValue(r)->constant.floatValue, 0.001);
    QCOMPARE(firstValue(parseModule(".5\n", "f.py"))->constant.floatValue, 0.5);
    QCOMPARE(firstValue(parseModule("5.\n", "f.py"))->constant.floatValue, 5.0);
    QCOMPARE(firstValue(parseModule("1_0.2_5\n", "f.py"))->constant.floatValue, 10.25);
    QVERIFY(std::isinf(firstValue(parseModule("1e400\n", "f.py"))->constant.floatValue));
    const ParseResult j = parseModule("2.5j\n", "f.py");
    QVERIFY(firstValue(j)->constant.imaginary);
    QCOMPARE(firstValue(j)->constant.floatValue, 2.5);
}

void tst_Parser::strings()
{
    const ParseResult r = parseModule("'a' \"b\" '''c\nd''' r'\\n' '\\x41\\u00e9\\t'\n", "f.py");
    QCOMPARE(firstValue(r)->constant.text, std::string("abc\nd\\nA\xc3\xa9\t"));
    const ParseResult b = parseModule("b'\\x00\\xff'\n", "f.py");
    QCOMPARE(firstValue(b)->constant.kind, ast::Constant::Kind::Bytes);
    QCOMPARE(firstValue(b)->constant.text, std::string("\0\xff", 2));
    const ParseResult mixed = parseModule("'a' b'b'\n", "f.py");
    QVERIFY(mixed.error);
    QCOMPARE(mixed.error->message, std::string("cannot mix bytes and nonbytes literals"));
}

void tst_Parser::exceptStarSaysWhatToWrite()
{
    // Python 3.11 parses except*; the endpoint language does not run it and says so at the '*'.
    const ParseResult r = parseModule("try:\n    pass\nexcept* ValueError:\n    pass\n", "f.py");
    QVERIFY(!r.module);
    QVERIFY(r.error);
    QCOMPARE(r.error->line, 3);
    QCOMPARE(r.error->column, 7);
    QVERIFY(r.error->message.find("'except*' is not supported") == 0);
    QVERIFY(r.error->message.find("except ExceptionGroup as eg:") != std::string::npos);
}

void tst_Parser::fstrings()
{
    const ParseResult r = parseModule("f'{x!r:>{w}} {y=}'\n", "f.py");
    const Expr *js = firstValue(r);
    QVERIFY(js);
    QCOMPARE(js->kind, ast::ExprKind::JoinedStr);
    QCOMPARE(js->elts.size(), std::size_t(3));
    const Expr &fv = *js->elts[0];
    QCOMPARE(fv.kind, ast::ExprKind::FormattedValue);
    QCOMPARE(fv.conversion, int('r'));
    QVERIFY(fv.formatSpec);
    QCOMPARE(fv.formatSpec->elts.size(), std::size_t(2)); // '>' and {w}
    QCOMPARE(js->elts[1]->constant.text, std::string(" y="));
    QCOMPARE(js->elts[2]->conversion, int('r'));
    // Positions inside f-strings point at the real source.
    const ParseResult p = parseModule("x = f'ab{value}'\n", "f.py");
    const Expr &name = *firstValue(p)->elts[1]->value;
    QCOMPARE(name.id, std::string("value"));
    QCOMPARE(name.span.column, 10);
    QCOMPARE(name.span.endColumn, 15);
}

void tst_Parser::flags()
{
    const ParseResult r = parseModule("async def f():\n    async with a as b:\n        async for x in y:\n            await z\n",
                                      "app.py");
    QVERIFY(r.module);
    QCOMPARE(r.module->filename, std::string("app.py"));
    const auto &f = *r.module->body[0];
    QVERIFY(f.isAsync);
    QVERIFY(f.body[0]->isAsync);
    QCOMPARE(f.body[0]->kind, ast::StmtKind::With);
    QVERIFY(f.body[0]->body[0]->isAsync);
    QCOMPARE(f.body[0]->body[0]->kind, ast::StmtKind::For);
}

void tst_Parser::reprs()
{
    QCOMPARE(floatRepr(0.1), std::string("0.1"));
    QCOMPARE(floatRepr(100.0), std::string("100.0"));
    QCOMPARE(floatRepr(1e16), std::string("1e+16"));
    QCOMPARE(floatRepr(1e-5), std::string("1e-05"));
    QCOMPARE(floatRepr(0.0001), std::string("0.0001"));
    QCOMPARE(floatRepr(123456789.0), std::string("123456789.0"));
    QCOMPARE(floatRepr(-2.5), std::string("-2.5"));
    QCOMPARE(floatRepr(1.0 / 3), std::string("0.3333333333333333"));
    QCOMPARE(stringRepr("it's"), std::string("\"it's\""));
    QCOMPARE(stringRepr("a'b\"c"), std::string("'a\\'b\"c'"));
    QCOMPARE(stringRepr("\t\n\x01\xc3\xa9"), std::string("'\\t\\n\\x01\xc3\xa9'"));
    QCOMPARE(bytesRepr(std::string("a\0\xff", 3)), std::string("b'a\\x00\\xff'"));
}

void tst_Parser::formatWithoutPosition()
{
    SyntaxErrorInfo e;
    e.message = "Non-UTF-8 code starting with '\\xff' in file x.py on line 1";
    QCOMPARE(formatSyntaxError(e), std::string("SyntaxError: ") + e.message + "\n");
    const ParseResult r = parseModule("x = '\xff'\n", "x.py");
    QVERIFY(r.error);
    QVERIFY(r.error->message.find("Non-UTF-8 code starting with '\\xff' in file x.py on line 1") == 0);
    const ParseResult nul = parseModule(std::string("x = 1\0\n", 7), "x.py");
    QVERIFY(nul.error);
    QCOMPARE(formatSyntaxError(*nul.error),
             std::string("  File \"x.py\", line 1\n    x = 1\nSyntaxError: source code cannot contain null bytes\n"));
}

void tst_Parser::apiNeverThrows()
{
    const char *const sources[] = {"", "\n", "\\", "(", ")", "f'{", "'''", "@", "async", "lambda", "if", "\t\tx",
                                   "x = [", "0x", "1e", "a.", "f(**", "def f(*, **k): pass", "class", "else"};
    for (const char *s : sources) {
        const ParseResult r = parseModule(s, "f.py");
        QVERIFY(r.module || r.error);
        if (r.error)
            QVERIFY(!formatSyntaxError(*r.error).empty());
    }
}

// The token buffer is trimmed as parsing goes: constructs that look ahead must still
// see the right tokens deep into a long file.
void tst_Parser::longFileLookahead()
{
    std::string src;
    for (int i = 0; i < 6000; ++i)
        src += "x = (1, [2], {3: 4})\n";
    const std::string tail = "async def f():\n    async with a as b:\n        async for i in b:\n            pass\n"
                             "@d\nasync def g():\n    with (p as q, r as s):\n        return [y async for y in q]\n";
    for (int round = 0; round < 3; ++round)
        src += tail;
    const ParseResult r = parseModule(src, "long.py");
    if (r.error)
        QFAIL(formatSyntaxError(*r.error).c_str());
    QCOMPARE(r.module->body.size(), std::size_t(6006));
    const ParseResult small = parseModule(tail, "tail.py");
    QVERIFY(small.module);
    for (int round = 0; round < 3; ++round)
        for (std::size_t k = 0; k < 2; ++k) {
            const auto &got = *r.module->body[6000 + static_cast<std::size_t>(round) * 2 + k];
            QCOMPARE(got.kind, ast::StmtKind::FunctionDef);
            QVERIFY(got.isAsync);
            QCOMPARE(got.name, small.module->body[k]->name);
            QCOMPARE(got.span.line, small.module->body[k]->span.line + 6000 + round * 8);
        }
    QCOMPARE(r.module->body.back()->body[0]->items.size(), std::size_t(2));
}

void tst_Parser::goldenCorpus_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QString>("expectedSyntaxError");
    const auto cases = readGoldenCases();
    QVERIFY(cases.size() >= 80);
    for (const auto &c : cases) {
        const bool syntaxError = c.stdoutLines.isEmpty()
            && (c.stderrLastLine.startsWith(QLatin1String("SyntaxError:"))
                || c.stderrLastLine.startsWith(QLatin1String("IndentationError:"))
                || c.stderrLastLine.startsWith(QLatin1String("TabError:")));
        QTest::newRow(qPrintable(c.name)) << c.source << (syntaxError ? c.stderrLastLine : QString());
    }
}

// Every golden program parses, and those CPython rejects are rejected with its message.
void tst_Parser::goldenCorpus()
{
    QFETCH(QByteArray, source);
    QFETCH(QString, expectedSyntaxError);
    const ParseResult r = parseModule(str(source), "golden.py");
    if (expectedSyntaxError.isEmpty()) {
        if (r.error)
            QFAIL(formatSyntaxError(*r.error).c_str());
        QVERIFY(r.module);
    } else {
        QVERIFY(r.error);
        QCOMPARE(QString::fromStdString(r.error->type + ": " + r.error->message), expectedSyntaxError);
    }
}

QTEST_GUILESS_MAIN(tst_Parser)
#include "tst_parser.moc"
