class CM:
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        print("enter", self.name)
        return self.name
    def __exit__(self, t, v, tb):
        print("exit", self.name, t.__name__ if t else None)
        return False

def f1():
    for i in range(3):
        with CM(f"w{i}") as n:
            if i == 1:
                return n
    return None
print(f1())

def f2():
    for i in range(5):
        try:
            if i == 0:
                raise ValueError(i)
            if i == 2:
                break
        except ValueError as e:
            print("handler", e)
            continue
        finally:
            print("finally", i)
    else:
        print("no break")
    return i
print(f2())

def f3():
    for i in range(3):
        try:
            raise KeyError(i)
        except KeyError as e:
            if i == 1:
                return f"returned from handler {e}"
    return "end"
print(f3())

def f4():
    try:
        try:
            raise ValueError("a")
        finally:
            print("inner finally")
    except ValueError:
        return "caught"
    finally:
        print("outer finally")
print(f4())

def f5():
    out = []
    i = 0
    while True:
        i += 1
        with CM("loop"):
            if i > 2:
                break
            out.append(i)
    return out
print(f5())

def f6():
    try:
        with CM("err"):
            raise RuntimeError("inside with")
    except RuntimeError as e:
        print("caught", e)
f6()

def f7():
    results = []
    for x in [1, 2, 3]:
        for y in [10, 20]:
            if y == 20:
                break
            results.append(x * y)
        else:
            results.append("never")
    return results
print(f7())

def f8():
    try:
        return "try"
    finally:
        print("f8 finally")
print(f8())

def f9(n):
    while n > 0:
        n -= 1
        if n % 2:
            continue
        print("even", n)
    else:
        print("while else")
f9(5)

def gen():
    try:
        for i in range(3):
            with CM(f"g{i}"):
                yield i
    finally:
        print("gen finally")
g = gen()
print(next(g), next(g))
g.close()
x = 5
y = 10 if x > 3 else 20
print(y, x if x else None, [i for i in range(3)] or "empty", 0 or "", None and 1)
