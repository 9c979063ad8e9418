a, b, c = [1, 2, 3]
print(a, b, c)
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = "abcd"
print(init, last)
a, b = b, a
print(a, b)
(x, y), z = (1, 2), 3
print(x, y, z)
print([*range(3), *"ab"])

# expect: 1 2 3
# expect: 1 [2, 3, 4]
# expect: ['a', 'b', 'c'] d
# expect: 2 1
# expect: 1 2 3
# expect: [0, 1, 2, 'a', 'b']
