# Lesson 4: keep `async def`, move the blocking call to the thread pool.
# `await run_in_threadpool(time.sleep, 1)` runs the blocking call on a worker thread
# (the same 40-token limiter as `def` endpoints) while the loop serves everyone else.
import time

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

app = FastAPI()


def slow_io(seconds):
    time.sleep(seconds)
    return seconds


@app.get("/ping")
async def ping(i: int = 0):
    print(f"Hello {i}")
    await run_in_threadpool(slow_io, 1)
    print(f"bye {i}")
    return "pong"
