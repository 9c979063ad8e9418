import asyncio

async def child(n):
    print("child start", n)
    await asyncio.sleep(0.01 * n)
    print("child end", n)
    return n * 10

async def main():
    t1 = asyncio.create_task(child(2))
    t2 = asyncio.create_task(child(1))
    print("tasks created")
    r1 = await t1
    r2 = await t2
    print(r1, r2)

asyncio.run(main())

# expect: tasks created
# expect: child start 2
# expect: child start 1
# expect: child end 1
# expect: child end 2
# expect: 20 10
