// asyncio from Python code: iteration order, gather, tasks, wait_for, locks, executors.
#include "pythonrunner.h"

#include <QTest>

using loopscope::testing::PythonRun;
using loopscope::testing::runPython;

#define VERIFY_RUN(r) QVERIFY2((r).ok, ((r).err + "\n--- stdout:\n" + (r).out).c_str())

class tst_Asyncio : public QObject {
    Q_OBJECT
private slots:
    void sleepZeroInterleaves();
    void gatherKeepsArgumentOrder();
    void gatherPropagatesTheFirstException();
    void gatherReturnExceptions();
    void createTaskRunsConcurrently();
    void taskNamesAndCurrentTask();
    void waitForTimeoutCancelsInner();
    void waitForReturnsInTime();
    void cancelThrowsCancelledError();
    void lockSerialises();
    void semaphoreLimits();
    void eventWakesWaiters();
    void sleepTimingShape();
    void runningLoopAndCallSoon();
    void runRejectsNonCoroutine();
    void uncaughtExceptionPropagatesFromRun();
};

void tst_Asyncio::sleepZeroInterleaves()
{
    PythonRun r = runPython(R"(
import asyncio

async def worker(name):
    for i in range(3):
        print(name, i)
        await asyncio.sleep(0)

async def main():
    await asyncio.gather(worker("A"), worker("B"))

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"A 0", "B 0", "A 1", "B 1", "A 2", "B 2"}));
}

void tst_Asyncio::gatherKeepsArgumentOrder()
{
    PythonRun r = runPython(R"(
import asyncio

async def f(delay, value):
    await asyncio.sleep(delay)
    print("done", value)
    return value

async def main():
    print(await asyncio.gather(f(0.06, "a"), f(0.01, "b"), f(0.03, "c")))

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"done b", "done c", "done a", "['a', 'b', 'c']"}));
}

void tst_Asyncio::gatherPropagatesTheFirstException()
{
    PythonRun r = runPython(R"(
import asyncio

async def ok():
    await asyncio.sleep(0.02)
    return 1

async def bad():
    await asyncio.sleep(0.01)
    raise ValueError("boom")

async def main():
    try:
        await asyncio.gather(ok(), bad())
    except ValueError as e:
        print("caught", e)

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"caught boom"}));
}

void tst_Asyncio::gatherReturnExceptions()
{
    PythonRun r = runPython(R"(
import asyncio

async def ok():
    return 1

async def bad():
    raise KeyError("k")

async def main():
    res = await asyncio.gather(ok(), bad(), return_exceptions=True)
    print(res[0], type(res[1]).__name__)

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"1 KeyError"}));
}

void tst_Asyncio::createTaskRunsConcurrently()
{
    PythonRun r = runPython(R"(
import asyncio

async def child():
    print("child starts")
    await asyncio.sleep(0.01)
    print("child ends")
    return 42

async def main():
    t = asyncio.create_task(child())
    print("created")
    await asyncio.sleep(0)
    print("after one iteration")
    print(await t)
    print(t.done(), t.result())

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"created", "child starts", "after one iteration", "child ends", "42", "True 42"}));
}

void tst_Asyncio::taskNamesAndCurrentTask()
{
    PythonRun r = runPython(R"(
import asyncio

async def child():
    return asyncio.current_task().get_name()

async def main():
    t = asyncio.create_task(child(), name="worker-1")
    print(await t)
    print(asyncio.current_task() is not None)

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"worker-1", "True"}));
}

void tst_Asyncio::waitForTimeoutCancelsInner()
{
    PythonRun r = runPython(R"(
import asyncio

async def slow():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print("inner cancelled")
        raise

async def main():
    try:
        await asyncio.wait_for(slow(), 0.05)
    except asyncio.TimeoutError:
        print("timeout", asyncio.TimeoutError is TimeoutError)

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"inner cancelled", "timeout True"}));
    QVERIFY2(r.seconds < 1.0, qPrintable(QString::number(r.seconds)));
}

