# Lesson 5: CPU-bound work in a `def` endpoint, under the GIL.
# Each request gets its own worker thread, but there is one GIL per process: the threads
# take turns every 5 ms (sys.getswitchinterval()), so four requests that each need
# ~0.5 s of CPU all finish after ~2 s. Threads help waiting, not computing.
from fastapi import FastAPI

app = FastAPI()


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
def primes(i: int = 0, limit: int = 200000):
    print(f"start {i}")
    found = count_primes(limit)
    print(f"done {i}: {found}")
    return {"i": i, "primes": found}
