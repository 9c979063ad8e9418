import asyncio

async def fails():
    await asyncio.sleep(0)
    raise ValueError("task failed")

async def main():
    try:
        await asyncio.gather(fails())
    except ValueError as e:
        print("caught", e)
    t = asyncio.create_task(fails())
    try:
        await t
    except ValueError as e:
        print("caught again", e)

asyncio.run(main())

# expect: caught task failed
# expect: caught again task failed
