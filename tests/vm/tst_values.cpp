// The value model through the C++ API: inline and heap values, repr/str as CPython
// prints them, big integers, format specs, calls into natives with CPython's argument
// errors, function signatures for the fastapi layer, copying between interpreters.
#include "vmtesthelpers.h"

#include <QtTest>

using namespace vmtest;

class TestValues : public QObject {
    Q_OBJECT
private slots:
    void inlineValues();
    void reprAndStr_data();
    void reprAndStr();
    void bigInts();
    void nativeFunctionsAndTypes();
    void argumentBindingErrors_data();
    void argumentBindingErrors();
    void signatures();
    void copyBetweenInterpreters();
    void compileErrors();
};

void TestValues::inlineValues()
{
    Runner r;
    QVERIFY(Value::none().isNone());
    QVERIFY(Value::fromBool(true).isTrueConst());
    Value small = Value::fromInt(42);
    QVERIFY(small.isSmallInt());
    QCOMPARE(small.asInt(), 42);
    Value big = Value::fromInt(INT64_MAX);
    QVERIFY(big.isBigInt());
    bool ok = false;
    QCOMPARE(big.asInt(&ok), INT64_MAX);
    QVERIFY(ok);
    QCOMPARE(r.reprOf(big), std::string("9223372036854775807"));
    Value s = Value::fromString("héllo");
    QVERIFY(s.isStr());
    QCOMPARE(s.as<StrObject>()->length(), std::size_t(5));
    Value l = Value::list({Value::fromInt(1), Value::fromDouble(2.5), s});
    QCOMPARE(r.reprOf(l), std::string("[1, 2.5, 'héllo']"));
    Value d = Value::dict();
    dictSet(d, "k", Value::tuple({Value::none()}));
    QCOMPARE(r.reprOf(d), std::string("{'k': (None,)}"));
    QCOMPARE(typeName(Value::fromBool(false)), std::string("bool"));
    QVERIFY(isInstance(Value::fromBool(true), types().int_));
}

void TestValues::reprAndStr_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<QString>("expected");
    QTest::addRow("float one") << "repr(1.0)" << "1.0";
    QTest::addRow("float big") << "repr(1e16)" << "1e+16";
    QTest::addRow("float small") << "repr(0.0001)" << "0.0001";
    QTest::addRow("float tiny") << "repr(0.00001)" << "1e-05";
    QTest::addRow("neg zero") << "repr(-0.0)" << "-0.0";
    QTest::addRow("inf nan") << "repr([float('inf'), float('nan')])" << "[inf, nan]";
    QTest::addRow("shortest") << "repr(0.1 + 0.2)" << "0.30000000000000004";
    QTest::addRow("quote choice") << "repr(\"it's\")" << "\"it's\"";
    QTest::addRow("both quotes") << "repr('a\\'b\"c')" << "'a\\'b\"c'";
    QTest::addRow("escapes") << "repr('\\n\\t\\x01')" << "'\\n\\t\\x01'";
    QTest::addRow("nested") << "repr({'a': [1, (2, 3)], 'b': {True: None}})" << "{'a': [1, (2, 3)], 'b': {True: None}}";
    // cleared afterwards: reference cycles are not collected
    QTest::addRow("self list") << "(lambda l: (l.append(l), repr(l), l.clear())[1])([1])" << "[1, [...]]";
    QTest::addRow("exception repr") << "repr(ValueError('x', 2))" << "ValueError('x', 2)";
    QTest::addRow("keyerror str") << "str(KeyError('k'))" << "'k'";
    QTest::addRow("empty exc str") << "str(ValueError())" << "";
    QTest::addRow("class") << "repr(int)" << "<class 'int'>";
    QTest::addRow("range") << "repr(range(1, 10, 2))" << "range(1, 10, 2)";
    QTest::addRow("set empty") << "repr(set())" << "set()";
    QTest::addRow("format comma") << "f'{1234567.891:,.2f}'" << "1,234,567.89";
    QTest::addRow("format hex") << "f'{255:#06x}'" << "0x00ff";
    QTest::addRow("format pct") << "f'{0.125:.1%}'" << "12.5%";
    QTest::addRow("format align") << "f'{\"ab\":*^6}'" << "**ab**";
    QTest::addRow("format zero pad") << "f'{-42:05d}'" << "-0042";
    QTest::addRow("format exp") << "f'{12345.678:.3e}'" << "1.235e+04";
    QTest::addRow("format g") << "f'{0.000012345:g}'" << "1.2345e-05";
    QTest::addRow("percent") << "'%5.1f|%-4d|%s' % (3.14159, 7, [1])" << "  3.1|7   |[1]";
    QTest::addRow("str.format") << "'{0}{1}{0}'.format('a', 'b')" << "aba";
    QTest::addRow("floordiv neg") << "repr((-7 // 2, -7 % 2, 7 // -2, -7.0 // 2))" << "(-4, 1, -4, -4.0)";
    QTest::addRow("true div") << "repr((7 / 2, 6 / 3, 1 / 3))" << "(3.5, 2.0, 0.3333333333333333)";
    QTest::addRow("int float cmp") << "repr((1 == 1.0, 2 ** 53 + 1 > 2.0 ** 53, 0.5 < 1))" << "(True, True, True)";
    QTest::addRow("round half even") << "repr((round(0.5), round(1.5), round(2.5), round(-0.5)))" << "(0, 2, 2, 0)";
}

