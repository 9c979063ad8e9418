import asyncio

async def main():
    print("hello")
    await asyncio.sleep(0.01)
    print("world")
    return 42

print(asyncio.run(main()))

# expect: hello
# expect: world
# expect: 42
