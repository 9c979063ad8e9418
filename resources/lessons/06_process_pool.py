# Lesson 6: CPU-bound work in a process pool.
# A ProcessPoolExecutor runs each call in its own interpreter with its own GIL, so the
# CPU work really runs in parallel (up to the pool size and the number of cores), and
# the `async def` endpoint awaits it without blocking the loop.
import asyncio
from concurrent.futures import ProcessPoolExecutor

from fastapi import FastAPI

app = FastAPI()
pool = ProcessPoolExecutor(2)


def count_primes(limit):
    found = 0
    n = 2
    while n < limit:
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            found += 1
        n += 1
    return found


@app.get("/primes")
async def primes(i: int = 0, limit: int = 200000):
    print(f"start {i}")
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(pool, count_primes, limit)
    print(f"done {i}: {found}")
    return {"i": i, "primes": found}
