name = "World"
n = 3
print(f"Hello {name}!")
print(f"{n} + 1 = {n + 1}")
print(f"{name!r} {name.upper()}")
print(f"{{braces}} {n}")
print(f"{'nested'}")

# expect: Hello World!
# expect: 3 + 1 = 4
# expect: 'World' WORLD
# expect: {braces} 3
# expect: nested
