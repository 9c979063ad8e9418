fs = [lambda: i for i in range(3)]
print([f() for f in fs])
gs = [lambda i=i: i for i in range(3)]
print([g() for g in gs])
def outer(x):
    def inner(y):
        return x + y
    return inner
print(outer(10)(5))

# expect: [2, 2, 2]
# expect: [0, 1, 2]
# expect: 15
