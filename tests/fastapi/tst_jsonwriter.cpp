// JSON output as Starlette's JSONResponse renders it (json.dumps with compact
// separators, ensure_ascii=False, allow_nan=False); expected texts are what real
// FastAPI 0.92 answered (reference/probe_output.txt).
#include "fastapi/jsonnode.h"
#include "fastapi/jsonwriter.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace loopscope::fastapi;

class TestJsonWriter : public QObject {
    Q_OBJECT
private slots:
    void floatRepr_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("repr");
        QTest::addRow("one") << 1.0 << "1.0";
        QTest::addRow("two") << 2.0 << "2.0";
        QTest::addRow("tenth") << 0.1 << "0.1";
        QTest::addRow("1e16") << 1e16 << "1e+16";
        QTest::addRow("1e15") << 1e15 << "1000000000000000.0";
        QTest::addRow("1e-5") << 1e-5 << "1e-05";
        QTest::addRow("1e-4") << 1e-4 << "0.0001";
        QTest::addRow("big") << 123456789.0 << "123456789.0";
        QTest::addRow("negzero") << -0.0 << "-0.0";
        QTest::addRow("zero") << 0.0 << "0.0";
        QTest::addRow("third") << 1.0 / 3.0 << "0.3333333333333333";
        QTest::addRow("sum") << 0.1 + 0.2 << "0.30000000000000004";
        QTest::addRow("neg") << -2.5 << "-2.5";
        QTest::addRow("1.5e-7") << 1.5e-7 << "1.5e-07";
        QTest::addRow("1.2345e20") << 1.2345e20 << "1.2345e+20";
        QTest::addRow("max") << std::numeric_limits<double>::max() << "1.7976931348623157e+308";
        QTest::addRow("denorm") << 5e-324 << "5e-324";
        QTest::addRow("1000.0") << 1000.0 << "1000.0";
        QTest::addRow("12.5") << 12.5 << "12.5";
    }
    void floatRepr()
    {
        QFETCH(double, value);
        QFETCH(QString, repr);
        QCOMPARE(QString::fromStdString(JsonWriter::floatRepr(value)), repr);
    }

    void nonFiniteFloatsAreRefused()
    {
        std::string out;
        QVERIFY(!JsonWriter::appendFloat(out, std::nan("")));
        QVERIFY(!JsonWriter::appendFloat(out, HUGE_VAL));
        QVERIFY(!JsonWriter::appendFloat(out, -HUGE_VAL));
        QVERIFY(out.empty());
        QCOMPARE(JsonWriter::floatRepr(std::nan("")), std::string("nan"));
        QCOMPARE(JsonWriter::floatRepr(-HUGE_VAL), std::string("-inf"));
        JsonNode n = JsonNode::makeArray({JsonNode::fromInt(1), JsonNode::fromFloat(HUGE_VAL)});
        std::string text;
        QVERIFY(!n.dump(text));
    }

    void stringsEscapeLikePython()
    {
        std::string out;
        JsonWriter::appendString(out, "snow \xE2\x98\x83 \"q\" \\ \n\t\x01\x7f\b\f\r\x1f");
        // Non-ASCII and DEL stay raw; control characters are escaped.
        QCOMPARE(out, std::string("\"snow \xE2\x98\x83 \\\"q\\\" \\\\ \\n\\t\\u0001\x7f\\b\\f\\r\\u001f\""));
    }

    void nestedDocumentMatchesFastApi()
    {
        // The /nested endpoint of reference/probe_app.py, after Python's dict merged
        // the keys 1 and True.
        JsonNode doc = JsonNode::makeObject();
        doc.set("a", JsonNode::makeArray({JsonNode::fromInt(1), JsonNode::fromFloat(2.0), JsonNode::fromFloat(0.1),
                                          JsonNode::fromFloat(1e16), JsonNode::fromFloat(1e-5),
                                          JsonNode::fromFloat(123456789.0), JsonNode::fromFloat(-0.0),
                                          JsonNode::fromBool(true), JsonNode::null()}));
        doc.set("\xC3\xBC", JsonNode::fromString("snow \xE2\x98\x83 \"q\" \\ \n\t\x01\x7f"));
        doc.set("1", JsonNode::fromString("intkey"));
        doc.set("t", JsonNode::makeArray({JsonNode::fromInt(1), JsonNode::fromString("x")}));
        doc.set("2.5", JsonNode::null());
        doc.set("null", JsonNode::fromInt(1));
        doc.set("1", JsonNode::fromInt(2)); // replaces in place, as a dict does
        QCOMPARE(doc.dump(),
                 std::string("{\"a\":[1,2.0,0.1,1e+16,1e-05,123456789.0,-0.0,true,null],"
                             "\"\xC3\xBC\":\"snow \xE2\x98\x83 \\\"q\\\" \\\\ \\n\\t\\u0001\x7f\",\"1\":2,"
                             "\"t\":[1,\"x\"],\"2.5\":null,\"null\":1}"));
    }

    void scalarsAndEmptyContainers()
    {
        QCOMPARE(JsonNode::null().dump(), std::string("null"));
        QCOMPARE(JsonNode::fromString("pong").dump(), std::string("\"pong\""));
        QCOMPARE(JsonNode::fromBool(false).dump(), std::string("false"));
        QCOMPARE(JsonNode::fromInt(-9223372036854775807LL - 1).dump(), std::string("-9223372036854775808"));
        QCOMPARE(JsonNode::makeArray().dump(), std::string("[]"));
        QCOMPARE(JsonNode::makeObject().dump(), std::string("{}"));
        std::string key;
        QVERIFY(JsonWriter::appendFloatKey(key, 2.5));
        QCOMPARE(key, std::string("\"2.5\""));
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
