for ch in "abc":
    print(ch)
print(list("xyz"))
print(sorted("banana"))

# expect: a
# expect: b
# expect: c
# expect: ['x', 'y', 'z']
# expect: ['a', 'a', 'a', 'b', 'n', 'n']