void TestValues::reprAndStr()
{
    QFETCH(QString, expr);
    QFETCH(QString, expected);
    Runner r;
    QCOMPARE(r.run("result = " + expr.toStdString() + "\n"), std::string());
    Value v = r.global("result");
    QCOMPARE(QString::fromStdString(v.isStr() ? v.asString() : r.reprOf(v)), expected);
}

void TestValues::bigInts()
{
    Runner r;
    QCOMPARE(r.run("a = 2 ** 200\nb = a // 3 ** 50\nc = -a % 7\nd = (a + 1) * (a - 1) == a * a - 1\ne = str(10 ** 40)\n"
                   "f = int('-123456789012345678901234567890')\ng = (2 ** 64) >> 3\nh = -(2 ** 70) // 3\n"),
             std::string());
    QCOMPARE(r.reprOf(r.global("a")), std::string("1606938044258990275541962092341162602522202993782792835301376"));
    QCOMPARE(r.reprOf(r.global("b")), std::string("2238393297946874000179418290327143433"));
    QCOMPARE(r.reprOf(r.global("c")), std::string("3"));
    QVERIFY(r.global("d").isTrueConst());
    QCOMPARE(r.global("e").asString(), std::string("10000000000000000000000000000000000000000"));
    QCOMPARE(r.reprOf(r.global("f")), std::string("-123456789012345678901234567890"));
    QCOMPARE(r.reprOf(r.global("g")), std::string("2305843009213693952"));
    QCOMPARE(r.reprOf(r.global("h")), std::string("-393530540239137101142"));
    // overflow of the inline range moves to big ints and back
    QCOMPARE(r.run("x = 2 ** 62 - 1\ny = x + 1\nz = y - 1\nsmall = type(z) is int\n"), std::string());
    QVERIFY(r.global("x").isSmallInt());
    QVERIFY(r.global("y").isBigInt());
    QVERIFY(r.global("z").isSmallInt());
}

