print({k: v for k, v in zip("abc", range(3))})
print({x: x ** 2 for x in range(4) if x})
print(sorted({x % 3 for x in range(10)}))
words = ["apple", "bob", "cat"]
print({w: len(w) for w in words})

# expect: {'a': 0, 'b': 1, 'c': 2}
# expect: {1: 1, 2: 4, 3: 9}
# expect: [0, 1, 2]
# expect: {'apple': 5, 'bob': 3, 'cat': 3}
