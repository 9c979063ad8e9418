// Route lookup as Starlette's Router: path templates, 404, 405 with allow, slash
// redirects; URL decoding as uvicorn. Expectations follow real FastAPI 0.92's answers
// to reference/probe_app.py (reference/probe_output.txt).
#include "fastapi/routetable.h"
#include "fastapi/urlcodec.h"

#include <QTest>

using namespace loopscope::fastapi;

class TestRouting : public QObject {
    Q_OBJECT
private slots:
    void templates()
    {
        PathTemplate t("/items/{item_id}");
        QVERIFY(t.isValid());
        QCOMPARE(t.paramNames(), std::vector<std::string>{"item_id"});
        auto m = t.match("/items/5");
        QVERIFY(m);
        QCOMPARE(m->at(0).second, std::string("5"));
        QVERIFY(!t.match("/items/"));
        QVERIFY(!t.match("/items/5/6"));
        QVERIFY(!t.match("/items"));
        QCOMPARE(t.match("/items/a b")->at(0).second, std::string("a b"));

        PathTemplate p("/files/{p:path}");
        QCOMPARE(p.match("/files/a/b/c.txt")->at(0).second, std::string("a/b/c.txt"));
        QCOMPARE(p.match("/files/")->at(0).second, std::string(""));

        PathTemplate two("/u/{a}/x/{b:int}");
        auto m2 = two.match("/u/q/x/42");
        QVERIFY(m2);
        QCOMPARE(m2->at(0), (std::pair<std::string, std::string>("a", "q")));
        QCOMPARE(m2->at(1), (std::pair<std::string, std::string>("b", "42")));
        QVERIFY(!two.match("/u/q/x/4a"));

        PathTemplate f("/f/{x:float}");
        QVERIFY(f.match("/f/1.5"));
        QVERIFY(f.match("/f/15"));
        QVERIFY(!f.match("/f/1."));
        QVERIFY(!f.match("/f/-1"));

        PathTemplate mixed("/{a}-{b:path}.txt");
        auto m3 = mixed.match("/x-y/z.txt");
        QVERIFY(m3);
        QCOMPARE(m3->at(0).second, std::string("x"));
        QCOMPARE(m3->at(1).second, std::string("y/z"));

        QVERIFY(!PathTemplate("/a/{x:nope}").isValid());
        QCOMPARE(PathTemplate("/a/{x:nope}").error(), std::string("Unknown path convertor 'nope'"));
        QCOMPARE(PathTemplate("/a/{x}/{x}").error(), std::string("Duplicated param name x at path /a/{x}/{x}"));
        // Braces that are no parameter are literal, as in Starlette's regex.
        QVERIFY(PathTemplate("/a/{1x}").match("/a/{1x}"));
    }

    void routerLookup()
    {
        RouteTable table;
        table.add({"GET"}, "/items/{item_id}", 0);
        table.add({"get"}, "/m", 1);
        table.add({"POST"}, "/m", 2);
        table.add({"GET"}, "/trail/", 3);
        table.add({"GET"}, "/", 4);

        auto found = table.match("GET", "/items/5");
        QCOMPARE(found.kind, RouteMatch::Kind::Found);
        QCOMPARE(found.route, 0);

        // POST /m skips the GET route's partial match and finds the POST route.
        auto post = table.match("POST", "/m");
        QCOMPARE(post.kind, RouteMatch::Kind::Found);
        QCOMPARE(table.routes()[static_cast<std::size_t>(post.route)].endpoint, 2);

        // DELETE /m: 405, allow is the first partially matching route's methods.
        auto del = table.match("DELETE", "/m");
        QCOMPARE(del.kind, RouteMatch::Kind::MethodNotAllowed);
        QCOMPARE(del.allow, std::string("GET"));
        // HEAD is not implied by GET in FastAPI's APIRoute.
        QCOMPARE(table.match("HEAD", "/m").kind, RouteMatch::Kind::MethodNotAllowed);

        auto slash = table.match("GET", "/trail");
        QCOMPARE(slash.kind, RouteMatch::Kind::RedirectSlash);
        QCOMPARE(slash.redirectPath, std::string("/trail/"));
        auto noSlash = table.match("GET", "/m/");
        QCOMPARE(noSlash.kind, RouteMatch::Kind::RedirectSlash);
        QCOMPARE(noSlash.redirectPath, std::string("/m"));

        QCOMPARE(table.match("GET", "/nowhere").kind, RouteMatch::Kind::NotFound);
        QCOMPARE(table.match("GET", "/").kind, RouteMatch::Kind::Found);
        QCOMPARE(RouteTable::redirectLocation("127.0.0.1:18431", "/trail/", ""),
                 std::string("http://127.0.0.1:18431/trail/"));
        QCOMPARE(RouteTable::redirectLocation("h:1", "/a b/", "x=1&y=%20"), std::string("http://h:1/a%20b/?x=1&y=%20"));
    }

    void urlDecoding()
    {
        QCOMPARE(UrlCodec::splitTarget("/items/%35?q=x").first, std::string("/items/5"));
        QCOMPARE(UrlCodec::splitTarget("/items/%35?q=x").second, std::string("q=x"));
        QCOMPARE(UrlCodec::splitTarget("/a+b").first, std::string("/a+b"));
        QCOMPARE(UrlCodec::unquote("%C3%BC%zz%4"), std::string("\xC3\xBC%zz%4"));
        QCOMPARE(UrlCodec::unquote("%FF"), std::string("\xEF\xBF\xBD"));

        auto q = UrlCodec::parseQuery("q=a+b&n=1&&n=2&flag&e=&x=%C3%BC");
        QCOMPARE(q.size(), std::size_t(6));
        QCOMPARE(q[0], (std::pair<std::string, std::string>("q", "a b")));
        QCOMPARE(q[2], (std::pair<std::string, std::string>("n", "2")));
        QCOMPARE(q[3], (std::pair<std::string, std::string>("flag", "")));
        QCOMPARE(q[4], (std::pair<std::string, std::string>("e", "")));
        QCOMPARE(q[5].second, std::string("\xC3\xBC"));
        QVERIFY(UrlCodec::parseQuery("").empty());
    }
};

QTEST_GUILESS_MAIN(TestRouting)
#include "tst_routing.moc"
