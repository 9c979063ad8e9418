# pydantic v1 (as under FastAPI 0.92): typed fields converted leniently, Field constraints,
# nested models and lists of them, ValidationError with its error list and text.
from typing import List, Optional

from pydantic import BaseModel, Field, ValidationError


class Tag(BaseModel):
    name: str
    weight: int = 1


class Item(BaseModel):
    name: str
    price: float = Field(..., gt=0)
    count: int = 0
    active: bool = True
    tags: List[Tag] = []
    note: Optional[str] = None
    codes: list[int] = []


i = Item(name="pen", price="2.5", count=3.9, active="yes", tags=[{"name": "a"}, Tag(name="b", weight=2)], codes=["1", 2])
print(i)
print(repr(i))
print(i.dict())
print(i.json())
print(i.price, i.count, i.active, i.tags[0].weight, i.codes)
print(i == Item(**i.dict()), Item(name="x", price=1) == {"name": "x", "price": 1.0, "count": 0, "active": True, "tags": [], "note": None, "codes": []})
for bad in [dict(), dict(name=None, price=-1), dict(name=[1], price="x", count="3.5", active="maybe", tags=[{"weight": "z"}], codes=[1, "q"])]:
    try:
        Item(**bad)
    except ValidationError as e:
        print(e)
        print(e.errors())
print(Item.parse_obj({"name": 5, "price": 1}).name)
print(issubclass(Item, BaseModel), isinstance(i, BaseModel), issubclass(ValidationError, ValueError))

# expect: name='pen' price=2.5 count=3 active=True tags=[Tag(name='a', weight=1), Tag(name='b', weight=2)] note=None codes=[1, 2]
# expect: Item(name='pen', price=2.5, count=3, active=True, tags=[Tag(name='a', weight=1), Tag(name='b', weight=2)], note=None, codes=[1, 2])
# expect: {'name': 'pen', 'price': 2.5, 'count': 3, 'active': True, 'tags': [{'name': 'a', 'weight': 1}, {'name': 'b', 'weight': 2}], 'note': None, 'codes': [1, 2]}
# expect: {"name": "pen", "price": 2.5, "count": 3, "active": true, "tags": [{"name": "a", "weight": 1}, {"name": "b", "weight": 2}], "note": null, "codes": [1, 2]}
# expect: 2.5 3 True 1 [1, 2]
# expect: True True
# expect: 2 validation errors for Item
# expect: name
# expect:   field required (type=value_error.missing)
# expect: price
# expect:   field required (type=value_error.missing)
# expect: [{'loc': ('name',), 'msg': 'field required', 'type': 'value_error.missing'}, {'loc': ('price',), 'msg': 'field required', 'type': 'value_error.missing'}]
# expect: 2 validation errors for Item
# expect: name
# expect:   none is not an allowed value (type=type_error.none.not_allowed)
# expect: price
# expect:   ensure this value is greater than 0 (type=value_error.number.not_gt; limit_value=0)
# expect: [{'loc': ('name',), 'msg': 'none is not an allowed value', 'type': 'type_error.none.not_allowed'}, {'loc': ('price',), 'msg': 'ensure this value is greater than 0', 'type': 'value_error.number.not_gt', 'ctx': {'limit_value': 0}}]
# expect: 7 validation errors for Item
# expect: name
# expect:   str type expected (type=type_error.str)
# expect: price
# expect:   value is not a valid float (type=type_error.float)
# expect: count
# expect:   value is not a valid integer (type=type_error.integer)
# expect: active
# expect:   value could not be parsed to a boolean (type=type_error.bool)
# expect: tags -> 0 -> name
# expect:   field required (type=value_error.missing)
# expect: tags -> 0 -> weight
# expect:   value is not a valid integer (type=type_error.integer)
# expect: codes -> 1
# expect:   value is not a valid integer (type=type_error.integer)
# expect: [{'loc': ('name',), 'msg': 'str type expected', 'type': 'type_error.str'}, {'loc': ('price',), 'msg': 'value is not a valid float', 'type': 'type_error.float'}, {'loc': ('count',), 'msg': 'value is not a valid integer', 'type': 'type_error.integer'}, {'loc': ('active',), 'msg': 'value could not be parsed to a boolean', 'type': 'type_error.bool'}, {'loc': ('tags', 0, 'name'), 'msg': 'field required', 'type': 'value_error.missing'}, {'loc': ('tags', 0, 'weight'), 'msg': 'value is not a valid integer', 'type': 'type_error.integer'}, {'loc': ('codes', 1), 'msg': 'value is not a valid integer', 'type': 'type_error.integer'}]
# expect: 5
# expect: True True True
