pairs = [(1, "b"), (0, "a"), (1, "a"), (0, "b")]
print(sorted(pairs, key=lambda p: p[0]))
print(list(reversed(sorted(pairs))))
print(sorted(["b", "A", "a", "B"]))
print(sorted([3, 1, 2], reverse=True))

# expect: [(0, 'a'), (0, 'b'), (1, 'b'), (1, 'a')]
# expect: [(1, 'b'), (1, 'a'), (0, 'b'), (0, 'a')]
# expect: ['A', 'B', 'a', 'b']
# expect: [3, 2, 1]
