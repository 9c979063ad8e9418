import asyncio


async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    return name


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    a = asyncio.create_task(job("a", 0.3))
    b = asyncio.create_task(job("b", 0.01))
    c = asyncio.create_task(job("c", 0.15))  # far apart: a late loop still sees b first
    done, pending = await asyncio.wait({a, b, c}, return_when=asyncio.FIRST_COMPLETED)
    print(sorted(t.result() for t in done), len(pending))
    done, pending = await asyncio.wait(pending)
    print(sorted(t.result() for t in done), len(pending), loop.time() - t0 < 0.6)  # not one after another

    # FIRST_EXCEPTION stops at the first failure; a timeout leaves the rest pending
    x = asyncio.create_task(job("x", 0.01, fail=True))
    y = asyncio.create_task(job("y", 0.2))
    done, pending = await asyncio.wait([x, y], return_when=asyncio.FIRST_EXCEPTION)
    print([type(t.exception()).__name__ for t in done], len(pending))
    done, pending = await asyncio.wait([y], timeout=0.01)
    print(len(done), len(pending), y.done())
    y.cancel()
    coro = job("coro", 0)
    try:
        await asyncio.wait([coro])
    except TypeError as e:
        print("TypeError:", e)
    coro.close()  # never run: closed, so no "never awaited" warning
    try:
        await asyncio.wait([])
    except ValueError as e:
        print("ValueError:", e)
    try:
        await asyncio.wait([a], return_when="SOMETIMES")
    except ValueError as e:
        print("ValueError:", e)

    # as_completed: results in completion order; a timeout raises TimeoutError
    order = []
    for f in asyncio.as_completed([job("slow", 0.03), job("fast", 0.01), job("mid", 0.02)]):
        order.append(await f)
    print(order)
    try:
        for f in asyncio.as_completed([job("late", 0.5)], timeout=0.01):
            await f
    except asyncio.TimeoutError:
        print("as_completed timed out")

    # shield: cancelling the outer waiter leaves the inner task running
    inner = asyncio.create_task(job("inner", 0.02))
    outer = asyncio.shield(inner)
    outer.cancel()
    try:
        await outer
    except asyncio.CancelledError:
        print("outer cancelled", inner.cancelled())
    print(await inner)
    print(await asyncio.shield(job("direct", 0)))
    print(asyncio.FIRST_COMPLETED, asyncio.FIRST_EXCEPTION, asyncio.ALL_COMPLETED)


asyncio.run(main())

# expect: ['b'] 2
# expect: ['a', 'c'] 0 True
# expect: ['ValueError'] 1
# expect: 0 1 False
# expect: TypeError: Passing coroutines is forbidden, use tasks explicitly.
# expect: ValueError: Set of Tasks/Futures is empty.
# expect: ValueError: Invalid return_when value: SOMETIMES
# expect: ['fast', 'mid', 'slow']
# expect: as_completed timed out
# expect: outer cancelled False
# expect: inner
# expect: direct
# expect: FIRST_COMPLETED FIRST_EXCEPTION ALL_COMPLETED
