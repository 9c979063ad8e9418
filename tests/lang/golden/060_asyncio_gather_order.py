import asyncio

async def job(name, delay):
    await asyncio.sleep(delay)
    print("finished", name)
    return name

async def main():
    results = await asyncio.gather(job("slow", 0.05), job("fast", 0.01), job("mid", 0.03))
    print(results)

asyncio.run(main())

# expect: finished fast
# expect: finished mid
# expect: finished slow
# expect: ['slow', 'fast', 'mid']
