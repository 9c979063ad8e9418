print(isinstance(1, int), isinstance(1.0, int), isinstance(1.0, float))
print(isinstance("s", str), isinstance([], list), isinstance({}, dict))
print(isinstance(True, int), isinstance(None, int))
print(isinstance(1, (str, int)), isinstance((), tuple))

# expect: True False True
# expect: True True True
# expect: True False
# expect: True True
