def f():
    x = 1
      y = 2
    return x

# expect stderr last line: IndentationError: unexpected indent
# expect exit: 1
