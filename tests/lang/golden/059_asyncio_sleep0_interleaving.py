import asyncio

async def worker(name, n):
    for i in range(n):
        print(name, i)
        await asyncio.sleep(0)

async def main():
    await asyncio.gather(worker("a", 3), worker("b", 3))

asyncio.run(main())

# expect: a 0
# expect: b 0
# expect: a 1
# expect: b 1
# expect: a 2
# expect: b 2
