s = "abcdefg"
print(s[0], s[-1], s[2:5], s[:3], s[4:], s[::2], s[::-1])
print(len(s))
print("cd" in s, "x" in s)
print(s * 2)
print(str(42) + "!")

# expect: a g cde abc efg aceg gfedcba
# expect: 7
# expect: True False
# expect: abcdefgabcdefg
# expect: 42!
