def f(a, *args, k=0, **kwargs):
    print(a, args, k, sorted(kwargs.items()))

f(1)
f(1, 2, 3)
f(1, k=5, x=9, y=8)
nums = [4, 5]
opts = {"k": 7, "z": 1}
f(*nums, **opts)

# expect: 1 () 0 []
# expect: 1 (2, 3) 0 []
# expect: 1 () 5 [('x', 9), ('y', 8)]
# expect: 4 (5,) 7 [('z', 1)]
