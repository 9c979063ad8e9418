def inner(x):
    return x["missing"]

def outer():
    return inner({})

print("start")
outer()
print("never")

# expect: start
# expect stderr last line: KeyError: 'missing'
# expect exit: 1
