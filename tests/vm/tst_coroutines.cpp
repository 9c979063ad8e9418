// Coroutines, generators and async generators driven by hand through resume(),
// throwInto() and close(), native awaitables, and suspension across threads.
#include "vmtesthelpers.h"

#include <QtTest>
#include <thread>

using namespace vmtest;

class TestCoroutines : public QObject {
    Q_OBJECT
private slots:
    void coroutineReturns();
    void awaitChainSuspendsWholeChain();
    void nativeAwaitable();
    void throwIntoSuspended();
    void closeRunsFinally();
    void resumeOnAnotherThread();
    void asyncGenerator();
    void asyncWithAndFor();
    void neverAwaitedReuse();
};

// A native "future" whose __await__ iterator yields itself once, then returns its result.
static Value makeFutureType()
{
    NativeTypeSpec spec;
    spec.name = "TestFuture";
    spec.methods.push_back({"__await__", [](ThreadState &, const CallArgs &a) -> Value {
                                NativeTypeSpec it;
                                static Value iterType = [] {
                                    NativeTypeSpec s;
                                    s.name = "TestFutureIter";
                                    s.hooks.resume = [](ThreadState &ts, const Value &self, const Value &sent, const Value *exc) {
                                        ResumeResult r;
                                        auto *o = self.as<NativeObject>();
                                        if (exc) {
                                            ts.restoreException(*exc);
                                            r.kind = ResumeResult::Raised;
                                            return r;
                                        }
                                        if (o->attrs.getStr("yielded").isNotFound()) {
                                            o->attrs.setStr("yielded", Value::trueValue());
                                            r.kind = ResumeResult::Yielded;
                                            r.value = o->attrs.getStr("future");
                                            return r;
                                        }
                                        r.kind = ResumeResult::Returned;
                                        r.value = sent; // the driver sends the result in
                                        return r;
                                    };
                                    return makeNativeType(std::move(s));
                                }();
                                auto *o = new NativeObject(iterType.as<TypeObject>());
                                Value v(o);
                                o->attrs.setStr("future", a[0]);
                                return v;
                            }});
    spec.construct = nullptr;
    return makeNativeType(std::move(spec));
}

void TestCoroutines::coroutineReturns()
{
    Runner r;
    QCOMPARE(r.run("async def f(x):\n    return x * 2\nc = f(21)\n"), std::string());
    Value c = r.global("c");
    QVERIFY(isCoroutine(c));
    ResumeResult res = resume(*r.ts, c, Value::none());
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(res.value.asInt(), 42);
    // reuse is an error, as in CPython
    res = resume(*r.ts, c, Value::none());
    QCOMPARE(res.kind, ResumeResult::Raised);
    QCOMPARE(exceptionSummary(*r.ts, r.ts->fetchException()), std::string("RuntimeError: cannot reuse already awaited coroutine"));
}

void TestCoroutines::awaitChainSuspendsWholeChain()
{
    Runner r;
    Value fut = makeFutureType();
    moduleSet(r.interp->importModule(*r.ts, "sys"), "TestFuture", fut);
    std::string src =
        "import sys\n"
        "log = []\n"
        "async def leaf():\n"
        "    v = await sys.fut\n"
        "    log.append(('leaf', v))\n"
        "    return v + 1\n"
        "async def mid():\n"
        "    v = await leaf()\n"
        "    log.append(('mid', v))\n"
        "    return v * 10\n"
        "async def top():\n"
        "    return await mid()\n";
    moduleSet(r.interp->importModule(*r.ts, "sys"), "fut", Value(new NativeObject(fut.as<TypeObject>())));
    QCOMPARE(r.run(src), std::string());
    Value coro = call(*r.ts, r.global("top"), {});
    ResumeResult res = resume(*r.ts, coro, Value::none());
    QCOMPARE(res.kind, ResumeResult::Yielded); // the future came up through three frames
    QCOMPARE(r.reprOf(r.global("log")), std::string("[]"));
    res = resume(*r.ts, coro, Value::fromInt(4));
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(res.value.asInt(), 50);
    QCOMPARE(r.reprOf(r.global("log")), std::string("[('leaf', 4), ('mid', 5)]"));
}

void TestCoroutines::nativeAwaitable()
{
    Runner r;
    QCOMPARE(r.run("class Y:\n    def __await__(self):\n        x = yield 'tick'\n        return x\n"
                   "async def f():\n    return await Y()\n"),
             std::string());
    Value coro = call(*r.ts, r.global("f"), {});
    ResumeResult res = resume(*r.ts, coro, Value::none());
    QCOMPARE(res.kind, ResumeResult::Yielded);
    QCOMPARE(res.value.asString(), std::string("tick"));
    res = resume(*r.ts, coro, makeStr("done"));
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(res.value.asString(), std::string("done"));
    // a bare yield of None up to the driver ("run me again next iteration")
    QCOMPARE(r.run("class Z:\n    def __await__(self):\n        yield\n\nasync def g():\n    await Z()\n    return 'again'\n"), std::string());
    coro = call(*r.ts, r.global("g"), {});
    res = resume(*r.ts, coro, Value::none());
    QCOMPARE(res.kind, ResumeResult::Yielded);
    QVERIFY(res.value.isNone());
    res = resume(*r.ts, coro, Value::none());
    QCOMPARE(res.kind, ResumeResult::Returned);
}

