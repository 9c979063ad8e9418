import json, math, random, functools, sys, time, os, threading
from typing import Optional, List, Dict, Any

print(json.dumps({"b": [1, 2.5, None, True], "a": "x\"y\n", "u": "é"}))
print(json.dumps({"b": 1, "a": [1, {"c": []}]}, indent=2, sort_keys=True))
print(json.dumps([1, 2], separators=(",", ":")), json.dumps("ü", ensure_ascii=False), json.dumps({}), json.dumps([]))
print(json.loads('{"a": [1, 2.5, null, true, false, "s\\u00e9"], "n": -3}'))
try:
    json.loads("{bad")
except ValueError as e:
    print("json error:", e)
print(math.sqrt(16), math.floor(2.7), math.ceil(2.1), math.pi, math.inf, math.isclose(0.1 + 0.2, 0.3), math.factorial(20))
print(math.log(math.e), math.log(8, 2), math.gcd(12, 18), math.trunc(-2.5), math.isnan(float("nan")))
random.seed(1)
print(random.random(), random.randint(1, 100), random.choice("abcdef"), random.uniform(1, 2))
random.seed(42)
xs = list(range(10))
random.shuffle(xs)
print(xs, random.randrange(10), random.sample(range(100), 3))
print(sys.getswitchinterval(), sys.version_info[0], sys.version_info[:2] >= (3, 8), type(sys.argv))
t0 = time.perf_counter(); time.sleep(0.01); print(time.perf_counter() - t0 >= 0.009, time.time() > 1e9, time.monotonic() > 0)
print(type(os.getpid()), os.environ.get("LOOPSCOPE_SURELY_UNSET", "default"), threading.current_thread().name)
def f(x: int, y: Optional[str] = None) -> List[int]:
    return [x]
print(f(1), f.__annotations__["x"])
sys.stdout.write("written\n")
print("to stderr", file=sys.stderr)
print("a", "b", sep="-", end="!\n")
lock = threading.Lock()
with lock:
    print("locked", lock.locked())
print(lock.locked())
sys.exit(3)
