import asyncio

async def main():
    print("about to fail")
    await asyncio.sleep(0)
    raise RuntimeError("loop failure")

asyncio.run(main())

# expect: about to fail
# expect stderr last line: RuntimeError: loop failure
# expect exit: 1
