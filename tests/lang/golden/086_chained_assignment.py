a = b = c = []
a.append(1)
print(a, b, c)
x, y = y, x = 1, 2
print(x, y)

# expect: [1] [1] [1]
# expect: 2 1
