// Runtime costs, printed: a loop callback, a hop to a worker thread and back (what a
// `def` endpoint pays besides its own work), and — with the language — resuming a
// coroutine and a run_in_threadpool round trip from Python.
#include "runtime/eventloop.h"
#include "runtime/threadpoolexecutor.h"
#include "runtime/workerthreadpool.h"

#ifdef LOOPSCOPE_BENCH_WITH_LANG
#include "runtime/asyncruntime.h"

#include "lang/interpreter.h"
#include "lang/native.h"
#include "lang/threadstate.h"
#endif

#include <QCoreApplication>

#include <chrono>
#include <cstdio>
#include <functional>

using namespace loopscope::runtime;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void report(const char *what, double seconds, int n)
{
    std::printf("%-44s %10.3f us/op  (%d ops)\n", what, seconds / n * 1e6, n);
}

void benchCallSoon()
{
    EventLoop loop;
    loop.setLagSampling(false);
    const int n = 200000;
    int left = n;
    std::function<void()> step = [&] {
        if (--left > 0)
            loop.callSoon(step);
    };
    loop.callSoon(step);
    const auto t0 = Clock::now();
    loop.runUntil([&] { return left == 0; });
    report("loop: call_soon chain (one per iteration)", since(t0), n);
}

void benchWorkerHop()
{
    EventLoop loop;
    loop.setLagSampling(false);
    WorkerThreadPool pool(&loop);
    const int n = 20000;
    int left = n;
    std::function<void()> hop = [&] {
        if (--left > 0)
            pool.submit([] {}, hop);
    };
    pool.submit([] {}, hop);
    const auto t0 = Clock::now();
    loop.runUntil([&] { return left == 0; });
    report("worker thread: loop -> worker -> loop", since(t0), n);
}

void benchExecutorHop()
{
    EventLoop loop;
    loop.setLagSampling(false);
    ThreadPoolExecutor ex(6);
    const int n = 20000;
    int left = n;
    std::function<void()> hop = [&] {
        if (--left > 0)
            ex.submit([&] { loop.callSoonThreadsafe(hop); });
    };
    ex.submit([&] { loop.callSoonThreadsafe(hop); });
    const auto t0 = Clock::now();
    loop.runUntil([&] { return left == 0; });
    report("executor: loop -> executor -> loop", since(t0), n);
}

#ifdef LOOPSCOPE_BENCH_WITH_LANG
void benchPython(const char *what, const char *source, int n)
{
    using namespace loopscope::lang;
    InterpreterOptions options;
    options.output = [](ThreadState &, std::string_view, bool) {};
    auto interp = Interpreter::create(options);
    registerRuntimeModules(*interp);
    auto ts = interp->attachThread("MainThread");
    auto compiled = interp->compile(source, "bench.py");
    if (!compiled) {
        std::printf("%s: compile error\n", what);
        return;
    }
    const auto t0 = Clock::now();
    Value m = interp->runModule(*ts, compiled.code, "__main__");
    const double s = since(t0);
    if (m.isError()) {
        std::printf("%s: %s", what, formatException(*ts, ts->fetchException()).c_str());
        return;
    }
    report(what, s, n);
}
#endif

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchCallSoon();
    benchWorkerHop();
    benchExecutorHop();
#ifdef LOOPSCOPE_BENCH_WITH_LANG
    benchPython("python: await asyncio.sleep(0) (resume a coroutine)", R"(
import asyncio
async def main():
    for i in range(100000):
        await asyncio.sleep(0)
asyncio.run(main())
)", 100000);
    benchPython("python: await run_in_threadpool(f) round trip", R"(
import asyncio
from starlette.concurrency import run_in_threadpool
def f():
    return 1
async def main():
    for i in range(10000):
        await run_in_threadpool(f)
asyncio.run(main())
)", 10000);
#endif
    return 0;
}
