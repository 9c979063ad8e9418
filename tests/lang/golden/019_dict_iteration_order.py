d = {}
d["z"] = 1
d["a"] = 2
d["m"] = 3
for k in d:
    print(k, d[k])
for k, v in d.items():
    print(f"{k}={v}")
print({**d, "a": 0})

# expect: z 1
# expect: a 2
# expect: m 3
# expect: z=1
# expect: a=2
# expect: m=3
# expect: {'z': 1, 'a': 0, 'm': 3}
