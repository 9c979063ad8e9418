for exc in [ValueError("v"), KeyError("k"), IndexError("i"), ZeroDivisionError("z")]:
    try:
        raise exc
    except LookupError as e:
        print("lookup", type(e).__name__, e)
    except ArithmeticError as e:
        print("arith", type(e).__name__, e)
    except Exception as e:
        print("other", type(e).__name__, e)

# expect: other ValueError v
# expect: lookup KeyError 'k'
# expect: lookup IndexError i
# expect: arith ZeroDivisionError z
