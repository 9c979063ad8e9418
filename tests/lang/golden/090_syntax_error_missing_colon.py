print("this never runs")
if True
    print("x")

# expect stderr last line: SyntaxError: expected ':'
# expect exit: 1
