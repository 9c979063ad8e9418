def countdown(n):
    while n > 0:
        yield n
        n -= 1

print(list(countdown(3)))
g = countdown(2)
print(next(g), next(g))
try:
    next(g)
except StopIteration:
    print("done")

# expect: [3, 2, 1]
# expect: 2 1
# expect: done
