xs = list(range(10))
print(xs[2:5], xs[:3], xs[7:], xs[::3], xs[::-1])
print(xs[-3:])
ys = xs[:]
ys[0] = 100
print(xs[0], ys[0])
print([1, 2] + [3], [0] * 3)

# expect: [2, 3, 4] [0, 1, 2] [7, 8, 9] [0, 3, 6, 9] [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
# expect: [7, 8, 9]
# expect: 0 100
# expect: [1, 2, 3] [0, 0, 0]
