# Lesson 2: the same endpoint with `await asyncio.sleep(1)`.
# Awaiting a real suspension point hands the loop back: both requests wait together
# and both finish after ~1 s.
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping(i: int = 0):
    print(f"Hello {i}")
    await asyncio.sleep(1)
    print(f"bye {i}")
    return "pong"
