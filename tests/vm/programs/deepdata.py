x = []
for i in range(200000):
    x = [x]
try:
    print(x)
except RecursionError as e:
    print("repr:", e)
y = []
for i in range(200000):
    y = [y]
try:
    print(x == y)
except RecursionError as e:
    print("eq:", e)
