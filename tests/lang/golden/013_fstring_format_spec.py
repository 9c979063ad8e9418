x = 3.14159
n = 42
print(f"{x:.2f}")
print(f"[{n:>6}]")
print(f"[{n:<6}]")
print(f"[{n:^6}]")
print(f"[{n:06d}]")
print(f"{1234567:,}")
width = 8
print(f"[{n:>{width}}]")
print(f"{0.5:.0%}")

# expect: 3.14
# expect: [    42]
# expect: [42    ]
# expect: [  42  ]
# expect: [000042]
# expect: 1,234,567
# expect: [      42]
# expect: 50%
