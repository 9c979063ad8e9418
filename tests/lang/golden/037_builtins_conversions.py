print(int("42"), int("-7"), int(" 8 "), int("ff", 16))
print(str(3.0), str(None), str(True), str([1, "a"]))
print(bool(1), list((1, 2)), tuple([3]), dict([("a", 1)]))
print(repr(1.5), repr("x"), repr(None))
try:
    int("abc")
except ValueError as e:
    print(e)

# expect: 42 -7 8 255
# expect: 3.0 None True [1, 'a']
# expect: True [1, 2] (3,) {'a': 1}
# expect: 1.5 'x' None
# expect: invalid literal for int() with base 10: 'abc'
