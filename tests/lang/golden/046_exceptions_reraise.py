def f():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        print("handling")
        raise

try:
    f()
except RuntimeError as e:
    print("outer", e)

# expect: handling
# expect: outer boom
