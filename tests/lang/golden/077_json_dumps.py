import json

print(json.dumps({"a": 1, "b": [1, 2, None], "c": True, "d": "x"}))
print(json.dumps([1.5, "quote\"", "é"]))
print(json.dumps({"k": 1}, indent=2))
print(json.dumps("plain"))
print(json.dumps({"b": 1, "a": 2}, sort_keys=True))

# expect: {"a": 1, "b": [1, 2, null], "c": true, "d": "x"}
# expect: [1.5, "quote\"", "\u00e9"]
# expect: {
# expect:   "k": 1
# expect: }
# expect: "plain"
# expect: {"a": 2, "b": 1}
