# Lesson 1: an `async def` endpoint that calls time.sleep.
# time.sleep does not await: it holds the single event-loop thread for a whole second,
# so two requests sent together finish one after the other (~1 s, then ~2 s).
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping(i: int = 0):
    print(f"Hello {i}")
    time.sleep(1)
    print(f"bye {i}")
    return "pong"
