def gen():
    x = yield 1
    print("got", x)
    y = yield x * 2
    print("got", y)
    return "end"

g = gen()
print(next(g))
print(g.send(10))
try:
    g.send(5)
except StopIteration as e:
    print("stop", e.value)

# expect: 1
# expect: got 10
# expect: 20
# expect: got 5
# expect: stop end
