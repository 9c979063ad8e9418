t = (1, 2, 3)
print(t, t[0], t[-1], len(t))
print((1,), ())
print(t + (4,), t * 2)
print(tuple([1, 2]), tuple("ab"))
a, b, c = t
print(a + b + c)
print(1 in t, 5 in t)

# expect: (1, 2, 3) 1 3 3
# expect: (1,) ()
# expect: (1, 2, 3, 4) (1, 2, 3, 1, 2, 3)
# expect: (1, 2) ('a', 'b')
# expect: 6
# expect: True False
