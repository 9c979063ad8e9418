print([x * x for x in range(6)])
print([x for x in range(10) if x % 3 == 0])
print([(i, j) for i in range(3) for j in range(i)])
print([[i * j for j in range(3)] for i in range(3)])
print([c.upper() for c in "abc" if c != "b"])

# expect: [0, 1, 4, 9, 16, 25]
# expect: [0, 3, 6, 9]
# expect: [(1, 0), (2, 0), (2, 1)]
# expect: [[0, 0, 0], [0, 1, 2], [0, 2, 4]]
# expect: ['A', 'C']
