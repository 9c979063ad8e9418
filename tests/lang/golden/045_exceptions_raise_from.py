try:
    try:
        {}["x"]
    except KeyError as e:
        raise ValueError("bad value") from e
except ValueError as e:
    print(e, "caused by", repr(e.__cause__))

# expect: bad value caused by KeyError('x')
