import asyncio
import time

def blocking(n):
    time.sleep(0.01)
    return n * 2

async def main():
    results = await asyncio.gather(asyncio.to_thread(blocking, 1), asyncio.to_thread(blocking, 2))
    print(results)

asyncio.run(main())

# expect: [2, 4]
