# A string's precision keeps characters, not bytes, in every formatting style.
s = "aé€😀z"
print("%.3s|" % s)
print("%6.2s|" % s)
print("%-4.4r|" % s)
print(f"{s:.3}|{s:>5.1}|")
print("{:.4}|".format(s))

# expect: aé€|
# expect:     aé|
# expect: 'aé€|
# expect: aé€|    a|
# expect: aé€😀|
