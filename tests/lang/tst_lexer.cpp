// The tokenizer: token streams for the subset, and CPython's tokenizer errors.
#include "lang/lexer.h"

#include <QtTest>

using namespace loopscope::lang;

namespace {

QString describe(std::string_view source)
{
    std::optional<SyntaxErrorInfo> error;
    const auto tokens = tokenize(source, &error);
    QStringList parts;
    for (const auto &t : tokens) {
        switch (t.kind) {
        case TokenKind::Newline: parts << QStringLiteral("NL"); break;
        case TokenKind::Indent: parts << QStringLiteral("IN"); break;
        case TokenKind::Dedent: parts << QStringLiteral("DE"); break;
        case TokenKind::EndMarker: parts << QStringLiteral("END"); break;
        default: parts << QString::fromUtf8(t.text.data(), static_cast<qsizetype>(t.text.size())); break;
        }
    }
    if (error)
        parts << QStringLiteral("ERROR %1 %2:%3 %4")
                     .arg(QString::fromStdString(error->type))
                     .arg(error->line)
                     .arg(error->column)
                     .arg(QString::fromStdString(error->message));
    return parts.join(QLatin1Char(' '));
}

} // namespace

class tst_Lexer : public QObject {
    Q_OBJECT
private slots:
    void tokens_data();
    void tokens();
    void positions();
};

void tst_Lexer::tokens_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QString>("expected");
    QTest::addRow("simple") << QByteArray("x = 1\n") << "x = 1 NL END";
    QTest::addRow("no trailing newline") << QByteArray("x") << "x NL END";
    QTest::addRow("indent") << QByteArray("if x:\n    y\nz\n") << "if x : NL IN y NL DE z NL END";
    QTest::addRow("dedent at eof") << QByteArray("if x:\n  if y:\n    z") << "if x : NL IN if y : NL IN z NL DE DE END";
    QTest::addRow("blank and comment lines") << QByteArray("a\n\n   # c\n  \nb # d\n") << "a NL b NL END";
    QTest::addRow("implicit joining") << QByteArray("f(1,\n   2)\n") << "f ( 1 , 2 ) NL END";
    QTest::addRow("backslash") << QByteArray("x = 1 + \\\n  2\n") << "x = 1 + 2 NL END";
    QTest::addRow("operators") << QByteArray("a **= b // c := d -> e @ f != g ... h >>= i\n")
                               << "a **= b // c := d -> e @ f != g ... h >>= i NL END";
    QTest::addRow("numbers") << QByteArray("0x_ff 0o17 0b1_0 1_000 1e-3 .5 5. 3j 1E+10\n")
                             << "0x_ff 0o17 0b1_0 1_000 1e-3 .5 5. 3j 1E+10 NL END";
    QTest::addRow("string prefixes") << QByteArray("r'a' b\"b\" f'{x}' rb'c' Fr\"d\" u'e'\n")
                                     << "r'a' b\"b\" f'{x}' rb'c' Fr\"d\" u'e' NL END";
    QTest::addRow("triple quoted") << QByteArray("s = '''a\nb'''\n") << "s = '''a\nb''' NL END";
    QTest::addRow("escaped quote") << QByteArray("'a\\'b'\n") << "'a\\'b' NL END";
    QTest::addRow("unicode name") << QByteArray("caf\xc3\xa9 = 1\n") << QString::fromUtf8("caf\xc3\xa9 = 1 NL END");
    QTest::addRow("keyword after number") << QByteArray("1if x else 2\n") << "1 if x else 2 NL END";
    QTest::addRow("unterminated") << QByteArray("x = \"abc\n")
                                  << "x = ERROR SyntaxError 1:5 unterminated string literal (detected at line 1)";
    QTest::addRow("unterminated triple") << QByteArray("x = '''abc\n\n")
                                         << "x = ERROR SyntaxError 1:5 unterminated triple-quoted string literal (detected at line 2)";
    QTest::addRow("unmatched") << QByteArray("x)\n") << "x ERROR SyntaxError 1:2 unmatched ')'";
    QTest::addRow("mismatch") << QByteArray("(]\n")
                              << "( ERROR SyntaxError 1:2 closing parenthesis ']' does not match opening parenthesis '('";
    QTest::addRow("never closed") << QByteArray("x = (1,\n2\n") << "x = ( 1 , 2 ERROR SyntaxError 1:5 '(' was never closed";
    QTest::addRow("invalid decimal") << QByteArray("1abc\n") << "ERROR SyntaxError 1:1 invalid decimal literal";
    QTest::addRow("invalid hex") << QByteArray("x = 0x\n") << "x = ERROR SyntaxError 1:6 invalid hexadecimal literal";
    QTest::addRow("leading zeros") << QByteArray("09\n")
                                   << "ERROR SyntaxError 1:1 leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";
    QTest::addRow("bad dedent") << QByteArray("if x:\n    a\n  b\n")
                                << "if x : NL IN a NL ERROR IndentationError 3:4 unindent does not match any outer indentation level";
    QTest::addRow("tabs") << QByteArray("if x:\n\tif y:\n        z\n")
                          << "if x : NL IN if y : NL ERROR TabError 3:1 inconsistent use of tabs and spaces in indentation";
    QTest::addRow("invalid char") << QByteArray("y = \xe2\x82\xac\n")
                                  << QString::fromUtf8("y = ERROR SyntaxError 1:5 invalid character '\xe2\x82\xac' (U+20AC)");
    QTest::addRow("dollar") << QByteArray("a $ b\n") << "a $ b NL END";
}

void tst_Lexer::tokens()
{
    QFETCH(QByteArray, source);
    QFETCH(QString, expected);
    QCOMPARE(describe(std::string_view(source.constData(), static_cast<std::size_t>(source.size()))), expected);
}

void tst_Lexer::positions()
{
    std::optional<SyntaxErrorInfo> error;
    const auto tokens = tokenize("x = f(a,\n      b)\n", &error);
    QVERIFY(!error);
    QCOMPARE(tokens[0].line, 1);
    QCOMPARE(tokens[0].column, 1);
    QCOMPARE(tokens[0].endColumn, 2);
    QCOMPARE(tokens[3].text, std::string_view("("));
    QCOMPARE(tokens[3].column, 6);
    QCOMPARE(tokens[6].text, std::string_view("b"));
    QCOMPARE(tokens[6].line, 2);
    QCOMPARE(tokens[6].column, 7);
    QCOMPARE(tokens[6].level, 1);
    // Columns count characters, not bytes.
    const auto u = tokenize("\xc3\xa9\xc3\xa9 = 1\n", &error);
    QCOMPARE(u[1].column, 4);
}

QTEST_GUILESS_MAIN(tst_Lexer)
#include "tst_lexer.moc"
