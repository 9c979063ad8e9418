# The hot loop of the speed requirement, at module level and inside a function.
import time

t0 = time.perf_counter()
x = 0
for k in range(10000000):
    x += k
t_module = time.perf_counter() - t0


def f():
    x = 0
    for k in range(10000000):
        x += k
    return x


t0 = time.perf_counter()
r = f()
t_function = time.perf_counter() - t0
print(f"module {t_module:.3f} s, function {t_function:.3f} s, result {x} {r}")
