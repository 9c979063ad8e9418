it = iter([1, 2])
print(next(it), next(it), next(it, "empty"))
gen = (x for x in range(2))
print(next(gen), next(gen, None), next(gen, None))

# expect: 1 2 empty
# expect: 0 1 None
