// Request bodies parsed as Python's json.loads does, with its error texts and positions
// (they appear in FastAPI's 422 body for malformed JSON).
#include "fastapi/jsonreader.h"

#include <QTest>

using namespace loopscope::fastapi;

class TestJsonReader : public QObject {
    Q_OBJECT
private slots:
    void errors_data()
    {
        QTest::addColumn<QByteArray>("doc");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("pos");
        // Messages recorded from CPython 3.11's json.loads.
        QTest::addRow("empty") << QByteArray("") << "Expecting value: line 1 column 1 (char 0)" << 0;
        QTest::addRow("space") << QByteArray(" ") << "Expecting value: line 1 column 2 (char 1)" << 1;
        QTest::addRow("bad key") << QByteArray("{bad")
                                 << "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" << 1;
        QTest::addRow("colon") << QByteArray("{\"a\" 1}") << "Expecting ':' delimiter: line 1 column 6 (char 5)" << 5;
        QTest::addRow("obj comma") << QByteArray("{\"a\":1 \"b\"}") << "Expecting ',' delimiter: line 1 column 8 (char 7)" << 7;
        QTest::addRow("arr comma") << QByteArray("[1 2]") << "Expecting ',' delimiter: line 1 column 4 (char 3)" << 3;
        QTest::addRow("trailing arr") << QByteArray("[1,]") << "Expecting value: line 1 column 4 (char 3)" << 3;
        QTest::addRow("trailing obj") << QByteArray("{\"a\":1,}")
                                      << "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)" << 7;
        QTest::addRow("unterminated") << QByteArray("\"abc") << "Unterminated string starting at: line 1 column 1 (char 0)" << 0;
        QTest::addRow("control") << QByteArray("\"a\nb\"") << "Invalid control character at: line 1 column 3 (char 2)" << 2;
        QTest::addRow("escape") << QByteArray("\"\\x\"") << "Invalid \\escape: line 1 column 2 (char 1)" << 1;
        QTest::addRow("uescape") << QByteArray("\"\\u12\"") << "Invalid \\uXXXX escape: line 1 column 3 (char 2)" << 2;
        QTest::addRow("extra") << QByteArray("1 2") << "Extra data: line 1 column 3 (char 2)" << 2;
        QTest::addRow("nul") << QByteArray("nul") << "Expecting value: line 1 column 1 (char 0)" << 0;
        QTest::addRow("open arr") << QByteArray("[") << "Expecting value: line 1 column 2 (char 1)" << 1;
        QTest::addRow("open obj") << QByteArray("{") << "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" << 1;
        QTest::addRow("no value") << QByteArray("{\"a\":") << "Expecting value: line 1 column 6 (char 5)" << 5;
        QTest::addRow("backslash end") << QByteArray("\"\\") << "Unterminated string starting at: line 1 column 1 (char 0)" << 0;
        QTest::addRow("minus") << QByteArray("-") << "Expecting value: line 1 column 1 (char 0)" << 0;
        QTest::addRow("lines") << QByteArray("[1,\n 2,\n x]") << "Expecting value: line 3 column 2 (char 9)" << 9;
        QTest::addRow("leading zero") << QByteArray("01") << "Extra data: line 1 column 2 (char 1)" << 1;
        QTest::addRow("1.") << QByteArray("1.") << "Extra data: line 1 column 2 (char 1)" << 1;
        QTest::addRow("unicode pos") << QByteArray("{\"\xC3\xA9\":1,x}")
                                     << "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)" << 7;
        QTest::addRow("unicode escape pos") << QByteArray("\"\xC3\xA9\\q\"") << "Invalid \\escape: line 1 column 3 (char 2)" << 2;
    }
    void errors()
    {
        QFETCH(QByteArray, doc);
        QFETCH(QString, message);
        QFETCH(int, pos);
        const JsonParseResult r = JsonReader::parse(std::string_view(doc.constData(), static_cast<std::size_t>(doc.size())));
        QVERIFY(!r.value);
        QVERIFY(r.error);
        QCOMPARE(QString::fromStdString(r.error->message()), message);
        QCOMPARE(r.error->pos, pos);
    }

    void values()
    {
        auto r = JsonReader::parse(" {\"a\": 1, \"b\": [true, null, 2.50, -0, 1e2, \"\\u00fc\\ud83d\\ude00\\n\"], \"a\": 3} ");
        QVERIFY(r.value);
        QCOMPARE(r.value->dump(), std::string("{\"a\":3,\"b\":[true,null,2.5,0,100.0,\"\xC3\xBC\xF0\x9F\x98\x80\\n\"]}"));
        auto nan = JsonReader::parse("[NaN, -Infinity, Infinity]");
        QVERIFY(nan.value);
        QCOMPARE(nan.value->array->size(), std::size_t(3));
        QVERIFY(std::isnan((*nan.value->array)[0].floatValue));
        auto big = JsonReader::parse("12345678901234567890123");
        QVERIFY(big.value);
        QCOMPARE(big.value->kind, JsonNode::Kind::Float);
        auto bom = JsonReader::parse("\xEF\xBB\xBF[1]");
        QVERIFY(bom.value);
    }

    void invalidUtf8IsAnEncodingError()
    {
        auto r = JsonReader::parse("\"\xFF\"");
        QVERIFY(r.invalidEncoding);
        QVERIFY(!r.value);
    }

    void deepNestingDoesNotCrash()
    {
        std::string deep(100000, '[');
        auto r = JsonReader::parse(deep);
        QVERIFY(!r.value);
        QVERIFY(r.error);
    }
};

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
