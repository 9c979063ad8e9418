print("a" "b")
items = [1, 2 3]

# expect stderr last line: SyntaxError: invalid syntax. Perhaps you forgot a comma?
# expect exit: 1
