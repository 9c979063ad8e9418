try:
    [1, 2][5]
except IndexError as e:
    print(e)
try:
    "a" + 1
except TypeError as e:
    print(e)
try:
    len(5)
except TypeError as e:
    print(e)
try:
    f = None
    f()
except TypeError as e:
    print(e)

# expect: list index out of range
# expect: can only concatenate str (not "int") to str
# expect: object of type 'int' has no len()
# expect: 'NoneType' object is not callable
