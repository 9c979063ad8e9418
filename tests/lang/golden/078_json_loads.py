import json

data = json.loads('{"name": "x", "items": [1, 2.5, null, true], "nested": {"k": "v"}}')
print(data)
print(data["items"][1] + 1)
print(json.loads("[]"), json.loads("3"), json.loads('"s"'))
try:
    json.loads("{bad json}")
except ValueError as e:
    print("invalid json")

# expect: {'name': 'x', 'items': [1, 2.5, None, True], 'nested': {'k': 'v'}}
# expect: 3.5
# expect: [] 3 s
# expect: invalid json
