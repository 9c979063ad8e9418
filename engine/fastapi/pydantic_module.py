# pydantic (v1, as under FastAPI 0.92) in the endpoint language: BaseModel with typed
# fields and defaults, Field() with its constraints, lax conversion as pydantic v1 does
# it, and ValidationError with v1's error list and text. Compiled in and run as the
# module `pydantic` on first import.

__all__ = ["BaseModel", "Field", "ValidationError"]
VERSION = "1.10.4"


class _Missing:
    def __repr__(self):
        return "PydanticUndefined"


_MISSING = _Missing()
_RAW = "__pydantic_values__"  # BaseModel(**{_RAW: values}): values already converted


class FieldInfo:
    __module__ = "pydantic.fields"

    def __init__(self, default=_MISSING, *, alias=None, title=None, description=None, gt=None, ge=None,
                 lt=None, le=None, min_length=None, max_length=None, default_factory=None, **extra):
        self.default = _MISSING if default is ... else default
        self.default_factory = default_factory
        self.alias = alias
        self.title = title
        self.description = description
        self.gt = gt
        self.ge = ge
        self.lt = lt
        self.le = le
        self.min_length = min_length
        self.max_length = max_length

    def __repr__(self):
        return f"FieldInfo(default={self.default!r}, extra={{}})"


def Field(default=_MISSING, **kwargs):
    return FieldInfo(default, **kwargs)


class _Error(Exception):
    def __init__(self, msg, type_, ctx=None):
        self.msg = msg
        self.type_ = type_
        self.ctx = ctx


class ValidationError(ValueError):
    __module__ = "pydantic.error_wrappers"

    def __init__(self, errors, model):
        self._errors = errors
        self.model = model

    def errors(self):
        return [dict(e) for e in self._errors]

    def __str__(self):
        n = len(self._errors)
        lines = [f"{n} validation error{'' if n == 1 else 's'} for {self.model.__name__}"]
        for e in self._errors:
            lines.append(" -> ".join(str(part) for part in e["loc"]))
            detail = "type=" + e["type"]
            for key, value in e.get("ctx", {}).items():
                detail += f"; {key}={value}"
            lines.append(f"  {e['msg']} ({detail})")
        return "\n".join(lines)

    def __repr__(self):
        return f"ValidationError(model={self.model.__name__!r}, errors={self.errors()!r})"


_TRUE = {1, "1", "on", "t", "true", "y", "yes"}
_FALSE = {0, "0", "off", "f", "false", "n", "no"}


def _check_limits(value, info):
    if info is None:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if info.gt is not None and not value > info.gt:
            raise _Error(f"ensure this value is greater than {info.gt}", "value_error.number.not_gt", {"limit_value": info.gt})
        if info.gt is None and info.ge is not None and not value >= info.ge:
            raise _Error(f"ensure this value is greater than or equal to {info.ge}", "value_error.number.not_ge",
                         {"limit_value": info.ge})
        if info.lt is not None and not value < info.lt:
            raise _Error(f"ensure this value is less than {info.lt}", "value_error.number.not_lt", {"limit_value": info.lt})
        if info.le is not None and not value <= info.le:
            raise _Error(f"ensure this value is less than or equal to {info.le}", "value_error.number.not_le",
                         {"limit_value": info.le})
    if isinstance(value, str):
        if info.min_length is not None and len(value) < info.min_length:
            raise _Error(f"ensure this value has at least {info.min_length} characters", "value_error.any_str.min_length",
                         {"limit_value": info.min_length})
        if info.max_length is not None and len(value) > info.max_length:
            raise _Error(f"ensure this value has at most {info.max_length} characters", "value_error.any_str.max_length",
                         {"limit_value": info.max_length})
    return value


def _is_model(annotation):
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _without_none(annotation):
    # X | None -> (X, True); X | Y | None -> (X | Y, True); anything else -> (annotation, False)
    if type(annotation).__name__ == "UnionType":
        members = [a for a in annotation.__args__ if a is not type(None)]
        optional = len(members) < len(annotation.__args__)
        if len(members) == 1:
            return members[0], optional
        if optional:
            union = members[0]
            for m in members[1:]:
                union = union | m
            return union, True
    return annotation, False


