x = 10
y = "hi"
print(f"{x=}")
print(f"{x = }")
print(f"{y=}")
print(f"{x*2=}")
print(f"{x=:>5}")

# expect: x=10
# expect: x = 10
# expect: y='hi'
# expect: x*2=20
# expect: x=   10
