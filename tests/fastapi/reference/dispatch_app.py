# Endpoint file of tst_fastapiapp's dispatch tests (FastAPI 0.92 semantics).
import asyncio
import time

import httpx
import requests
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException
from fastapi.responses import StreamingResponse

app = FastAPI()


@app.get("/async_sleep")
async def async_sleep(i: int = 0):
    print(f"async start {i}")
    time.sleep(0.4)
    print(f"async end {i}")
    return "pong"


@app.get("/def_sleep")
def def_sleep(i: int = 0):
    print(f"def start {i}")
    time.sleep(0.4)
    print(f"def end {i}")
    return "pong"


@app.get("/async_await")
async def async_await(i: int = 0):
    await asyncio.sleep(0.4)
    return i


def dep_a():
    print("dep_a")
    return "a"


async def dep_b(a: str = Depends(dep_a)):
    print("dep_b " + a)
    return a + "b"


def dep_gen():
    print("gen enter")
    yield "g"
    print("gen exit")


@app.get("/deps")
def deps(b: str = Depends(dep_b), a: str = Depends(dep_a), g: str = Depends(dep_gen)):
    print("endpoint " + b + a + g)
    return {"b": b, "a": a, "g": g}


def slow_task(name):
    time.sleep(0.5)
    print("background " + name)


@app.get("/background")
def background(tasks: BackgroundTasks):
    tasks.add_task(slow_task, "one")
    tasks.add_task(slow_task, name="two")
    print("endpoint returns")
    return "queued"


def chunks():
    for c in ["a", "b", "c"]:
        yield c


async def achunks():
    for c in ["x", "y"]:
        await asyncio.sleep(0.05)
        yield c


@app.get("/stream")
def stream():
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/astream")
async def astream():
    return StreamingResponse(achunks())


@app.get("/boom")
async def boom():
    return 1 / 0


@app.get("/teapot")
def teapot():
    raise HTTPException(status_code=418)


@app.post("/echo", status_code=201)
async def echo(data: dict):
    return {"got": data, "n": len(data)}


@app.get("/proxy_blocking")
async def proxy_blocking(port: int):
    # requests blocks the event loop for the whole call.
    r = requests.get(f"http://127.0.0.1:{port}/async_await?i=7")
    return {"status": r.status_code, "body": r.json()}


@app.get("/proxy_async")
async def proxy_async(port: int):
    async with httpx.AsyncClient() as client:
        r = await client.get(f"http://127.0.0.1:{port}/async_await", params={"i": 8})
    return {"status": r.status_code, "body": r.json()}


@app.get("/proxy_error")
async def proxy_error(port: int):
    try:
        requests.get(f"http://127.0.0.1:{port}/")
    except requests.exceptions.ConnectionError:
        return "refused"
    return "connected"


router = APIRouter(prefix="/r")


@router.get("/items/{item_id}")
async def router_item(item_id: int):
    return {"item_id": item_id}


app.include_router(router, prefix="/v1")
