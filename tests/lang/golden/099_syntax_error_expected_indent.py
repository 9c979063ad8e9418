def handler():
print("not indented")

# expect stderr last line: IndentationError: expected an indented block after function definition on line 1
# expect exit: 1
