d = {"a": 1, "b": 2}
d["c"] = 3
print(d)
print(d.get("a"), d.get("z"), d.get("z", 0))
print(list(d.keys()), list(d.values()))
print(list(d.items()))
print(d.setdefault("a", 9), d.setdefault("e", 5))
d.update({"b": 20, "f": 6})
print(d)
print(d.pop("b"), d)
print(len(d), "a" in d, "b" in d)

# expect: {'a': 1, 'b': 2, 'c': 3}
# expect: 1 None 0
# expect: ['a', 'b', 'c'] [1, 2, 3]
# expect: [('a', 1), ('b', 2), ('c', 3)]
# expect: 1 5
# expect: {'a': 1, 'b': 20, 'c': 3, 'e': 5, 'f': 6}
# expect: 20 {'a': 1, 'c': 3, 'e': 5, 'f': 6}
# expect: 4 True False
