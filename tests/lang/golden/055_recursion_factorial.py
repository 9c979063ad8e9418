def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

print(fact(10))
print(fact(30))

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print([fib(i) for i in range(15)])

# expect: 3628800
# expect: 265252859812191058636308480000000
# expect: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]
