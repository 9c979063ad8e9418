// Static checks: the concurrency mistakes of the seeds, found before anything runs.
#include "lang/parser.h"
#include "lang/staticcheck.h"

#include <QtTest>

using namespace loopscope::lang;

namespace {

// "line:column code" for every finding, in order.
QStringList findings(const char *source, std::vector<Diagnostic> *all = nullptr)
{
    const ParseResult r = parseModule(source, "app.py");
    if (r.error)
        return {QString::fromStdString("syntax error: " + r.error->message)};
    const auto diags = checkModule(*r.module);
    QStringList out;
    for (const auto &d : diags)
        out << QStringLiteral("%1:%2 %3").arg(d.line).arg(d.column).arg(QString::fromStdString(d.code));
    if (all)
        *all = diags;
    return out;
}

} // namespace

class tst_StaticCheck : public QObject {
    Q_OBJECT
private slots:
    void findings_data();
    void findings();
    void messagesInTheUsersWords();
    void rangesCoverTheCall();
    void seedsApp();
};

void tst_StaticCheck::findings_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("time.sleep in async def") << QByteArray("import time\nasync def f():\n    time.sleep(1)\n")
                                             << QStringList{"3:5 blocking-call"};
    QTest::addRow("time.sleep in def is fine") << QByteArray("import time\ndef f():\n    time.sleep(1)\n") << QStringList{};
    QTest::addRow("from time import sleep") << QByteArray("from time import sleep\nasync def f():\n    sleep(1)\n")
                                            << QStringList{"3:5 blocking-call"};
    QTest::addRow("import time as t") << QByteArray("import time as t\nasync def f():\n    x = t.sleep(1)\n")
                                      << QStringList{"3:9 blocking-call"};
    QTest::addRow("asyncio.sleep awaited is fine") << QByteArray("import asyncio\nasync def f():\n    await asyncio.sleep(1)\n")
                                                   << QStringList{};
    QTest::addRow("passed to the threadpool is fine")
        << QByteArray("import time\nfrom fastapi.concurrency import run_in_threadpool\nasync def f():\n"
                      "    await run_in_threadpool(time.sleep, 1)\n")
        << QStringList{};
    QTest::addRow("requests") << QByteArray("import requests\nasync def f():\n    return requests.get('http://x')\n")
                              << QStringList{"3:12 blocking-call"};
    QTest::addRow("open read") << QByteArray("async def f():\n    data = open('x').read()\n")
                               << QStringList{"2:12 blocking-call"};
    QTest::addRow("nested def runs elsewhere")
        << QByteArray("import time\nasync def f():\n    def g():\n        time.sleep(1)\n    return g\n") << QStringList{};
    QTest::addRow("lambda runs elsewhere")
        << QByteArray("import time\nasync def f():\n    g = lambda: time.sleep(1)\n") << QStringList{};
    QTest::addRow("blocking helper")
        << QByteArray("import time\nasync def helper():\n    time.sleep(1)\nasync def ep():\n    await helper()\n")
        << QStringList{"3:5 blocking-call", "5:5 blocking-helper"};
    QTest::addRow("helper blocking through another helper")
        << QByteArray("import time\nasync def a():\n    time.sleep(1)\nasync def b():\n    await a()\n"
                      "async def ep():\n    await b()\n")
        << QStringList{"3:5 blocking-call", "5:5 blocking-helper", "7:5 blocking-helper"};
    QTest::addRow("blocking helper in gather")
        << QByteArray("import asyncio, time\nasync def helper():\n    time.sleep(1)\nasync def ep():\n"
                      "    await asyncio.gather(helper(), asyncio.sleep(1))\n")
        << QStringList{"3:5 blocking-call", "5:26 blocking-helper"};
    QTest::addRow("helper that awaits is fine")
        << QByteArray("import asyncio\nasync def helper():\n    await asyncio.sleep(1)\nasync def ep():\n    await helper()\n")
        << QStringList{};
    QTest::addRow("loop without await")
        << QByteArray("async def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n")
        << QStringList{"3:5 loop-without-await"};
    QTest::addRow("while without await") << QByteArray("async def f():\n    while True:\n        pass\n")
                                         << QStringList{"2:5 loop-without-await"};
    QTest::addRow("loop with await is fine")
        << QByteArray("import asyncio\nasync def f(n):\n    for i in range(n):\n        await asyncio.sleep(0)\n")
        << QStringList{};
    QTest::addRow("nested loops reported once")
        << QByteArray("async def f():\n    for i in range(3):\n        for j in range(3):\n            pass\n")
        << QStringList{"2:5 loop-without-await"};
    QTest::addRow("loop in def is fine") << QByteArray("def f():\n    while True:\n        pass\n") << QStringList{};
    QTest::addRow("asyncio.sleep not awaited")
        << QByteArray("import asyncio\nasync def f():\n    asyncio.sleep(1)\n") << QStringList{"3:5 not-awaited"};
    QTest::addRow("own coroutine not awaited")
        << QByteArray("async def g():\n    pass\nasync def f():\n    g()\n") << QStringList{"4:5 not-awaited"};
    QTest::addRow("blocking helper never awaited")
        << QByteArray("import time\nasync def helper():\n    time.sleep(1)\nasync def ep():\n    helper()\n")
        << QStringList{"3:5 blocking-call", "5:5 not-awaited"};
    QTest::addRow("coroutine handed to gather is fine")
        << QByteArray("import asyncio\nasync def f():\n    await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))\n")
        << QStringList{};
    QTest::addRow("asyncio.run inside the loop")
        << QByteArray("import asyncio\nasync def g():\n    pass\nasync def f():\n    asyncio.run(g())\n")
        << QStringList{"5:5 asyncio-run-in-loop"};
    QTest::addRow("emulated modules")
        << QByteArray("import asyncio, time, json, math, random, functools, typing, sys, httpx, requests\n"
                      "import concurrent.futures\nfrom fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\n"
                      "from starlette.concurrency import run_in_threadpool\nimport anyio.to_thread\n")
        << QStringList{};
    QTest::addRow("unknown module") << QByteArray("import numpy as np\nfrom pandas import DataFrame\n")
                                    << QStringList{"1:8 unknown-module", "2:1 unknown-module"};
    QTest::addRow("partial module") << QByteArray("import os\nfrom threading import Lock\n")
                                    << QStringList{"1:8 partial-module", "2:1 partial-module"};
    QTest::addRow("relative import") << QByteArray("from . import x\n") << QStringList{"1:1 relative-import"};
}

