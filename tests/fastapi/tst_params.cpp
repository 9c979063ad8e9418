// Parameter conversion (pydantic v1 rules) and FastAPI 0.92's exact response bodies for
// 404/405/422/HTTPException/500, written down from real uvicorn's answers to
// reference/probe_app.py (see reference/probe.py and probe_output.txt).
#include "fastapi/httpstatus.h"
#include "fastapi/jsonreader.h"
#include "fastapi/paramresolver.h"
#include "fastapi/responsedata.h"
#include "fastapi/routetable.h"

#include <QTest>

#include <cmath>

using namespace loopscope::fastapi;

class TestParams : public QObject {
    Q_OBJECT
private slots:
    void ints_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("value");
        QTest::addRow("5") << "5" << true << qint64(5);
        QTest::addRow("+5") << "+5" << true << qint64(5);
        QTest::addRow("-3") << "-3" << true << qint64(-3);
        QTest::addRow("1_000") << "1_000" << true << qint64(1000);
        QTest::addRow("spaces") << "  7 " << true << qint64(7);
        QTest::addRow("007") << "007" << true << qint64(7);
        QTest::addRow("5.0") << "5.0" << false << qint64(0);
        QTest::addRow("abc") << "abc" << false << qint64(0);
        QTest::addRow("empty") << "" << false << qint64(0);
        QTest::addRow("1__0") << "1__0" << false << qint64(0);
        QTest::addRow("_1") << "_1" << false << qint64(0);
        QTest::addRow("1_") << "1_" << false << qint64(0);
        QTest::addRow("sign only") << "-" << false << qint64(0);
        QTest::addRow("huge") << "99999999999999999999999" << false << qint64(0);
    }
    void ints()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(qint64, value);
        auto v = ParamConverter::parseInt(text.toStdString());
        QCOMPARE(v.has_value(), ok);
        if (ok)
            QCOMPARE(qint64(*v), value);
    }

    void floats()
    {
        QCOMPARE(*ParamConverter::parseFloat("1"), 1.0);
        QCOMPARE(*ParamConverter::parseFloat("1.5"), 1.5);
        QCOMPARE(*ParamConverter::parseFloat("1e3"), 1000.0);
        QCOMPARE(*ParamConverter::parseFloat(" .5 "), 0.5);
        QCOMPARE(*ParamConverter::parseFloat("5."), 5.0);
        QCOMPARE(*ParamConverter::parseFloat("1_0.5"), 10.5);
        QCOMPARE(*ParamConverter::parseFloat("-Infinity"), -HUGE_VAL);
        QVERIFY(std::isinf(*ParamConverter::parseFloat("inf")));
        QVERIFY(std::isnan(*ParamConverter::parseFloat("NaN")));
        QVERIFY(!ParamConverter::parseFloat("nope"));
        QVERIFY(!ParamConverter::parseFloat("."));
        QVERIFY(!ParamConverter::parseFloat("1e"));
        QVERIFY(!ParamConverter::parseFloat(""));
        QVERIFY(!ParamConverter::parseFloat("0x10"));
    }

    void bools()
    {
        for (const char *t : {"1", "true", "True", "ON", "yes", "y", "t"})
            QCOMPARE(ParamConverter::parseBool(t), std::optional<bool>(true));
        for (const char *f : {"0", "false", "off", "No", "n", "f"})
            QCOMPARE(ParamConverter::parseBool(f), std::optional<bool>(false));
        for (const char *bad : {"2", "", " true", "yess"})
            QVERIFY(!ParamConverter::parseBool(bad));
    }

    void validationBodies_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("body");
        // Endpoint: def read_item(item_id: int, q: str = None) at /items/{item_id}
        QTest::addRow("bad path int") << "/items/abc"
            << "{\"detail\":[{\"loc\":[\"path\",\"item_id\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}";
        QTest::addRow("path 5.0") << "/items/5.0"
            << "{\"detail\":[{\"loc\":[\"path\",\"item_id\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}";
        // async def required(q: str, n: int) at /req
        QTest::addRow("both missing") << "/req"
            << "{\"detail\":[{\"loc\":[\"query\",\"q\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"},{\"loc\":[\"query\",\"n\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}";
        QTest::addRow("one missing") << "/req?q=a"
            << "{\"detail\":[{\"loc\":[\"query\",\"n\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}";
        QTest::addRow("missing and bad") << "/req?n=x"
            << "{\"detail\":[{\"loc\":[\"query\",\"q\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"},{\"loc\":[\"query\",\"n\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}";
        // async def two(i: int, j: int, k: float = 1.5) at /two
        QTest::addRow("three bad") << "/two?i=a&j=b&k=c"
            << "{\"detail\":[{\"loc\":[\"query\",\"i\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"},{\"loc\":[\"query\",\"j\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"},{\"loc\":[\"query\",\"k\"],\"msg\":\"value is not a valid float\",\"type\":\"type_error.float\"}]}";
        QTest::addRow("empty int") << "/two?i=&j=2"
            << "{\"detail\":[{\"loc\":[\"query\",\"i\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}";
        // async def get_bool(flag: bool = False) at /b
        QTest::addRow("bool 2") << "/b?flag=2"
            << "{\"detail\":[{\"loc\":[\"query\",\"flag\"],\"msg\":\"value could not be parsed to a boolean\",\"type\":\"type_error.bool\"}]}";
        QTest::addRow("bool empty") << "/b?flag="
            << "{\"detail\":[{\"loc\":[\"query\",\"flag\"],\"msg\":\"value could not be parsed to a boolean\",\"type\":\"type_error.bool\"}]}";
        QTest::addRow("bool space") << "/b?flag=%20true"
            << "{\"detail\":[{\"loc\":[\"query\",\"flag\"],\"msg\":\"value could not be parsed to a boolean\",\"type\":\"type_error.bool\"}]}";
        QTest::addRow("float path") << "/f/nope"
            << "{\"detail\":[{\"loc\":[\"path\",\"x\"],\"msg\":\"value is not a valid float\",\"type\":\"type_error.float\"}]}";
        QTest::addRow("fine") << "/req?q=a&n=1&n=2" << "";
    }
    void validationBodies()
    {
        QFETCH(QString, target);
        QFETCH(QString, body);
        using S = ParamSpec::Source;
        RouteTable table;
        table.add({"GET"}, "/items/{item_id}", 0);
        table.add({"GET"}, "/req", 1);
        table.add({"GET"}, "/two", 2);
        table.add({"GET"}, "/b", 3);
        table.add({"GET"}, "/f/{x}", 4);
        const std::vector<std::vector<ParamSpec>> specs = {
            {{"item_id", S::Path, ParamType::Int, true}, {"q", S::Query, ParamType::Str, false}},
            {{"q", S::Query, ParamType::Str, true}, {"n", S::Query, ParamType::Int, true}},
            {{"i", S::Query, ParamType::Int, true}, {"j", S::Query, ParamType::Int, true}, {"k", S::Query, ParamType::Float, false}},
            {{"flag", S::Query, ParamType::Bool, false}},
            {{"x", S::Path, ParamType::Float, true}},
        };
        const auto [path, query] = UrlCodec::splitTarget(target.toStdString());
        const RouteMatch m = table.match("GET", path);
        QCOMPARE(m.kind, RouteMatch::Kind::Found);
        const ResolvedParams r = ParamResolver::resolve(specs[static_cast<std::size_t>(m.route)], m.params, UrlCodec::parseQuery(query));
        if (body.isEmpty()) {
            QVERIFY(r.issues.empty());
            return;
        }
        const ResponseData resp = ResponseData::validationError(r.issues);
        QCOMPARE(resp.status, 422);
        QCOMPARE(QString::fromStdString(resp.body), body);
        QCOMPARE(*resp.header("content-length"), std::to_string(body.toUtf8().size()));
        QCOMPARE(*resp.header("content-type"), std::string("application/json"));
    }

    void resolvedValues()
    {
        using S = ParamSpec::Source;
        std::vector<ParamSpec> specs = {{"item_id", S::Path, ParamType::Int, true},
                                        {"q", S::Query, ParamType::Str, false},
                                        {"k", S::Query, ParamType::Float, false}};
        auto r = ParamResolver::resolve(specs, {{"item_id", " 7 "}}, UrlCodec::parseQuery("q=a+b&k=1"));
        QVERIFY(r.issues.empty());
        QCOMPARE(r.values[0]->intValue, 7);
        QCOMPARE(r.values[1]->text, std::string("a b"));
        QCOMPARE(r.values[2]->floatValue, 1.0);
        auto d = ParamResolver::resolve(specs, {{"item_id", "1"}}, {});
        QVERIFY(!d.values[1] && !d.values[2]); // defaults apply
    }

    void errorResponses()
    {
        const ResponseData nf = ResponseData::notFound();
        QCOMPARE(nf.status, 404);
        QCOMPARE(nf.body, std::string("{\"detail\":\"Not Found\"}"));
        QCOMPARE(nf.headers, (HeaderList{{"content-length", "22"}, {"content-type", "application/json"}}));

        const ResponseData na = ResponseData::methodNotAllowed("GET");
        QCOMPARE(na.status, 405);
        QCOMPARE(na.body, std::string("{\"detail\":\"Method Not Allowed\"}"));
        QCOMPARE(na.headers, (HeaderList{{"allow", "GET"}, {"content-length", "31"}, {"content-type", "application/json"}}));

        // HTTPException(status_code=418): the default detail is the reason phrase.
        const ResponseData tea = ResponseData::httpException(418, JsonNode::fromString(std::string(HttpStatus::phrase(418))));
        QCOMPARE(tea.body, std::string("{\"detail\":\"I'm a Teapot\"}"));
        // HTTPException(400, detail={"why": "bad"}, headers={"X-Err": "1"})
        JsonNode why = JsonNode::makeObject();
        why.set("why", JsonNode::fromString("bad"));
        const ResponseData ex = ResponseData::httpException(400, why, {{"X-Err", "1"}});
        QCOMPARE(ex.body, std::string("{\"detail\":{\"why\":\"bad\"}}"));
        QCOMPARE(ex.headers, (HeaderList{{"x-err", "1"}, {"content-length", "24"}, {"content-type", "application/json"}}));

        const ResponseData ise = ResponseData::internalServerError();
        QCOMPARE(ise.status, 500);
        QCOMPARE(ise.body, std::string("Internal Server Error"));
        QCOMPARE(ise.headers, (HeaderList{{"content-length", "21"}, {"content-type", "text/plain; charset=utf-8"}}));

        const ResponseData red = ResponseData::redirect("http://127.0.0.1:18431/trail/");
        QCOMPARE(red.status, 307);
        QCOMPARE(red.headers, (HeaderList{{"content-length", "0"}, {"location", "http://127.0.0.1:18431/trail/"}}));

        QCOMPARE(ResponseData::make("raw", 200, "text/csv").headers,
                 (HeaderList{{"content-length", "3"}, {"content-type", "text/csv; charset=utf-8"}}));
        QCOMPARE(ResponseData::html("<b>x</b>").headers,
                 (HeaderList{{"content-length", "8"}, {"content-type", "text/html; charset=utf-8"}}));
        QVERIFY(!ResponseData::make("", 204, "application/json").header("content-length"));
        QCOMPARE(HttpStatus::phrase(404), std::string_view("Not Found"));
        QCOMPARE(HttpStatus::phrase(999), std::string_view());
    }

    void jsonDecodeIssue()
    {
        // POST /body with "{bad": FastAPI's 422 for a malformed JSON body.
        const std::string doc = "{bad";
        auto parsed = JsonReader::parse(doc);
        QVERIFY(parsed.error);
        ValidationIssue issue;
        issue.loc = {JsonNode::fromString("body"), JsonNode::fromInt(parsed.error->pos)};
        issue.msg = parsed.error->message();
        issue.type = "value_error.jsondecode";
        JsonNode ctx = JsonNode::makeObject();
        ctx.set("msg", JsonNode::fromString(parsed.error->msg));
        ctx.set("doc", JsonNode::fromString(doc));
        ctx.set("pos", JsonNode::fromInt(parsed.error->pos));
        ctx.set("lineno", JsonNode::fromInt(parsed.error->lineno));
        ctx.set("colno", JsonNode::fromInt(parsed.error->colno));
        issue.ctx = ctx;
        const std::string expected =
            "{\"detail\":[{\"loc\":[\"body\",1],\"msg\":\"Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\",\"type\":\"value_error.jsondecode\",\"ctx\":{\"msg\":\"Expecting property name enclosed in double quotes\",\"doc\":\"{bad\",\"pos\":1,\"lineno\":1,\"colno\":2}}]}";
        QCOMPARE(ResponseData::validationBody({issue}), expected);
    }
};

QTEST_GUILESS_MAIN(TestParams)
#include "tst_params.moc"
