def outer():
    x = "enclosing"
    def inner():
        return x
    x = "changed"
    return inner()

print(outer())

def counter():
    total = [0]
    def add(n):
        total[0] += n
        return total[0]
    return add

add = counter()
add(5)
print(add(10))

# expect: changed
# expect: 15
