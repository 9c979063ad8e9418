# Lesson 7: one browser tab.
# A browser tab reuses one keep-alive connection to the same URL, and HTTP/1.1 answers
# the requests of one connection strictly in order: the second request is read only
# after the first response is complete. Two `def` requests that each take 1 s finish
# at ~1 s and ~2 s, although the server has 40 threads. Switch the burst to the
# 6-connection browser mode or to one connection per request to see them overlap.
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping(i: int = 0):
    print(f"Hello {i}")
    time.sleep(1)
    print(f"bye {i}")
    return "pong"