void tst_Asyncio::waitForReturnsInTime()
{
    PythonRun r = runPython(R"(
import asyncio

async def quick():
    await asyncio.sleep(0.01)
    return "fast"

async def main():
    print(await asyncio.wait_for(quick(), 1))
    print(await asyncio.wait_for(quick(), None))

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"fast", "fast"}));
    QVERIFY(r.seconds < 0.5);
}

void tst_Asyncio::cancelThrowsCancelledError()
{
    PythonRun r = runPython(R"(
import asyncio

async def forever():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("cancelled inside")
        raise

async def main():
    t = asyncio.create_task(forever())
    await asyncio.sleep(0.01)
    print(t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print("awaiter sees CancelledError", t.cancelled())

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"True", "cancelled inside", "awaiter sees CancelledError True"}));
    QVERIFY(r.seconds < 1.0);
}

void tst_Asyncio::lockSerialises()
{
    PythonRun r = runPython(R"(
import asyncio

async def user(lock, n):
    async with lock:
        print("in", n)
        await asyncio.sleep(0.01)
        print("out", n)

async def main():
    lock = asyncio.Lock()
    await asyncio.gather(user(lock, 1), user(lock, 2), user(lock, 3))
    print(lock.locked())

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"in 1", "out 1", "in 2", "out 2", "in 3", "out 3", "False"}));
}

void tst_Asyncio::semaphoreLimits()
{
    PythonRun r = runPython(R"(
import asyncio
import time

running = 0
peak = 0

async def job(sem):
    global running, peak
    async with sem:
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.1)
        running -= 1

async def main():
    sem = asyncio.Semaphore(2)
    t0 = time.monotonic()
    await asyncio.gather(job(sem), job(sem), job(sem), job(sem))
    dt = time.monotonic() - t0  # two waves of 0.1 s
    print(peak, 0.18 < dt < 0.3 or round(dt, 3))

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"2 True"}));
}

void tst_Asyncio::eventWakesWaiters()
{
    PythonRun r = runPython(R"(
import asyncio

async def waiter(ev, n):
    await ev.wait()
    print("woke", n)

async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(ev, i)) for i in range(3)]
    await asyncio.sleep(0.01)
    print("setting", ev.is_set())
    ev.set()
    await asyncio.gather(*tasks)

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"setting False", "woke 0", "woke 1", "woke 2"}));
}

void tst_Asyncio::sleepTimingShape()
{
    PythonRun r = runPython(R"(
import asyncio
import time

async def main():
    t0 = time.monotonic()
    await asyncio.gather(asyncio.sleep(0.2), asyncio.sleep(0.2), asyncio.sleep(0.1))
    dt = time.monotonic() - t0  # side by side: 0.2 s (one after the other: 0.5 s)
    print(0.18 < dt < 0.35 or round(dt, 3))

asyncio.run(main())
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"True"}));
}

void tst_Asyncio::runningLoopAndCallSoon()
{
    PythonRun r = runPython(R"(
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_soon(print, "soon")
    loop.call_later(0.01, fut.set_result, "later")
    print(await fut)
    print(loop.is_running())

asyncio.run(main())
try:
    asyncio.get_running_loop()
except RuntimeError as e:
    print(e)
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"soon", "later", "True", "no running event loop"}));
}

void tst_Asyncio::runRejectsNonCoroutine()
{
    PythonRun r = runPython(R"(
import asyncio

async def main():
    pass

try:
    asyncio.run(main)
except ValueError as e:
    print("ValueError")
)");
    VERIFY_RUN(r);
    QCOMPARE(r.lines(), QStringList({"ValueError"}));
}

void tst_Asyncio::uncaughtExceptionPropagatesFromRun()
{
    PythonRun r = runPython(R"(
import asyncio

async def main():
    await asyncio.sleep(0)
    raise RuntimeError("from the loop")

asyncio.run(main())
)");
    QVERIFY(!r.ok);
    QVERIFY2(r.err.find("RuntimeError: from the loop") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("Traceback (most recent call last):") != std::string::npos, r.err.c_str());
}

QTEST_GUILESS_MAIN(tst_Asyncio)
#include "tst_asyncio.moc"