void TestValues::nativeFunctionsAndTypes()
{
    Runner r;
    Value add = makeNativeFunction("add", [](ThreadState &ts, const CallArgs &a) -> Value {
        if (!a.checkCount(ts, "add", 2, 2) || !a.onlyKeywords(ts, "add", {"scale"}))
            return Value::error();
        Value scale = a.keyword("scale");
        std::int64_t s = scale.isNotFound() ? 1 : scale.asInt();
        return Value::fromInt((a[0].asInt() + a[1].asInt()) * s);
    });
    NativeTypeSpec spec;
    spec.name = "Box";
    spec.module = "natives";
    spec.construct = [](ThreadState &, const CallArgs &a) -> Value {
        static Value type;
        (void)type;
        return a.size() ? a[0] : Value::none();
    };
    spec.methods.push_back({"twice", [](ThreadState &, const CallArgs &a) { return Value::fromInt(a[0].as<NativeObject>()->attrs.getStr("v").asInt() * 2); }});
    spec.hooks.getattr = [](ThreadState &, const Value &, std::string_view name) -> Value {
        return name == "magic" ? Value::fromInt(7) : Value::notFound();
    };
    Value boxType = makeNativeType(std::move(spec));
    auto *box = new NativeObject(boxType.as<TypeObject>());
    Value boxV(box);
    box->attrs.setStr("v", Value::fromInt(21));
    r.interp->registerModule("natives", [add, boxV, boxType](ThreadState &) {
        return makeModule("natives", {{"add", add}, {"box", boxV}, {"Box", boxType}});
    });
    QCOMPARE(r.run("import natives\na = natives.add(1, 2)\nb = natives.add(1, 2, scale=10)\nc = natives.box.twice()\n"
                   "d = natives.box.magic\ne = type(natives.box).__name__\nf = repr(natives.Box)\n"
                   "try:\n    natives.add(1)\nexcept TypeError as ex:\n    g = str(ex)\n"
                   "try:\n    natives.add(1, 2, nope=3)\nexcept TypeError as ex:\n    h = str(ex)\n"
                   "try:\n    natives.box.missing\nexcept AttributeError as ex:\n    i = str(ex)\n"),
             std::string());
    QCOMPARE(r.global("a").asInt(), 3);
    QCOMPARE(r.global("b").asInt(), 30);
    QCOMPARE(r.global("c").asInt(), 42);
    QCOMPARE(r.global("d").asInt(), 7);
    QCOMPARE(r.global("e").asString(), std::string("Box"));
    QCOMPARE(r.global("f").asString(), std::string("<class 'natives.Box'>"));
    QCOMPARE(r.global("g").asString(), std::string("add expected 2 arguments, got 1"));
    QCOMPARE(r.global("h").asString(), std::string("add() got an unexpected keyword argument 'nope'"));
    QCOMPARE(r.global("i").asString(), std::string("'Box' object has no attribute 'missing'"));
    // a native base class user classes derive from (BaseModel-like)
    NativeTypeSpec modelSpec;
    modelSpec.name = "Model";
    modelSpec.module = "natives";
    modelSpec.allowSubclass = true;
    modelSpec.methods.push_back({"__init__", [](ThreadState &ts, const CallArgs &a) -> Value {
                                     for (auto &k : a.keywords)
                                         if (!setAttr(ts, a[0], k.name, k.value))
                                             return Value::error();
                                     return Value::none();
                                 }});
    modelSpec.methods.push_back({"dump", [](ThreadState &, const CallArgs &a) -> Value {
                                     Value d = makeDict();
                                     for (auto &kv : a[0].as<NativeObject>()->attrs.items())
                                         dictSet(d, kv.first.asString(), kv.second);
                                     return d;
                                 }});
    Value model = makeNativeType(std::move(modelSpec));
    r.interp->registerModule("models", [model](ThreadState &) { return makeModule("models", {{"Model", model}}); });
    QCOMPARE(r.run("from models import Model\nclass Item(Model):\n    name: str\n    def label(self):\n        return self.name.upper()\n"
                   "it = Item(name='pen', price=2)\nm1 = it.label()\nm2 = it.dump()\nm3 = isinstance(it, Model)\nm4 = Item.__annotations__\n"),
             std::string());
    QCOMPARE(r.global("m1").asString(), std::string("PEN"));
    QCOMPARE(r.reprOf(r.global("m2")), std::string("{'name': 'pen', 'price': 2}"));
    QVERIFY(r.global("m3").isTrueConst());
    QCOMPARE(r.reprOf(r.global("m4")), std::string("{'name': <class 'str'>}"));
    QCOMPARE(lastLine(r.run("import natives\nclass B(natives.Box):\n    pass\n")), std::string("TypeError: subclassing built-in type 'Box' is not supported"));
    // Python-style binding for natives
    Value waitFor = makeNativeFunction("wait_for", [](ThreadState &ts, const CallArgs &a) -> Value {
        Value v[2];
        if (!a.parse(ts, "wait_for", {"fut", "timeout"}, 2, v))
            return Value::error();
        return makeTuple({v[0], v[1]});
    });
    r.interp->registerModule("aio", [waitFor](ThreadState &) { return makeModule("aio", {{"wait_for", waitFor}}); });
    QCOMPARE(r.run("import aio\nw1 = aio.wait_for(1, timeout=2)\nw2 = aio.wait_for(fut=1, timeout=3)\n"
                   "try:\n    aio.wait_for(1)\nexcept TypeError as e:\n    w3 = str(e)\n"
                   "try:\n    aio.wait_for(1, 2, 3)\nexcept TypeError as e:\n    w4 = str(e)\n"
                   "try:\n    aio.wait_for(1, 2, timeout=3)\nexcept TypeError as e:\n    w5 = str(e)\n"),
             std::string());
    QCOMPARE(r.reprOf(r.global("w1")), std::string("(1, 2)"));
    QCOMPARE(r.reprOf(r.global("w2")), std::string("(1, 3)"));
    QCOMPARE(r.global("w3").asString(), std::string("wait_for() missing 1 required positional argument: 'timeout'"));
    QCOMPARE(r.global("w4").asString(), std::string("wait_for() takes 2 positional arguments but 3 were given"));
    QCOMPARE(r.global("w5").asString(), std::string("wait_for() got multiple values for argument 'timeout'"));
    // unknown modules
    QCOMPARE(lastLine(r.run("import nothing_here\n")), std::string("ModuleNotFoundError: No module named 'nothing_here'"));
    // a new exception type from C++ raised and caught in Python
    Value myErr = r.interp->newExceptionType("CancelledError", typeValue(types().BaseException), "asyncio.exceptions");
    r.interp->registerModule("errs", [myErr](ThreadState &) { return makeModule("errs", {{"CancelledError", myErr}}); });
    QCOMPARE(lastLine(r.run("import errs\nraise errs.CancelledError()\n")), std::string("asyncio.exceptions.CancelledError"));
    QCOMPARE(r.run("import errs\ntry:\n    raise errs.CancelledError('x')\nexcept Exception:\n    hit = 'exception'\nexcept BaseException:\n    hit = 'base'\n"), std::string());
    QCOMPARE(r.global("hit").asString(), std::string("base"));
}

