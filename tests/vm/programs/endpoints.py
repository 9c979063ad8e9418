# The shapes of a FastAPI endpoint file, with a tiny stand-in for the framework.
import time
from typing import Optional


class HTTPException(Exception):
    def __init__(self, status_code: int, detail: str = None):
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail


class App:
    def __init__(self):
        self.routes = {}

    def get(self, path, **options):
        def decorator(fn):
            self.routes[path] = (fn, options)
            return fn
        return decorator


app = App()
hits = 0
items_db = {i: {"id": i, "name": f"item-{i}", "price": round(i * 1.1, 2)} for i in range(5)}


@app.get("/items/{item_id}", status_code=200)
def read_item(item_id: int, q: Optional[str] = None):
    global hits
    hits += 1
    if item_id not in items_db:
        raise HTTPException(status_code=404, detail=f"Item {item_id} not found")
    item = dict(items_db[item_id])
    if q:
        item["q"] = q
    return item


@app.get("/stream")
def stream():
    def chunks():
        for i in range(3):
            yield f"chunk {i}\n"
    return "".join(chunks())


def timed(fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - t0
            assert elapsed >= 0
    return wrapper


@timed
def total_price(ids):
    return sum(items_db[i]["price"] for i in ids if i in items_db)


for path, (fn, opts) in app.routes.items():
    print(path, fn.__name__, opts)
print(read_item(1), read_item(2, q="x"))
try:
    read_item(99)
except HTTPException as e:
    print(e.status_code, e.detail, e.args)
print(stream(), end="")
print(total_price([1, 2, 3, 42]), hits)
print(sorted(items_db.values(), key=lambda it: -it["price"])[0]["name"])
print({k: v["name"].upper() for k, v in items_db.items() if k % 2 == 0})
results = [r for r in map(lambda i: i * i, range(6)) if r > 3]
first, *rest = results
print(first, rest, len(results), max(results, default=None), min([], default="empty"))
print("%(name)s costs %(price).2f" % items_db[3])
