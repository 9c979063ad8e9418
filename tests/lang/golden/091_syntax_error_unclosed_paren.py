values = [1, 2, 3
total = sum(values)
print(total)

# expect stderr last line: SyntaxError: '[' was never closed
# expect exit: 1
