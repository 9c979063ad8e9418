message = "hello
print(message)

# expect stderr last line: SyntaxError: unterminated string literal (detected at line 1)
# expect exit: 1
