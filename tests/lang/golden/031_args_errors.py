def f(a, b):
    return a + b

try:
    f(1)
except TypeError as e:
    print(e)
try:
    f(1, 2, 3)
except TypeError as e:
    print(e)
try:
    f(1, c=2)
except TypeError as e:
    print(e)

# expect: f() missing 1 required positional argument: 'b'
# expect: f() takes 2 positional arguments but 3 were given
# expect: f() got an unexpected keyword argument 'c'
