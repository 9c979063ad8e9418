x = 5
print(1 < x < 10)
print(1 < x > 10)
print(x == 5 != 6)
print(x in [1, 5], x not in (1, 2))
y = None
print(y is None, x is not None)

# expect: True
# expect: False
# expect: True
# expect: True True
# expect: True True
