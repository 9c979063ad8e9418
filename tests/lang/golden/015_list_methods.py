xs = [3, 1, 2]
xs.append(5)
xs.extend([7, 0])
print(xs)
print(xs.pop(), xs.pop(0), xs)
xs.insert(1, 9)
print(xs, xs.index(9))
xs.sort()
print(xs)
xs.sort(reverse=True)
print(xs)
print(len(xs), sum(xs), min(xs), max(xs))

# expect: [3, 1, 2, 5, 7, 0]
# expect: 0 3 [1, 2, 5, 7]
# expect: [1, 9, 2, 5, 7] 1
# expect: [1, 2, 5, 7, 9]
# expect: [9, 7, 5, 2, 1]
# expect: 5 24 1 9
