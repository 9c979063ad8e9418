from typing import List, Optional

# X | Y builds a types.UnionType (Python 3.10+); isinstance accepts it
print(int | None, int | str | None, None | int, (int | None) | str, int | int)
print(isinstance(3, int | str), isinstance("a", int | None), isinstance(None, int | None))
print((int | None).__args__, type(int | None).__name__)
# list[X] and List[X] remember their element type
print(list[int], List[int], list[int] | None, list[int].__origin__, List[str].__args__)
print(type(list[int]).__name__)


def f(items: list[int] = [], n: int | None = None) -> List[int]:
    return items + ([n] if n is not None else [])


print(f([1], 2), f())
# other | stay what they were
print({1: 2} | {3: 4}, {1} | {2}, 6 | 3, True | False)
try:
    print(3 | None)
except TypeError as e:
    print("TypeError:", e)

# expect: int | None int | str | None None | int int | None | str <class 'int'>
# expect: True False True
# expect: (<class 'int'>, <class 'NoneType'>) UnionType
# expect: list[int] typing.List[int] list[int] | None <class 'list'> (<class 'str'>,)
# expect: GenericAlias
# expect: [1, 2] []
# expect: {1: 2, 3: 4} {1, 2} 7 True
# expect: TypeError: unsupported operand type(s) for |: 'int' and 'NoneType'
