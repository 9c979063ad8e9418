import asyncio


async def producer(q, n):
    for i in range(n):
        await q.put(i)
        print("put", i, q.qsize())
    await q.put(None)


async def consumer(q, name):
    while True:
        item = await q.get()
        q.task_done()
        if item is None:
            print(name, "done")
            return
        print(name, "got", item)
        await asyncio.sleep(0.001)


async def main():
    # a bounded queue makes the producer wait for the consumer
    q = asyncio.Queue(maxsize=2)
    print(q.maxsize, q.empty(), q.full(), str(q))
    await asyncio.gather(producer(q, 5), consumer(q, "c"))
    print(q.empty(), str(q))

    # join() waits until every item got its task_done()
    q = asyncio.Queue()
    for i in range(3):
        q.put_nowait(i)
    print(str(q))

    async def worker():
        while not q.empty():
            q.get_nowait()
            await asyncio.sleep(0.001)
            q.task_done()

    w = asyncio.create_task(worker())
    await q.join()
    print("joined", q.qsize())
    await w

    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        print("QueueEmpty")
    full = asyncio.Queue(1)
    full.put_nowait("x")
    try:
        full.put_nowait("y")
    except asyncio.QueueFull:
        print("QueueFull", full.full())
    try:
        q.task_done()
    except ValueError as e:
        print("ValueError:", e)

    # a get() cancelled while waiting leaves the queue usable
    q = asyncio.Queue()
    getter = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    getter.cancel()
    await asyncio.sleep(0)
    print(getter.cancelled())
    q.put_nowait("after")
    print(await q.get())
    try:
        await asyncio.wait_for(q.get(), timeout=0.01)
    except asyncio.TimeoutError:
        print("get timed out")

    lifo = asyncio.LifoQueue()
    prio = asyncio.PriorityQueue()
    for item in [5, 1, 4, 1, 3, 9, 2, 6]:
        lifo.put_nowait(item)
        prio.put_nowait((item, str(item)))
    print([lifo.get_nowait() for _ in range(lifo.qsize())])
    print([prio.get_nowait()[0] for _ in range(prio.qsize())])
    print(asyncio.Queue, asyncio.QueueEmpty, issubclass(asyncio.PriorityQueue, asyncio.Queue))


asyncio.run(main())

# expect: 2 True False <Queue maxsize=2>
# expect: put 0 1
# expect: put 1 2
# expect: c got 0
# expect: put 2 2
# expect: c got 1
# expect: put 3 2
# expect: c got 2
# expect: put 4 2
# expect: c got 3
# expect: c got 4
# expect: c done
# expect: True <Queue maxsize=2>
# expect: <Queue maxsize=0 _queue=[0, 1, 2] tasks=3>
# expect: joined 0
# expect: QueueEmpty
# expect: QueueFull True
# expect: ValueError: task_done() called too many times
# expect: True
# expect: after
# expect: get timed out
# expect: [6, 2, 9, 3, 1, 4, 1, 5]
# expect: [1, 1, 2, 3, 4, 5, 6, 9]
# expect: <class 'asyncio.queues.Queue'> <class 'asyncio.queues.QueueEmpty'> True
