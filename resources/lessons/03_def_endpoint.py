# Lesson 3: a plain `def` endpoint with time.sleep.
# FastAPI runs `def` endpoints on a worker thread of the thread pool (40 tokens), so the
# event loop stays free and both requests finish after ~1 s.
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping(i: int = 0):
    print(f"Hello {i}")
    time.sleep(1)
    print(f"bye {i}")
    return "pong"
