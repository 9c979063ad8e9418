class AppError(Exception):
    pass

class CodeError(AppError):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code

def check(fn):
    try:
        fn()
    except Exception as e:
        print(type(e).__name__ + ":", e, "|", repr(e), e.args)

check(lambda: 1 / 0)
check(lambda: {}["x"])
check(lambda: [][1])
nothing = None
check(lambda: nothing[0])
check(lambda: 1 + "a")
check(lambda: "a" + 1)
check(lambda: undefined_name)
check(lambda: int("zz"))
check(lambda: (1).foo)
check(lambda: len(5))
five = 5
check(lambda: five())
check(lambda: check())
check(lambda: check(1, 2))
check(lambda: [].pop())
check(lambda: {1: 2}.pop(3))

def loc():
    print(x)
    x = 1
check(loc)

try:
    raise CodeError(404, "not found")
except AppError as e:
    print("caught", e, e.code, isinstance(e, Exception))

try:
    try:
        raise ValueError("inner")
    finally:
        print("finally runs")
except ValueError as e:
    print("outer caught", e)

def ret():
    try:
        return "from try"
    finally:
        print("finally before return")
print(ret())

for i in range(3):
    try:
        if i == 1:
            continue
        print("body", i)
    finally:
        print("fin", i)

try:
    raise KeyError("k")
except (TypeError, KeyError) as e:
    print("tuple match", repr(e))
else:
    print("no")

try:
    pass
except Exception:
    print("no")
else:
    print("else runs")

try:
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise RuntimeError("wrapped") from e
except RuntimeError as e:
    print(e, repr(e.__cause__))

try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise ValueError("during")
except ValueError as e:
    print(e, repr(e.__context__))

def rec(n):
    return rec(n + 1)
try:
    rec(0)
except RecursionError as e:
    print("recursion:", e)

class Ctx:
    def __enter__(self):
        print("enter")
        return self
    def __exit__(self, t, v, tb):
        print("exit", t.__name__ if t else None, v)
        return True
with Ctx() as c:
    raise ValueError("suppressed")
print("after with")
with Ctx():
    print("inside")
assert True
try:
    assert 1 == 2, "math broke"
except AssertionError as e:
    print("assert:", e)
import sys
print(sys.getrecursionlimit(), sys.getswitchinterval())
def deep():
    raise CodeError(1, "deep failure")
def middle():
    deep()
middle()
