def f(a, *, b, c=3):
    return a + b + c

print(f(1, b=2))
print(f(1, b=2, c=10))
try:
    f(1, 2)
except TypeError as e:
    print("TypeError:", e)

# expect: 6
# expect: 13
# expect: TypeError: f() takes 1 positional argument but 2 were given
