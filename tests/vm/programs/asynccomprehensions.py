class Tick:
    def __await__(self):
        yield
async def agen(n):
    for i in range(n):
        await Tick()
        yield i
async def double(x):
    await Tick()
    return x * 2
async def main():
    a = [x async for x in agen(4) if x % 2 == 0]
    b = {x: [y async for y in agen(x)] async for x in agen(3)}
    c = [await double(x) for x in range(3)]
    g = (x * 10 async for x in agen(3))
    d = [v async for v in g]
    return a, b, c, d
coro = main()
try:
    while True:
        coro.send(None)
except StopIteration as e:
    print(e.value)
