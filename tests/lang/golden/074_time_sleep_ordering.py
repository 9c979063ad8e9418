import time

start = time.monotonic()
time.sleep(0.02)
elapsed = time.monotonic() - start
print(elapsed >= 0.02)
print(elapsed < 2)
t = time.time()
print(t > 1600000000)
print(time.perf_counter() >= 0)

# expect: True
# expect: True
# expect: True
# expect: True
