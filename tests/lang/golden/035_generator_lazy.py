def noisy(n):
    for i in range(n):
        print("make", i)
        yield i

for v in noisy(3):
    print("use", v)

# expect: make 0
# expect: use 0
# expect: make 1
# expect: use 1
# expect: make 2
# expect: use 2
