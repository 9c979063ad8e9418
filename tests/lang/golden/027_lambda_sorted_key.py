people = [("bob", 25), ("alice", 30), ("carol", 25)]
print(sorted(people, key=lambda p: p[1]))
print(sorted(people, key=lambda p: (p[1], p[0])))
print(sorted(people, key=lambda p: p[0], reverse=True))
print(sorted([3, -1, 2], key=abs))
print(max(people, key=lambda p: p[1]))
print(min(["ccc", "a", "bb"], key=len))

# expect: [('bob', 25), ('carol', 25), ('alice', 30)]
# expect: [('bob', 25), ('carol', 25), ('alice', 30)]
# expect: [('carol', 25), ('bob', 25), ('alice', 30)]
# expect: [-1, 2, 3]
# expect: ('alice', 30)
# expect: a
