counter = 0

def bump():
    global counter
    counter += 1

for _ in range(3):
    bump()
print(counter)

def shadow():
    counter = 100
    return counter

print(shadow(), counter)

# expect: 3
# expect: 100 3
