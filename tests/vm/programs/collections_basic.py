from collections import defaultdict, Counter
d = defaultdict(list)
for w in ["apple", "avocado", "banana"]:
    d[w[0]].append(w)
print(d, dict(d), d["z"], len(d), isinstance(d, dict))
c = Counter("abracadabra")
print(c, c["a"], c["q"], c.most_common(2))
c.update(["a", "z"])
print(c.most_common(1), Counter(), sorted(c))
counts = defaultdict(int)
for x in [1, 2, 1]:
    counts[x] += 1
print(counts)
