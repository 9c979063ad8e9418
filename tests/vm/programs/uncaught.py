def outer():
    try:
        {}["missing"]
    except KeyError:
        raise ValueError("while handling")
print("start")
outer()
