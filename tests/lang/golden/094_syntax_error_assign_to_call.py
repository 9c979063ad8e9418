def f():
    return 1

f() = 3

# expect stderr last line: SyntaxError: cannot assign to function call here. Maybe you meant '==' instead of '='?
# expect exit: 1
