import asyncio

async def square(x):
    await asyncio.sleep(0)
    return x * x

async def main():
    total = 0
    for i in range(4):
        total += await square(i)
    print(total)
    print(await asyncio.gather(*(square(i) for i in range(4))))

asyncio.run(main())

# expect: 14
# expect: [0, 1, 4, 9]