void tst_StaticCheck::findings()
{
    QFETCH(QByteArray, source);
    QFETCH(QStringList, expected);
    QCOMPARE(::findings(source.constData()), expected);
}

void tst_StaticCheck::messagesInTheUsersWords()
{
    std::vector<Diagnostic> d;
    ::findings("import time\nasync def async_block():\n    time.sleep(1)\n", &d);
    QCOMPARE(d.size(), std::size_t(1));
    QCOMPARE(d[0].severity, Diagnostic::Warning);
    QCOMPARE(d[0].message,
             std::string("time.sleep() blocks the event loop inside async def async_block: every other request waits. "
                         "Use await asyncio.sleep(), or declare the endpoint with def"));
    ::findings("import asyncio\nasync def f():\n    asyncio.sleep(1)\n", &d);
    QCOMPARE(d.size(), std::size_t(1));
    QVERIFY(d[0].message.find("coroutine 'sleep' was never awaited") != std::string::npos);
    ::findings("import numpy\n", &d);
    QCOMPARE(d[0].severity, Diagnostic::Error);
    QVERIFY(d[0].message.find("'numpy'") != std::string::npos);
}

void tst_StaticCheck::rangesCoverTheCall()
{
    std::vector<Diagnostic> d;
    ::findings("import time\nasync def f():\n    x = 1; time.sleep(0.5)\n", &d);
    QCOMPARE(d.size(), std::size_t(1));
    QCOMPARE(d[0].line, 3);
    QCOMPARE(d[0].column, 12);
    QCOMPARE(d[0].endLine, 3);
    QCOMPARE(d[0].endColumn, 27);
}

void tst_StaticCheck::seedsApp()
{
    QFile f(QStringLiteral(LOOPSCOPE_SOURCE_DIR "/tests/lang/data/seeds_app.py"));
    if (!f.open(QIODevice::ReadOnly))
        QFAIL("tests/lang/data/seeds_app.py is missing");
    const QByteArray src = f.readAll();
    const QStringList got = ::findings(src.constData());
    // async_block sleeps, helper sleeps, async_helper_block awaits the helper.
    QCOMPARE(got.filter(QStringLiteral("blocking-call")).size(), 2);
    QCOMPARE(got.filter(QStringLiteral("blocking-helper")).size(), 1);
}

QTEST_GUILESS_MAIN(tst_StaticCheck)
#include "tst_staticcheck.moc"
