import traceback
def boom():
    return 1 / 0
try:
    boom()
except ZeroDivisionError:
    print(traceback.format_exc(), end="")
    traceback.print_exc()
print("still running")