def _convert(annotation, value, loc, errors):
    """The converted value, or _MISSING with the errors appended (loc: a tuple)."""
    if type(annotation).__name__ == "UnionType":
        # pydantic v1 tries the members in order; the first that converts wins
        tried = []
        for member in annotation.__args__:
            attempt = []
            converted = _field_value(member, value, loc, attempt, None, False)
            if converted is not _MISSING:
                return converted
            tried.extend(attempt)
        errors.extend(tried)
        return _MISSING
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _Error("value is not a valid integer", "type_error.integer")
    if annotation is float:
        if isinstance(value, float):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _Error("value is not a valid float", "type_error.float")
    if annotation is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return str(value)
        raise _Error("str type expected", "type_error.str")
    if annotation is bool:
        if value is True or value is False:
            return value
        key = value.lower() if isinstance(value, str) else value
        if isinstance(key, (int, float, str)):
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
        raise _Error("value could not be parsed to a boolean", "type_error.bool")
    if annotation is dict:
        if isinstance(value, dict):
            return value
        raise _Error("value is not a valid dict", "type_error.dict")
    origin = getattr(annotation, "__origin__", None)
    if annotation is list or origin is list:
        if not isinstance(value, (list, tuple, set)):
            raise _Error("value is not a valid list", "type_error.list")
        items = list(value)
        args = getattr(annotation, "__args__", ())
        if not args:
            return items
        out = []
        failed = False
        for index, item in enumerate(items):
            converted = _field_value(args[0], item, loc + (index,), errors, None, False)
            if converted is _MISSING:
                failed = True
            out.append(converted)
        return _MISSING if failed else out
    if _is_model(annotation):
        if isinstance(value, annotation):
            return value
        if not isinstance(value, dict):
            raise _Error("value is not a valid dict", "type_error.dict")
        values, inner = annotation._validate(value)
        if inner:
            for e in inner:
                e["loc"] = loc + e["loc"]
                errors.append(e)
            return _MISSING
        return annotation._from_values(values)
    return value  # Any, or a type this module does not check


def _field_value(annotation, value, loc, errors, info, allow_none):
    annotation, optional = _without_none(annotation)
    if value is None:
        if allow_none or optional:
            return None
        errors.append({"loc": loc, "msg": "none is not an allowed value", "type": "type_error.none.not_allowed"})
        return _MISSING
    try:
        return _check_limits(_convert(annotation, value, loc, errors), info)
    except _Error as e:
        error = {"loc": loc, "msg": e.msg, "type": e.type_}
        if e.ctx is not None:
            error["ctx"] = e.ctx
        errors.append(error)
        return _MISSING


class BaseModel:
    __module__ = "pydantic.main"

    @classmethod
    def _fields(cls):
        # (name, annotation, default, FieldInfo or None) in declaration order, base classes first
        fields = {}
        for klass in reversed(cls.__mro__):
            if klass is BaseModel or klass is object:
                continue
            for name, annotation in klass.__dict__.get("__annotations__", {}).items():
                if name.startswith("_"):
                    continue
                default = klass.__dict__.get(name, _MISSING)
                if default is _MISSING and _without_none(annotation)[1]:
                    default = None  # Optional[X] without a default: not required, None
                info = None
                if isinstance(default, FieldInfo):
                    info = default
                    default = info.default
                fields[name] = (annotation, default, info)
        return fields

    @classmethod
    def _validate(cls, data):
        values = {}
        errors = []
        for name, (annotation, default, info) in cls._fields().items():
            key = info.alias if info is not None and info.alias else name
            if key in data:
                value = _field_value(annotation, data[key], (key,), errors, info, default is None)
                if value is not _MISSING:
                    values[name] = value
            elif info is not None and info.default_factory is not None:
                values[name] = info.default_factory()
            elif default is _MISSING:
                errors.append({"loc": (key,), "msg": "field required", "type": "value_error.missing"})
            else:
                values[name] = list(default) if isinstance(default, list) else (
                    dict(default) if isinstance(default, dict) else default)
        return values, errors

    @classmethod
    def _from_values(cls, values):
        # an instance holding values already converted (defaults stay as written)
        return cls(**{_RAW: values})

    def __init__(self, **data):
        if len(data) == 1 and _RAW in data:
            for name, value in data[_RAW].items():
                setattr(self, name, value)
            return
        values, errors = type(self)._validate(data)
        if errors:
            raise ValidationError(errors, type(self))
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def parse_obj(cls, obj):
        if not isinstance(obj, dict):
            raise ValidationError([{"loc": ("__root__",), "msg": f"{cls.__name__} expected dict not {type(obj).__name__}",
                                    "type": "type_error"}], cls)
        return cls(**obj)

    def dict(self):
        return {name: _plain(value) for name, value in vars(self).items()}

    def json(self):
        import json
        return json.dumps(self.dict())

    def copy(self):
        return type(self)._from_values(dict(vars(self)))

    def __iter__(self):
        return iter(list(vars(self).items()))

    def __eq__(self, other):
        if isinstance(other, BaseModel):
            return self.dict() == other.dict()
        return self.dict() == other

    def __repr__(self):
        inner = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({inner})"

    def __str__(self):
        return " ".join(f"{name}={value!r}" for name, value in vars(self).items())


def _plain(value):
    if isinstance(value, BaseModel):
        return value.dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _response_value(annotation, value):
    # FastAPI 0.92's serialize_response for a route's response_model: models become
    # dicts, then the whole is validated as the model (undeclared keys are dropped);
    # errors raise a ValidationError located at "response".
    errors = []
    result = _field_value(annotation, _plain(value), ("response",), errors, None, True)
    if errors:
        raise ValidationError(errors, annotation if isinstance(annotation, type) else type(annotation))
    return result
