import asyncio

async def step(name):
    print("start", name)
    await asyncio.sleep(0.01)
    print("end", name)

async def main():
    await step("a")
    await step("b")
    print("--")
    await asyncio.gather(step("c"), step("d"))

asyncio.run(main())

# expect: start a
# expect: end a
# expect: start b
# expect: end b
# expect: --
# expect: start c
# expect: start d
# expect: end c
# expect: end d
