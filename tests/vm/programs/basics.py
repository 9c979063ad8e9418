# arithmetic semantics
print(7 // 2, -7 // 2, 7 // -2, 7 % 3, -7 % 3, 7 % -3, 7 / 2, -7 / 2)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 2 ** 10, 2 ** -1, 10 ** 20, -(2 ** 63))
print(1 == 1.0, 1 < 1.5, 2 ** 64 > 1.0, True + True, 3 * "ab", [0] * 3)
print(divmod(-7, 2), divmod(7.5, 2), abs(-3), abs(-2.5), round(2.5), round(3.5), round(2.675, 2))
print(int("42"), int(" -7 "), int(3.9), int(-3.9), float("1.5"), float("inf"), float("-inf"), float("nan"))
print(str(1.0), str(1e-5), str(123456789012345678.0), 1e22, 1.5e-7, 0.1, 100.0, 3.14159)
print(hex(255), oct(8), bin(5), chr(65), ord("A"), hex(-255))
x = 12345678901234567890
print(x * x, x // 7, x % 7, -x // 7, str(x), x - x, x + 1)
print(max(3, 1, 2), min([4, 2, 8]), max("abc", key=lambda c: -ord(c)), sum([1, 2, 3]), sum([0.5, 0.25]))
print(sorted([3, 1, 2]), sorted(["b", "a"], reverse=True), sorted([(1, "b"), (1, "a"), (0, "z")]))
print(list(reversed([1, 2, 3])), list(enumerate("ab", 1)), list(zip([1, 2], "ab")), list(map(str, [1, 2])))
print(list(filter(None, [0, 1, 2])), any([0, 1]), all([]), isinstance(True, int), isinstance(1, (str, int)))
print(bool(0), bool([]), bool("x"), None is None, 1 if [] else 2, not 0)
a, *b, c = [1, 2, 3, 4, 5]
print(a, b, c)
(p, q), r = (1, 2), 3
print(p, q, r)
print(1 < 2 < 3, 1 < 3 < 2, 3 > 2 == 2)
s = "héllo wörld"
print(len(s), s[1], s[-1], s[1:4], s[::-1], s.upper(), s.title(), s.split(), s.find("w"))
print("a,b,,c".split(","), " x ".strip(), "abc".replace("b", "BB"), "-".join(["a", "b"]), "ab".zfill(5))
print("x".center(5, "*"), "x".ljust(3) + "|", "x".rjust(3), "Hello".startswith("He"), "a\nb\n".splitlines())
print("%s=%d %.2f %5s|%-5s| %x %r %%" % ("k", 42, 3.14159, "ab", "cd", 255, "q"))
print("{} {:>5} {:<5}| {:^7} {:.3f} {:,} {:05d} {:x} {:.1%} {!r}".format(1, "a", "b", "c", 2.0, 1234567, 42, 255, 0.256, "z"))
name, val = "pi", 3.14159
print(f"{name}={val:.2f} {val!r} {name:>6} {{lit}} {1+2} {[1, 2]}")
d = {"b": 1, "a": 2}
d["c"] = 3
print(d, list(d), d.get("z"), d.get("z", 0), d.pop("b"), d, len(d), "a" in d)
print(d.items(), d.keys(), d.values())
d.update({"e": 5}, f=6)
print(d, d.setdefault("g", 7), dict.fromkeys("ab", 0), dict(x=1, y=2), dict([("k", "v")]))
l = [3, 1, 2]
l.append(4); l.extend([5]); l.insert(0, 9); l.sort(); print(l, l.pop(), l.pop(0), l.index(3), l.count(1))
l.remove(3); l.reverse(); print(l, l.copy(), l[1:], l[:-1], l[::2])
print({1, 2, 2, 3}, set(), {x * x for x in range(4)}, {k: v for k, v in [("a", 1)]}, [x for x in range(10) if x % 3 == 0])
print([(i, j) for i in range(2) for j in range(2)], tuple(x for x in "ab"), (1,), ())
print(repr('a\'b"c'), repr("line\n"), repr("tab\t"), str(b"hi"), [1, [2, [3]]], {"k": {"n": None}})
print(type(1), type("x"), type([]), type(None).__name__, int, str, len, print)
print(-0.0, 0.0 * -1, 1/3, 2/3, 10/3, 1e300 * 10, -1e300 * 10, 5e-324, 1.7976931348623157e308)
print(round(1.23456, 3), round(-0.5), round(1234, -2), 10 ** -2, 3.0 * 2, 6 / 3, 2 ** 0.5)
