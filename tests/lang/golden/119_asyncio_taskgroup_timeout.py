import asyncio


async def work(name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
        if fail:
            raise ValueError(f"{name} failed")
        print("done", name)
        return name
    except asyncio.CancelledError:
        print("cancelled", name)
        raise


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(work("a", 0.02))
        b = tg.create_task(work("b", 0.01), name="bee")
        print(repr(tg), b.get_name())
    print(a.result(), b.result(), loop.time() - t0 < 0.5)  # side by side, not 1 s

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(work("c", 0.5))
            tg.create_task(work("d", 0.01, fail=True))
            tg.create_task(work("e", 0.01, fail=True))
        print("not reached")
    except ExceptionGroup as eg:
        print(type(eg).__name__, eg, [repr(e) for e in eg.exceptions])
        print(repr(eg.subgroup(ValueError)), eg.split(KeyError))
        print(isinstance(eg, BaseExceptionGroup), isinstance(eg, Exception))
    # Python 3.11.2: the failed group's cancel() of its parent is not taken back
    print(asyncio.current_task().cancelling())


async def timeouts():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        async with asyncio.timeout(0.02) as cm:
            print(repr(cm).startswith("<Timeout [active] when="))
            await asyncio.sleep(1)
    except TimeoutError:
        print("timed out", cm.expired(), repr(cm), loop.time() - t0 < 0.5)  # not the 1 s sleep
    async with asyncio.timeout(None) as cm:
        await asyncio.sleep(0.01)
    print(repr(cm), cm.expired())
    async with asyncio.timeout_at(loop.time() + 1) as cm:
        cm.reschedule(None)
        await asyncio.sleep(0.01)
    print(cm.when())
    try:
        cm.reschedule(1)
    except RuntimeError as e:
        print(e)

    # an outer cancel() is not a timeout: it stays a CancelledError
    async def inner():
        async with asyncio.timeout(10):
            await asyncio.sleep(1)
    t = asyncio.create_task(inner())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outer cancel stays CancelledError", t.cancelled())

    try:
        ExceptionGroup("x", [KeyboardInterrupt()])
    except TypeError as e:
        print(e)
    try:
        ExceptionGroup("x", [])
    except ValueError as e:
        print(e)


async def both():
    await main()
    await asyncio.create_task(timeouts())


asyncio.run(both())

# expect: <TaskGroup tasks=2 entered> bee
# expect: done b
# expect: done a
# expect: a b True
# expect: cancelled c
# expect: ExceptionGroup unhandled errors in a TaskGroup (2 sub-exceptions) ["ValueError('d failed')", "ValueError('e failed')"]
# expect: ExceptionGroup('unhandled errors in a TaskGroup', [ValueError('d failed'), ValueError('e failed')]) (None, ExceptionGroup('unhandled errors in a TaskGroup', [ValueError('d failed'), ValueError('e failed')]))
# expect: True True
# expect: 1
# expect: True
# expect: timed out True <Timeout [expired]> True
# expect: <Timeout [finished]> False
# expect: None
# expect: Cannot change state of finished Timeout
# expect: outer cancel stays CancelledError True
# expect: Cannot nest BaseExceptions in an ExceptionGroup
# expect: second argument (exceptions) must be a non-empty sequence
