users = [{"name": "ann", "age": 31}, {"name": "bob", "age": 25}]
for u in sorted(users, key=lambda u: u["age"]):
    print(u["name"], u["age"])
print([u["name"] for u in users if u["age"] > 30])
ages = {u["name"]: u["age"] for u in users}
print(ages)

# expect: bob 25
# expect: ann 31
# expect: ['ann']
# expect: {'ann': 31, 'bob': 25}
