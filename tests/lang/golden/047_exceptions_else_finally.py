def attempt(x):
    try:
        r = 10 / x
    except ZeroDivisionError:
        print("zero")
        return "error"
    else:
        print("ok", r)
        return "fine"
    finally:
        print("finally", x)

print(attempt(2))
print(attempt(0))

# expect: ok 5.0
# expect: finally 2
# expect: fine
# expect: zero
# expect: finally 0
# expect: error
