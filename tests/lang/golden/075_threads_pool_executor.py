from concurrent.futures import ThreadPoolExecutor
import time

def work(n):
    time.sleep(0.01)
    return n * n

with ThreadPoolExecutor(max_workers=4) as pool:
    results = list(pool.map(work, range(6)))
print(results)

with ThreadPoolExecutor(2) as pool:
    futures = [pool.submit(work, i) for i in range(3)]
    print([f.result() for f in futures])

# expect: [0, 1, 4, 9, 16, 25]
# expect: [0, 1, 4]
