import asyncio

lock = None
log = []

async def critical(name):
    async with lock:
        log.append(name + " in")
        await asyncio.sleep(0.01)
        log.append(name + " out")

async def main():
    global lock
    lock = asyncio.Lock()
    await asyncio.gather(critical("a"), critical("b"), critical("c"))
    for line in log:
        print(line)

asyncio.run(main())

# expect: a in
# expect: a out
# expect: b in
# expect: b out
# expect: c in
# expect: c out
