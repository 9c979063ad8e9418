from dataclasses import dataclass, field

@dataclass
class Item:
    name: str
    price: float = 1.0
    tags: list = field(default_factory=list)

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0

a = Item("pen", 2.5)
print(a, a == Item("pen", 2.5), a == Item("pen"), Item(name="cup"), Point(1), Point(1, y=2) == Point(1, 2))
try:
    Item()
except TypeError as e:
    print(e)
a2 = Item("x")
a2.tags.append(1)
print(Item("y").tags, a2.tags)
