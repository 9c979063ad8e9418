print(2 + 3 * 4 ** 2)
print((2 + 3) * 4)
print(-2 ** 2)
print(not 1 + 1 == 2)
print(1 < 2 < 3, 3 > 2 > 2)
print(1 if 0 else 2 if 0 else 3)
print(6 & 3, 6 | 3, 6 ^ 3, ~6, 1 << 4, 256 >> 3)

# expect: 50
# expect: 20
# expect: -4
# expect: False
# expect: True False
# expect: 3
# expect: 2 7 5 -7 16 32
