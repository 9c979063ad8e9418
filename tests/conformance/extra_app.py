# Endpoints for Loopscope's extra conformance scenarios (scenarios_extra.json).
# Valid real FastAPI: the same file runs under uvicorn and under Loopscope.
import asyncio
import time

from fastapi import BackgroundTasks, FastAPI, HTTPException
from fastapi.responses import StreamingResponse

app = FastAPI()


@app.get("/executor")
async def executor(i: int = 0):
    loop = asyncio.get_running_loop()
    print(f"submit {i}")
    await loop.run_in_executor(None, time.sleep, 1)
    print(f"done {i}")
    return {"i": i}


@app.get("/to_thread")
async def to_thread(i: int = 0):
    print(f"submit {i}")
    await asyncio.to_thread(time.sleep, 1)
    print(f"done {i}")
    return {"i": i}


def burn(n):
    total = 0
    for k in range(n):
        total += k % 7
    return total


@app.get("/cpu")
def cpu(i: int = 0, n: int = 2000000):
    print(f"cpu start {i}")
    total = burn(n)
    print(f"cpu end {i}")
    return {"i": i, "total": total}


def background_job(i):
    time.sleep(0.5)
    print(f"background {i} done")


@app.get("/background")
async def background(background_tasks: BackgroundTasks, i: int = 0):
    background_tasks.add_task(background_job, i)
    print(f"handler {i}")
    return {"i": i}


def chunks(i):
    for k in range(3):
        time.sleep(0.2)
        yield f"chunk {i}.{k}\n"


@app.get("/stream")
async def stream(i: int = 0):
    return StreamingResponse(chunks(i), media_type="text/plain")


@app.get("/sync_sleep")
def sync_sleep(i: int = 0, s: float = 0.3):
    time.sleep(s)
    print(f"sync done {i}")
    return {"i": i}


@app.get("/loop_block")
async def loop_block(i: int = 0, s: float = 1.0):
    print(f"loop blocked {i}")
    time.sleep(s)
    print(f"loop free {i}")
    return {"i": i}


@app.get("/sync_block")
def sync_block(i: int = 0):
    time.sleep(1)
    return "pong"


@app.get("/async_sleep")
async def async_sleep(i: int = 0, s: float = 0.5):
    print(f"start {i}")
    await asyncio.sleep(s)
    print(f"end {i}")
    return {"i": i}


lock = asyncio.Lock()
gate = asyncio.Semaphore(2)
event = asyncio.Event()


@app.get("/locked")
async def locked(i: int = 0):
    async with lock:
        print(f"in {i}")
        await asyncio.sleep(0.3)
        print(f"out {i}")
    return {"i": i}


@app.get("/gated")
async def gated(i: int = 0):
    async with gate:
        print(f"through {i}")
        await asyncio.sleep(0.4)
    return {"i": i}


@app.get("/wait_for")
async def wait_for(i: int = 0):
    try:
        await asyncio.wait_for(asyncio.sleep(1), timeout=0.2)
    except asyncio.TimeoutError:
        print(f"timeout {i}")
        raise HTTPException(status_code=504, detail="too slow")
    return {"i": i}


@app.get("/wait_event")
async def wait_event(i: int = 0):
    print(f"waiting {i}")
    await event.wait()
    print(f"woke {i}")
    return {"i": i}


@app.get("/set_event")
async def set_event():
    event.set()
    event.clear()  # the waiters are already woken; the next run waits again
    print("set")
    return "set"


@app.get("/taskgroup")
async def taskgroup(i: int = 0):
    async def part(k, delay):
        await asyncio.sleep(delay)
        print(f"part {i}.{k}")
        return k

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(part(k, 0.1 * (3 - k))) for k in range(3)]
    return {"i": i, "parts": [t.result() for t in tasks]}


@app.get("/taskgroup_fail")
async def taskgroup_fail(i: int = 0):
    async def slow():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print(f"sibling cancelled {i}")
            raise

    async def bad():
        await asyncio.sleep(0.1)
        raise ValueError("bad part")

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow())
            tg.create_task(bad())
    except ExceptionGroup as eg:
        print(f"group {i}: {eg} {eg.exceptions!r}")
        raise HTTPException(status_code=502, detail=str(eg))
    return {"i": i}


@app.get("/timeout")
async def timeout(i: int = 0):
    try:
        async with asyncio.timeout(0.2):
            await asyncio.sleep(1)
    except TimeoutError:
        print(f"timed out {i}")
        raise HTTPException(status_code=504, detail="too slow")
    return {"i": i}
