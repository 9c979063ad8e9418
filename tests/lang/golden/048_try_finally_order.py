def f():
    try:
        print("try")
        return "from try"
    finally:
        print("finally runs before return")

print(f())

def g():
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
            print("body", i)
        finally:
            print("cleanup", i)

g()

# expect: try
# expect: finally runs before return
# expect: from try
# expect: body 0
# expect: cleanup 0
# expect: cleanup 1
# expect: cleanup 2
