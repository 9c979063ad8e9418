import asyncio

active = 0
peak = 0

async def limited(sem, i):
    global active, peak
    async with sem:
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1
    return i

async def main():
    sem = asyncio.Semaphore(2)
    results = await asyncio.gather(*[limited(sem, i) for i in range(6)])
    print(results)
    print("peak", peak)

asyncio.run(main())

# expect: [0, 1, 2, 3, 4, 5]
# expect: peak 2
