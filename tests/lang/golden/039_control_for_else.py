for i in range(3):
    if i == 5:
        break
else:
    print("no break")
for i in range(10):
    if i == 2:
        break
else:
    print("never")
print("i =", i)

# expect: no break
# expect: i = 2
