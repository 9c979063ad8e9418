import asyncio

def compute(a, b):
    return a + b

async def main():
    loop = asyncio.get_running_loop()
    r = await loop.run_in_executor(None, compute, 2, 3)
    print("executor result", r)

asyncio.run(main())

# expect: executor result 5
