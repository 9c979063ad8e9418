i = 0
while True:
    i += 1
    if i % 2:
        continue
    if i > 6:
        break
    print(i)
n = 3
while n:
    n -= 1
else:
    print("while else", n)

# expect: 2
# expect: 4
# expect: 6
# expect: while else 0
