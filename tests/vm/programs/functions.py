def add(a, b=10, *args, key="k", **kw):
    return (a, b, args, key, kw)

print(add(1), add(1, 2, 3, 4, key="z", extra=5), add(*[1, 2], **{"key": "q"}))

def counter():
    n = 0
    def inc(step=1):
        nonlocal n
        n += step
        return n
    return inc

c = counter()
c(); c(); print(c(5))
adders = [lambda x, i=i: x + i for i in range(3)]
print([f(10) for f in adders])

def outer():
    x = "outer"
    def mid():
        def inner():
            return x
        return inner()
    return mid()
print(outer())

total = 0
def bump():
    global total
    total += 1
bump(); bump(); print(total)

def gen(n):
    for i in range(n):
        got = yield i
        if got:
            print("got", got)
    return "done"

g = gen(3)
print(next(g), g.send("hello"), next(g))
try:
    next(g)
except StopIteration as e:
    print("stop", e.value)

def delegate():
    r = yield from gen(2)
    print("delegate got", r)
    yield "last"
print(list(delegate()))
print(sum(x * x for x in range(5)), list(x for x in range(3) if x))

def closer():
    try:
        yield 1
        yield 2
    finally:
        print("cleanup")
cg = closer(); print(next(cg)); cg.close()

def thrower():
    while True:
        try:
            yield
        except ValueError as e:
            print("caught", e)
t = thrower(); next(t); t.throw(ValueError("boom")); t.close()

class Animal:
    kind = "animal"
    def __init__(self, name):
        self.name = name
    def speak(self):
        return f"{self.name} makes a sound"
    def __repr__(self):
        return f"Animal({self.name!r})"
    @property
    def shout(self):
        return self.name.upper()
    @staticmethod
    def create(n):
        return Animal(n)
    @classmethod
    def kind_of(cls):
        return cls.kind

class Dog(Animal):
    kind = "dog"
    def speak(self):
        return super().speak() + " (woof)"

d = Dog("rex")
print(d.speak(), d, [d], d.shout, Animal.create("x"), Dog.kind_of(), isinstance(d, Animal), type(d).__name__)
print(d.__class__.__name__, hasattr(d, "name"), getattr(d, "nope", 42))

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __eq__(self, o):
        return (self.x, self.y) == (o.x, o.y)
    def __add__(self, o):
        return Point(self.x + o.x, self.y + o.y)
    def __str__(self):
        return f"({self.x}, {self.y})"
    def __len__(self):
        return 2
print(Point(1, 2) + Point(3, 4), Point(1, 2) == Point(1, 2), len(Point(0, 0)), str(Point(5, 6)))

import functools
def deco(f):
    @functools.wraps(f)
    def wrapper(*a, **k):
        return f(*a, **k) * 2
    return wrapper
@deco
def ten():
    return 5
print(ten(), ten.__name__, functools.reduce(lambda a, b: a + b, [1, 2, 3]), functools.partial(add, 1, key="p")(2))

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
print(fact(30))
