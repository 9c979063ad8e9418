def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            return i
    return None

print(find([5, 6, 7], 6))
print(find([5, 6, 7], 9))

# expect: 1
# expect: None
