import asyncio

async def side():
    print("side runs")

async def main():
    t = asyncio.create_task(side())
    print("before await")
    await asyncio.sleep(0)
    print("after await")
    await t

asyncio.run(main())

# expect: before await
# expect: side runs
# expect: after await
