total = 0
i = 1
while i <= 100:
    total += i
    i += 1
print(total)
n = 27
steps = 0
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps += 1
print(steps)

# expect: 5050
# expect: 111
