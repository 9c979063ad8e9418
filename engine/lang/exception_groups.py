# The exception groups, Python 3.11 builtins, written in the language itself. Run into the
# module _exceptiongroups the first time a program names ExceptionGroup or
# BaseExceptionGroup; the interpreter then puts both into builtins.
#
# Python's BaseExceptionGroup derives from BaseException alone and ExceptionGroup from
# both it and Exception. A class has one base here: BaseExceptionGroup derives from
# Exception, so that an ExceptionGroup is caught by `except Exception` (FastAPI's 500)
# and by `except BaseExceptionGroup`, as in Python.


def _eg_matcher(condition):
    if isinstance(condition, (type, tuple)):
        return lambda e: isinstance(e, condition)
    if callable(condition):
        return condition
    raise TypeError("expected a function, exception type or tuple of exception types")


class BaseExceptionGroup(Exception):
    __module__ = "builtins"

    def __init__(self, message, exceptions):
        if not isinstance(message, str):
            raise TypeError(f"argument 1 must be str, not {type(message).__name__}")
        if not isinstance(exceptions, (list, tuple)):
            raise TypeError("second argument (exceptions) must be a sequence")
        if not exceptions:
            raise ValueError("second argument (exceptions) must be a non-empty sequence")
        for i, e in enumerate(exceptions):
            if not isinstance(e, BaseException):
                raise ValueError(f"Item {i} of second argument (exceptions) is not an exception")
        super().__init__(message, exceptions)
        self.message = message
        self.exceptions = tuple(exceptions)

    def __str__(self):
        n = len(self.exceptions)
        return f"{self.message} ({n} sub-exception{'s' if n != 1 else ''})"

    def derive(self, excs):
        return _exception_group(self.message, excs)

    def split(self, condition):
        match = _eg_matcher(condition)
        if match(self):
            return self, None
        matched = []
        rest = []
        for e in self.exceptions:
            if isinstance(e, BaseExceptionGroup):
                m, r = e.split(condition)
                if m is not None:
                    matched.append(m)
                if r is not None:
                    rest.append(r)
            elif match(e):
                matched.append(e)
            else:
                rest.append(e)
        return (self.derive(matched) if matched else None, self.derive(rest) if rest else None)

    def subgroup(self, condition):
        return self.split(condition)[0]


class ExceptionGroup(BaseExceptionGroup):
    __module__ = "builtins"

    def __init__(self, message, exceptions):
        super().__init__(message, exceptions)
        for e in self.exceptions:
            if not isinstance(e, Exception):
                raise TypeError("Cannot nest BaseExceptions in an ExceptionGroup")


def _exception_group(message, excs):
    # BaseExceptionGroup(message, excs) in Python: an ExceptionGroup when all are Exceptions.
    for e in excs:
        if not isinstance(e, Exception) or type(e) is BaseExceptionGroup:
            return BaseExceptionGroup(message, excs)
    return ExceptionGroup(message, excs)
