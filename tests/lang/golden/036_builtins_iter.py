print(list(enumerate("ab")))
print(list(enumerate("ab", 1)))
print(list(zip([1, 2, 3], "ab")))
print(list(reversed([1, 2, 3])))
print(list(range(2, 10, 3)), list(range(5, 0, -2)))
print(sum([1, 2, 3], 10))
print(min(3, 1, 2), max([4, 9, 1]))
print(len({"a": 1}), len((1, 2)), len(""))

# expect: [(0, 'a'), (1, 'b')]
# expect: [(1, 'a'), (2, 'b')]
# expect: [(1, 'a'), (2, 'b')]
# expect: [3, 2, 1]
# expect: [2, 5, 8] [5, 3, 1]
# expect: 16
# expect: 1 9
# expect: 1 2 0