void TestValues::argumentBindingErrors_data()
{
    QTest::addColumn<QString>("call");
    QTest::addColumn<QString>("message");
    QTest::addRow("missing one") << "f()" << "TypeError: f() missing 1 required positional argument: 'x'";
    QTest::addRow("too many") << "f(1, 2, 3)" << "TypeError: f() takes from 1 to 2 positional arguments but 3 were given";
    QTest::addRow("exact") << "g(1, 2)" << "TypeError: g() takes 1 positional argument but 2 were given";
    QTest::addRow("missing two") << "h()" << "TypeError: h() missing 2 required positional arguments: 'a' and 'b'";
    QTest::addRow("unexpected kw") << "g(1, z=2)" << "TypeError: g() got an unexpected keyword argument 'z'";
    QTest::addRow("multiple values") << "g(1, x=2)" << "TypeError: g() got multiple values for argument 'x'";
    QTest::addRow("kwonly") << "k(1)" << "TypeError: k() missing 1 required keyword-only argument: 'c'";
    QTest::addRow("method") << "A().m(1, 2)" << "TypeError: A.m() takes 1 positional argument but 3 were given";
    QTest::addRow("not callable") << "(5)()" << "TypeError: 'int' object is not callable";
    QTest::addRow("unbound local") << "u()" << "UnboundLocalError: cannot access local variable 'v' where it is not associated with a value";
    QTest::addRow("name") << "nope" << "NameError: name 'nope' is not defined";
    QTest::addRow("attribute none") << "None.x" << "AttributeError: 'NoneType' object has no attribute 'x'";
}

