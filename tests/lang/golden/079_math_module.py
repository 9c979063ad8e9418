import math

print(math.sqrt(16), math.floor(2.7), math.ceil(2.1))
print(math.pi)
print(round(math.sin(math.pi / 2), 6))
print(math.gcd(12, 18), math.factorial(10))
print(math.isclose(0.1 + 0.2, 0.3))
print(math.inf > 10 ** 100)

# expect: 4.0 2 3
# expect: 3.141592653589793
# expect: 1.0
# expect: 6 3628800
# expect: True
# expect: True
