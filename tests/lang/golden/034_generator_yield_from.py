def inner():
    yield 1
    yield 2
    return 3

def outer():
    r = yield from inner()
    yield r

print(list(outer()))
print(sum(x * x for x in range(4)))

# expect: [1, 2, 3]
# expect: 14
