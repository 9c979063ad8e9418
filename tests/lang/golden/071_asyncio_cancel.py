import asyncio

async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("cancelled inside")
        raise

async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("task was cancelled")

asyncio.run(main())

# expect: cancelled inside
# expect: task was cancelled
