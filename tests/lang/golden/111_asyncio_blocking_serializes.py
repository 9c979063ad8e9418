import asyncio
import time

async def blocker(name):
    print("start", name)
    time.sleep(0.01)
    print("end", name)

async def main():
    await asyncio.gather(blocker("a"), blocker("b"))

asyncio.run(main())

# expect: start a
# expect: end a
# expect: start b
# expect: end b
