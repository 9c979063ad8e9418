def forever(n):
    return forever(n + 1)

print("start")
forever(0)

# expect: start
# expect stderr last line: RecursionError: maximum recursion depth exceeded
# expect exit: 1
