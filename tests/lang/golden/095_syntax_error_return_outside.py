x = 1
return x

# expect stderr last line: SyntaxError: 'return' outside function
# expect exit: 1