void TestCoroutines::throwIntoSuspended()
{
    Runner r;
    QCOMPARE(r.run("class Y:\n    def __await__(self):\n        yield 1\n"
                   "async def inner():\n    await Y()\n"
                   "async def f():\n    try:\n        await inner()\n    except ValueError as e:\n        return 'handled ' + str(e)\n"),
             std::string());
    Value coro = call(*r.ts, r.global("f"), {});
    QCOMPARE(resume(*r.ts, coro, Value::none()).kind, ResumeResult::Yielded);
    ResumeResult res = throwInto(*r.ts, coro, makeException(types().ValueError, "boom"));
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(res.value.asString(), std::string("handled boom"));

    // an exception nobody catches comes out as Raised with a traceback through both frames
    Value coro2 = call(*r.ts, r.global("inner"), {});
    QCOMPARE(resume(*r.ts, coro2, Value::none()).kind, ResumeResult::Yielded);
    res = throwInto(*r.ts, coro2, makeException(types().KeyError, "k"));
    QCOMPARE(res.kind, ResumeResult::Raised);
    std::string tb = formatException(*r.ts, r.ts->fetchException());
    QVERIFY2(tb.find("in inner") != std::string::npos, tb.c_str());
    QCOMPARE(lastLine(tb), std::string("KeyError: 'k'"));
}

void TestCoroutines::closeRunsFinally()
{
    Runner r;
    QCOMPARE(r.run("log = []\ndef g():\n    try:\n        yield 1\n        yield 2\n    finally:\n        log.append('closed')\n"), std::string());
    Value gen = call(*r.ts, r.global("g"), {});
    QCOMPARE(resume(*r.ts, gen, Value::none()).value.asInt(), 1);
    QCOMPARE(close(*r.ts, gen).kind, ResumeResult::Returned);
    QCOMPARE(r.reprOf(r.global("log")), std::string("['closed']"));
    // send on a just-started generator
    Value gen2 = call(*r.ts, r.global("g"), {});
    ResumeResult res = resume(*r.ts, gen2, Value::fromInt(1));
    QCOMPARE(res.kind, ResumeResult::Raised);
    QCOMPARE(exceptionSummary(*r.ts, r.ts->fetchException()), std::string("TypeError: can't send non-None value to a just-started generator"));
}

void TestCoroutines::resumeOnAnotherThread()
{
    Runner r;
    QCOMPARE(r.run("import threading\nclass Y:\n    def __await__(self):\n        yield 1\n"
                   "async def f():\n    a = threading.current_thread().name\n    await Y()\n    b = threading.current_thread().name\n    return a + '->' + b\n"),
             std::string());
    Value coro = call(*r.ts, r.global("f"), {});
    QCOMPARE(resume(*r.ts, coro, Value::none()).kind, ResumeResult::Yielded);
    ResumeResult res;
    {
        GilRelease unlock(*r.ts);
        std::thread t([&] {
            auto ts2 = r.interp->attachThread("worker-1");
            res = resume(*ts2, coro, Value::none());
            // keep the result's string alive independent of this thread state
        });
        t.join();
    }
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(res.value.asString(), std::string("MainThread->worker-1"));
}

void TestCoroutines::asyncGenerator()
{
    Runner r;
    QCOMPARE(r.run("class Y:\n    def __await__(self):\n        yield 'io'\n"
                   "async def agen():\n    for i in range(2):\n        await Y()\n        yield i\n"
                   "async def consume():\n    out = []\n    async for x in agen():\n        out.append(x)\n    return out\n"),
             std::string());
    Value coro = call(*r.ts, r.global("consume"), {});
    int yields = 0;
    ResumeResult res;
    for (;;) {
        res = resume(*r.ts, coro, Value::none());
        if (res.kind != ResumeResult::Yielded)
            break;
        QCOMPARE(res.value.asString(), std::string("io")); // only the awaits reach the driver
        ++yields;
    }
    QCOMPARE(res.kind, ResumeResult::Returned);
    QCOMPARE(yields, 2);
    QCOMPARE(r.reprOf(res.value), std::string("[0, 1]"));
}

void TestCoroutines::asyncWithAndFor()
{
    Runner r;
    QCOMPARE(r.run("log = []\nclass CM:\n    async def __aenter__(self):\n        log.append('enter')\n        return self\n"
                   "    async def __aexit__(self, t, e, tb):\n        log.append(('exit', t.__name__ if t else None))\n        return False\n"
                   "async def f():\n    async with CM() as c:\n        log.append('body')\n    try:\n        async with CM():\n            raise ValueError('x')\n    except ValueError:\n        log.append('caught')\n"),
             std::string());
    Value coro = call(*r.ts, r.global("f"), {});
    QCOMPARE(resume(*r.ts, coro, Value::none()).kind, ResumeResult::Returned);
    QCOMPARE(r.reprOf(r.global("log")), std::string("['enter', 'body', ('exit', None), 'enter', ('exit', 'ValueError'), 'caught']"));
}

void TestCoroutines::neverAwaitedReuse()
{
    Runner r;
    QCOMPARE(r.run("async def f():\n    return 1\nasync def g():\n    c = f()\n    await c\n    await c\n"), std::string());
    Value coro = call(*r.ts, r.global("g"), {});
    ResumeResult res = resume(*r.ts, coro, Value::none());
    QCOMPARE(res.kind, ResumeResult::Raised);
    QCOMPARE(exceptionSummary(*r.ts, r.ts->fetchException()), std::string("RuntimeError: cannot reuse already awaited coroutine"));
}

QTEST_GUILESS_MAIN(TestCoroutines)
#include "tst_coroutines.moc"
