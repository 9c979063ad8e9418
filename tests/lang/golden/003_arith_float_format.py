print(0.1 + 0.2)
print(1.0, 2.5, -0.0, 1e16, 1e-5, 123456789.0)
print(1 / 3)
print(10 / 4, 10 / 5)
print(float("3.25"), float(7), int(3.99), int(-3.99))
print(round(2.5), round(3.5), round(2.675, 2), round(7))
print(3.0 * 2, 7 // 2.0, 7 % 2.5)

# expect: 0.30000000000000004
# expect: 1.0 2.5 -0.0 1e+16 1e-05 123456789.0
# expect: 0.3333333333333333
# expect: 2.5 2.0
# expect: 3.25 7.0 3 -3
# expect: 2 4 2.67 7
# expect: 6.0 3.0 2.0
