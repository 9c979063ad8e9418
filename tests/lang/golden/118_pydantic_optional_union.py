# Optional and Union in pydantic v1 models: Optional[X] without a default is not required;
# a Union tries its members in order and reports every member's error.
from typing import Optional, List, Union
from pydantic import BaseModel, ValidationError

class M(BaseModel):
    a: Optional[int]
    b: Optional[str] = "x"
    c: Union[int, str] = 1

print(M(), M(a="3", b=None), M(c="z"))
print(isinstance(None, Optional[int]), isinstance(3, Optional[int]))
try:
    M(a="q")
except ValidationError as e:
    print(e)
class N(BaseModel):
    u: Union[int, float]
    v: Optional[List[int]] = None
    w: Union[int, str, None]
try:
    N(u="x", v=["1", "z"])
except ValidationError as e:
    print(e)
print(N(u="2.5", v=["1"], w="q"), N(u=3))

# expect: a=None b='x' c=1 a=3 b=None c=1 a=None b='x' c='z'
# expect: True True
# expect: 1 validation error for M
# expect: a
# expect:   value is not a valid integer (type=type_error.integer)
# expect: 3 validation errors for N
# expect: u
# expect:   value is not a valid integer (type=type_error.integer)
# expect: u
# expect:   value is not a valid float (type=type_error.float)
# expect: v -> 1
# expect:   value is not a valid integer (type=type_error.integer)
# expect: u=2.5 v=[1] w='q' u=3 v=None w=None
