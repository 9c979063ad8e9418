def greet(name, greeting="Hello", punct="!"):
    return f"{greeting}, {name}{punct}"

print(greet("Ann"))
print(greet("Bob", "Hi"))
print(greet("Cy", punct="?"))
print(greet(greeting="Yo", name="Di"))

# expect: Hello, Ann!
# expect: Hi, Bob!
# expect: Hello, Cy?
# expect: Yo, Di!
