x = "outer"
ys = [x for x in range(3)]
print(x, ys)
total = sum(i for i in range(5))
print(total)
print(max(len(w) for w in ["a", "abc", "ab"]))

# expect: outer [0, 1, 2]
# expect: 10
# expect: 3
