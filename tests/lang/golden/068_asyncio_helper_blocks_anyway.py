import asyncio
import time

order = []

async def blocking_helper(name):
    time.sleep(0.02)
    order.append(name)

async def ticker():
    for i in range(2):
        order.append("tick")
        await asyncio.sleep(0)

async def main():
    await asyncio.gather(blocking_helper("h1"), ticker(), blocking_helper("h2"))
    print(order)

asyncio.run(main())

# expect: ['h1', 'tick', 'h2', 'tick']
