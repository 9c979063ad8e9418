import time

# thread_time counts this thread's CPU only: a sleep adds (almost) nothing, a loop adds its work
c0 = time.thread_time()
p0 = time.process_time()
time.sleep(0.05)
print(time.thread_time() - c0 < 0.03)
s = 0
for i in range(300000):
    s += i
print(time.thread_time() - c0 > 0)
print(time.process_time() - p0 > 0)
print(type(time.thread_time_ns()).__name__)
print(time.thread_time_ns() >= int(c0 * 1e9))

# expect: True
# expect: True
# expect: True
# expect: int
# expect: True
