parts = []
for i in range(5):
    parts.append(str(i))
print(",".join(parts))
line = ""
for word in ["quick", "brown", "fox"]:
    line += word.upper()[0]
print(line)
print("=" * 10)
print("abc".upper().lower().replace("b", "B"))

# expect: 0,1,2,3,4
# expect: QBF
# expect: ==========
# expect: aBc
