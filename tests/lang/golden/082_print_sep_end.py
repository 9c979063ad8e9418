print("a", "b", "c", sep="-")
print("no newline", end="")
print(" continued")
print()
print("x", 1, None, True, 2.0, [1], (2,), {"k": 3})
print(*[1, 2, 3])

# expect: a-b-c
# expect: no newline continued
# expect:
# expect: x 1 None True 2.0 [1] (2,) {'k': 3}
# expect: 1 2 3
