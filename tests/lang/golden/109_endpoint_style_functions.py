import asyncio
import time

def sync_block(i: int = 0):
    print(f"Hello {i}")
    time.sleep(0.01)
    print(f"bye {i}")
    return "pong"

async def async_await(i: int = 0):
    print(f"Hello {i}")
    await asyncio.sleep(0.01)
    print(f"bye {i}")
    return "pong"

print(sync_block(1))
print(asyncio.run(async_await(2)))

# expect: Hello 1
# expect: bye 1
# expect: pong
# expect: Hello 2
# expect: bye 2
# expect: pong
