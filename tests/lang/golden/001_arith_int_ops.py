print(7 + 3, 7 - 3, 7 * 3)
print(7 / 2, 7 // 2, 7 % 3)
print(-7 // 2, -7 % 3, 7 // -2)
print(2 ** 10, 2 ** -1, (-2) ** 3)
print(abs(-5), abs(3.5))

# expect: 10 4 21
# expect: 3.5 3 1
# expect: -4 2 -4
# expect: 1024 0.5 -8
# expect: 5 3.5
