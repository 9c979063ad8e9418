# Lesson 9: fan out inside one request with asyncio.TaskGroup.
# /sequential awaits three 0.3 s service calls one after the other: 0.9 s per request.
# /fanout starts the same three calls in a TaskGroup: they wait together, the request
# takes 0.3 s, and the loop stays free for everyone else all the while.
# /deadline wraps the sequential version in asyncio.timeout(0.5): at 0.5 s the call in
# flight is cancelled, TimeoutError is raised, and the handler answers 504.
import asyncio

from fastapi import FastAPI, HTTPException

app = FastAPI()


async def call_service(name: str, i: int) -> str:
    print(f"{name} {i} start")
    await asyncio.sleep(0.3)  # a network call: it awaits, the loop runs others meanwhile
    print(f"{name} {i} end")
    return name


@app.get("/sequential")
async def sequential(i: int = 0):
    users = await call_service("users", i)
    orders = await call_service("orders", i)
    stock = await call_service("stock", i)
    return {"i": i, "parts": [users, orders, stock]}


@app.get("/fanout")
async def fanout(i: int = 0):
    async with asyncio.TaskGroup() as tg:
        users = tg.create_task(call_service("users", i))
        orders = tg.create_task(call_service("orders", i))
        stock = tg.create_task(call_service("stock", i))
    return {"i": i, "parts": [users.result(), orders.result(), stock.result()]}


@app.get("/deadline")
async def deadline(i: int = 0):
    try:
        async with asyncio.timeout(0.5):
            return await sequential(i)
    except TimeoutError:
        print(f"deadline {i} passed")
        raise HTTPException(status_code=504, detail="took longer than 0.5 s")
