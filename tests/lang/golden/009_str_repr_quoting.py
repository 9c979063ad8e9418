print(repr("plain"))
print(repr("it's"))
print(repr('say "hi"'))
print(repr("both ' and \""))
print(repr("tab\tnew\nline"))
print(repr("back\\slash"))
print(repr(""))
print([1, "a", 'b"c', None, True, 2.5])

# expect: 'plain'
# expect: "it's"
# expect: 'say "hi"'
# expect: 'both \' and "'
# expect: 'tab\tnew\nline'
# expect: 'back\\slash'
# expect: ''
# expect: [1, 'a', 'b"c', None, True, 2.5]
