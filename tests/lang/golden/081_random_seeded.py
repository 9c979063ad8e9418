import random

random.seed(0)
a = [random.randint(1, 100) for _ in range(3)]
random.seed(0)
b = [random.randint(1, 100) for _ in range(3)]
print(a == b)
print(0 <= random.random() < 1)
print(random.choice([7, 7, 7]))

# expect: True
# expect: True
# expect: 7
