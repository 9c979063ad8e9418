d = {"a": 1}
try:
    d["b"]
except KeyError as e:
    print("missing", e)
print(d["a"])
d["zz"]

# expect: missing 'b'
# expect: 1
# expect stderr last line: KeyError: 'zz'
# expect exit: 1
