values = [3.5, -2, 7, 0.25]
print(min(values), max(values), sum(values))
print(round(3.14159, 2), round(-0.5), round(1.5), round(123.456, -1))
print(abs(-7), abs(-2.5))
print(max("apple", "pear"), min([[2], [1, 5]]))

# expect: -2 7 8.75
# expect: 3.14 0 2 120.0
# expect: 7 2.5
# expect: pear [1, 5]
