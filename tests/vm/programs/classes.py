class Item:
    name: str
    price: float = 1.5
    tags: list = []

    def __init__(self, name):
        self.name = name

print(Item.__annotations__, Item.price, Item("x").name)
count: int = 0
print(__annotations__)

class Counter:
    total = 0
    def __init__(self):
        Counter.total += 1
        self._v = 0
    @property
    def value(self):
        return self._v
    @value.setter
    def value(self, v):
        self._v = v * 2
    def __repr__(self):
        return f"Counter(v={self._v})"
    def __lt__(self, other):
        return self._v < other._v
    def __hash__(self):
        return hash(self._v)
    def __eq__(self, other):
        return isinstance(other, Counter) and self._v == other._v

a, b = Counter(), Counter()
a.value = 5
b.value = 1
print(Counter.total, a.value, sorted([a, b]), a == b, {a: 1}[a], a != b)

class Base:
    def hello(self):
        return "base " + self.who()
    def who(self):
        return "Base"
class Child(Base):
    def who(self):
        return "Child"
print(Child().hello(), issubclass(Child, Base), Child.__name__, Child.__mro__)

class Stack:
    def __init__(self):
        self.items = []
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __contains__(self, x):
        return x in self.items
    def __iter__(self):
        return iter(self.items)
    def __bool__(self):
        return bool(self.items)
s = Stack()
print(bool(s), len(s))
s.items += [1, 2, 3]
print(bool(s), len(s), s[0], 2 in s, list(s), [x * 2 for x in s])

class Temperature:
    def __init__(self, c):
        self.c = c
    def __format__(self, spec):
        return format(self.c, spec) + "C"
    def __str__(self):
        return f"{self.c} degrees"
t = Temperature(21.456)
print(f"{t:.1f}", str(t), f"{t}", "{:.2f}".format(t))
try:
    Item()
except TypeError as e:
    print(e)
try:
    Item("a", "b")
except TypeError as e:
    print(e)
try:
    Counter().missing
except AttributeError as e:
    print(e)
