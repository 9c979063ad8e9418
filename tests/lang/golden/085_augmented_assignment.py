x = 10
x += 5
x -= 3
x *= 2
x //= 5
x **= 2
x %= 7
print(x)
s = "ab"
s += "cd"
s *= 2
print(s)
xs = [1]
xs += [2, 3]
print(xs)
d = {"a": 1}
d["a"] += 10
print(d)

# expect: 2
# expect: abcdabcd
# expect: [1, 2, 3]
# expect: {'a': 11}
