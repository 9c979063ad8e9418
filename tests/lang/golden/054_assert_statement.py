assert 1 + 1 == 2
print("passed")
try:
    assert 1 > 2, "one is not greater"
except AssertionError as e:
    print("AssertionError:", e)
assert False, "final"

# expect: passed
# expect: AssertionError: one is not greater
# expect stderr last line: AssertionError: final
# expect exit: 1
