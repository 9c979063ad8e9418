print("before")
try:
    print(1 / 0)
except ZeroDivisionError as e:
    print("caught:", e)
print(10 % 3)
x = 5 // 0

# expect: before
# expect: caught: division by zero
# expect: 1
# expect stderr last line: ZeroDivisionError: integer division or modulo by zero
# expect exit: 1
