def check(n):
    if n > 3:
        raise ValueError(f"n too large: {n}")
    return n

for i in range(5):
    print(check(i))

# expect: 0
# expect: 1
# expect: 2
# expect: 3
# expect stderr last line: ValueError: n too large: 4
# expect exit: 1
