# Lesson 8: 41 requests for 40 threads.
# The thread pool behind `def` endpoints holds 40 tokens (AnyIO's CapacityLimiter(40)).
# Forty requests run together for ~1 s; the 41st waits for a free token and finishes
# at ~2 s. The quick extra request sent at 0.2 s also has to wait for a token: even a
# fast `def` endpoint needs one.
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/slow")
def slow(i: int = 0):
    print(f"Hello {i}")
    time.sleep(1)
    print(f"bye {i}")
    return "pong"


@app.get("/fast")
def fast(i: int = 0):
    print(f"fast {i}")
    return {"i": i}
