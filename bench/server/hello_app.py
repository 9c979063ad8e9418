# Hello-world endpoints for the server throughput benchmark (real uvicorn and Loopscope).
from fastapi import FastAPI

app = FastAPI()


@app.get("/async")
async def hello_async():
    return {"message": "hello"}


@app.get("/sync")
def hello_sync():
    return {"message": "hello"}
