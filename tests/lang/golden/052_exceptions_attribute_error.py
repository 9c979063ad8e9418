x = 5
try:
    x.foo
except AttributeError as e:
    print(e)
try:
    "s".nope()
except AttributeError as e:
    print(e)

# expect: 'int' object has no attribute 'foo'
# expect: 'str' object has no attribute 'nope'
