xs = [1, 2, 3, 4]
del xs[0]
print(xs)
d = {"a": 1, "b": 2}
del d["a"]
print(d)
x = 5
del x
try:
    print(x)
except NameError as e:
    print(e)

# expect: [2, 3, 4]
# expect: {'b': 2}
# expect: name 'x' is not defined
