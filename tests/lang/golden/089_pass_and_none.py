def nothing():
    pass

print(nothing())
result = print("printed")
print(result)
print(None == None, None is None)

# expect: None
# expect: printed
# expect: None
# expect: True True
