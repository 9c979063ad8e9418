s = "  Hello, World  "
print(s.strip())
print(s.upper(), s.lower())
print(s.strip().split(", "))
print("-".join(["a", "b", "c"]))
print("a,b,,c".split(","))
print("x y  z".split())
print("hello".replace("l", "L"))
print("hello".startswith("he"), "hello".endswith("lo"))
print("{} + {} = {}".format(1, 2, 3))
print("{name} is {age}".format(name="Ann", age=30))

# expect: Hello, World
# expect:   HELLO, WORLD     hello, world  
# expect: ['Hello', 'World']
# expect: a-b-c
# expect: ['a', 'b', '', 'c']
# expect: ['x', 'y', 'z']
# expect: heLLo
# expect: True True
# expect: 1 + 2 = 3
# expect: Ann is 30
