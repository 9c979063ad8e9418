total = (1 +
         2 +
         3)
print(total)
items = [
    "a",
    "b",
]
print(items)
x = 1 + \
    2
print(x)
if (total > 5 and
        x == 3):
    print("both")

# expect: 6
# expect: ['a', 'b']
# expect: 3
# expect: both
