print(True and False, True or False, not True)
print(0 or "default", "" or None, [] and 1, 3 and 4)
print(bool(0), bool(""), bool([]), bool([0]), bool("x"), bool(None))
print(True + True, True * 10)

# expect: False True False
# expect: default None [] 4
# expect: False False False True True False
# expect: 2 10