void TestValues::argumentBindingErrors()
{
    QFETCH(QString, call);
    QFETCH(QString, message);
    Runner r;
    std::string src = "def f(x, y=1):\n    pass\ndef g(x):\n    pass\ndef h(a, b):\n    pass\ndef k(a, *, c):\n    pass\n"
                      "class A:\n    def m(self):\n        pass\ndef u():\n    print(v)\n    v = 1\n" +
                      call.toStdString() + "\n";
    QCOMPARE(QString::fromStdString(lastLine(r.run(src))), message);
}

void TestValues::signatures()
{
    Runner r;
    QCOMPARE(r.run("def marker(x):\n    return ('dep', x)\n"
                   "async def read_item(item_id: int, q: str = None, *, flag: bool = False, dep=marker(1)) -> dict:\n    pass\n"
                   "def gen():\n    yield 1\n"),
             std::string());
    FunctionInfo info;
    QVERIFY(functionInfo(r.global("read_item"), info));
    QVERIFY(info.isAsync);
    QVERIFY(!info.isGenerator);
    QCOMPARE(info.name, std::string("read_item"));
    QCOMPARE(info.firstLine, 3);
    QCOMPARE(info.params.size(), std::size_t(4));
    QCOMPARE(info.params[0].name, std::string("item_id"));
    QVERIFY(info.params[0].hasAnnotation);
    QVERIFY(info.params[0].annotation.is(typeValue(types().int_)));
    QVERIFY(!info.params[0].hasDefault);
    QCOMPARE(info.params[1].name, std::string("q"));
    QVERIFY(info.params[1].hasDefault && info.params[1].defaultValue.isNone());
    QCOMPARE(info.params[2].kind, ParamInfo::KeywordOnly);
    QVERIFY(info.params[2].annotation.is(typeValue(types().bool_)));
    QCOMPARE(r.reprOf(info.params[3].defaultValue), std::string("('dep', 1)"));
    QVERIFY(info.hasReturnAnnotation);
    QVERIFY(functionInfo(r.global("gen"), info));
    QVERIFY(info.isGenerator && !info.isAsync);
    QVERIFY(!functionInfo(Value::fromInt(1), info));
}

void TestValues::copyBetweenInterpreters()
{
    Runner a, b;
    QCOMPARE(a.run("def work(x):\n    return x * 2\ndata = {'k': [1, 2.5, 'x', None, (True,)], 'n': 2 ** 70}\n"), std::string());
    QCOMPARE(b.run("def work(x):\n    return x * 3\n"), std::string());
    Value copied;
    {
        GilRelease unlock(*a.ts); // each interpreter has its own GIL; this thread uses both
        copied = copyToInterpreter(*a.ts, a.global("data"), *b.ts);
    }
    QCOMPARE(b.reprOf(copied), std::string("{'k': [1, 2.5, 'x', None, (True,)], 'n': 1180591620717411303424}"));
    Value fn = copyToInterpreter(*a.ts, a.global("work"), *b.ts);
    QVERIFY(fn.isFunction());
    QCOMPARE(call(*b.ts, fn, {Value::fromInt(2)}).asInt(), 6); // b's own module-level function
}

void TestValues::compileErrors()
{
    Runner r;
    auto cr = r.interp->compile("def f():\n    return await g()\n", "x.py");
    QVERIFY(!cr);
    QCOMPARE(cr.error->type, std::string("SyntaxError"));
    QCOMPARE(cr.error->line, 2);
    QCOMPARE(lastLine(cr.error->formatted), std::string("SyntaxError: 'await' outside async function"));
    cr = r.interp->compile("x = 1j\n", "x.py");
    QVERIFY(!cr);
    QCOMPARE(cr.error->line, 1);
    QVERIFY(cr.error->column > 0);
    cr = r.interp->compile("class A(B, metaclass=M):\n    pass\n", "x.py");
    QVERIFY(!cr);
    QVERIFY(cr.error->message.find("not supported") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestValues)
#include "tst_values.moc"
