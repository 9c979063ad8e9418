import asyncio

async def ticks(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i

async def main():
    async for t in ticks(3):
        print("tick", t)
    print([x async for x in ticks(2)])

asyncio.run(main())

# expect: tick 0
# expect: tick 1
# expect: tick 2
# expect: [0, 1]
