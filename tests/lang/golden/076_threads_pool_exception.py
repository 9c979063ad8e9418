from concurrent.futures import ThreadPoolExecutor

def bad():
    raise ValueError("in worker")

with ThreadPoolExecutor(1) as pool:
    fut = pool.submit(bad)
    try:
        fut.result()
    except ValueError as e:
        print("worker raised", e)

# expect: worker raised in worker
