# Endpoint file used to record what real FastAPI 0.92 answers (see probe.py).
from fastapi import FastAPI, HTTPException, Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse, HTMLResponse, Response

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str = None):
    return {"item_id": item_id, "q": q}


@app.get("/f/{x}")
async def get_float(x: float):
    return {"x": x}


@app.get("/b")
async def get_bool(flag: bool = False):
    return {"flag": flag}


@app.get("/req")
async def required(q: str, n: int):
    return {"q": q, "n": n}


@app.get("/two")
async def two(i: int, j: int, k: float = 1.5):
    return [i, j, k]


@app.get("/files/{p:path}")
async def files(p: str):
    return p


@app.get("/m")
def m_get():
    return "get"


@app.post("/m")
def m_post():
    return "post"


@app.post("/body", status_code=201)
async def body(data: dict):
    return data


@app.get("/nested")
async def nested():
    return {"a": [1, 2.0, 0.1, 1e16, 1e-5, 123456789.0, -0.0, True, None],
            "ü": "snow ☃ \"q\" \\ \n\t\x01\x7f", (1, 2)[0]: "intkey",
            "t": (1, "x"), 2.5: None, None: 1, True: 2}


@app.get("/nan")
async def nan():
    return {"x": float("nan")}


@app.get("/exc")
async def exc():
    raise HTTPException(status_code=418)


@app.get("/exc2")
async def exc2():
    raise HTTPException(status_code=400, detail={"why": "bad"}, headers={"X-Err": "1"})


@app.get("/boom")
async def boom():
    return 1 / 0


@app.get("/plain")
async def plain():
    return PlainTextResponse("hi", status_code=202)


@app.get("/html")
async def html():
    return HTMLResponse("<b>x</b>")


@app.get("/json")
async def json_resp():
    return JSONResponse({"k": "v"}, status_code=203, headers={"X-A": "b"})


@app.get("/raw")
async def raw():
    return Response("raw", media_type="text/csv")


@app.get("/none")
async def none():
    return None


@app.get("/trail/")
async def trail():
    return "trail"


@app.get("/qdef")
async def qdef(q: int = Query(5), r: str = Query(None)):
    return [q, r]


from typing import List, Optional


@app.get("/seq")
def seq(items: list = Query(default=[]), ids: List[int] = Query(default=[]), tags: list[str] = Query(None)):
    return {"items": items, "ids": ids, "tags": tags}


@app.get("/seq_req")
async def seq_req(ids: List[int] = Query(...)):
    return ids


@app.get("/union")
def union(r: int | None = None, s: Optional[float] = None, t: None | bool = None):
    return {"r": r, "s": s, "t": t}


@app.get("/limits/{n}")
def limits(n: int = Path(..., ge=1, le=10), q: str = Query("x", max_length=3),
           x: float = Query(1, gt=0.5, lt=2), s: str = Query(None, min_length=2)):
    return {"n": n, "q": q, "x": x, "s": s}


from pydantic import BaseModel, Field


class Tag(BaseModel):
    name: str
    weight: int = 1


class Item(BaseModel):
    name: str
    price: float = Field(..., gt=0)
    tags: List[Tag] = []
    note: Optional[str] = None


@app.post("/model")
async def model_body(item: Item):
    return {"got": item, "total": item.price * 2}


@app.post("/models")
def models_body(item: Item, tag: Tag):
    return [item, tag]


@app.get("/model")
def model_out():
    return Item(name="x", price=1, tags=[Tag(name="t")])


class Out(BaseModel):
    name: str
    price: float = 0


@app.get("/rm", response_model=Out)
def response_model_dict():
    return {"name": "a", "price": "3", "secret": 1}


@app.get("/rml", response_model=List[Out])
def response_model_list():
    return [{"name": "a", "extra": 2}, Out(name="b")]


@app.get("/rm_bad", response_model=Out)
def response_model_bad():
    return {"price": 1}
