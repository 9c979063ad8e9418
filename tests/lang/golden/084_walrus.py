data = [1, 5, 10, 20]
if (n := len(data)) > 3:
    print(f"long list ({n} items)")
print([y for x in data if (y := x * 2) > 10])

# expect: long list (4 items)
# expect: [20, 40]
