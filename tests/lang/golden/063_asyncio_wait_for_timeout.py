import asyncio

async def slow():
    await asyncio.sleep(1)
    return "slow done"

async def main():
    try:
        await asyncio.wait_for(slow(), timeout=0.05)
    except asyncio.TimeoutError:
        print("timed out")
    r = await asyncio.wait_for(asyncio.sleep(0.01, result="quick"), timeout=1)
    print(r)
    print(asyncio.TimeoutError is TimeoutError)

asyncio.run(main())

# expect: timed out
# expect: quick
# expect: True
