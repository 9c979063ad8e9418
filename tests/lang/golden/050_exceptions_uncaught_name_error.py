print("one")
print(undefined_name)

# expect: one
# expect stderr last line: NameError: name 'undefined_name' is not defined
# expect exit: 1
