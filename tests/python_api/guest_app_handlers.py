"""A guest app as its developers write one: a module that creates the App and decorates its
handlers. Importable (tests/python_api is on sys.path), so own-GIL sub-interpreters can import it
again: the test of every phase uses it."""

import asyncio

import fasterbench as fb

app = fb.App(optimizations="P0")


@app.get("/hello")
def hello(request):
    return b"hello"


@app.post("/echo", body=b"ping")
def echo(request):
    return request.body


@app.get("/items/{id}", request="/items/42?full=1")
def item(request):
    return {"id": request.path_params["id"], "query": request.query, "agent": request.headers.get("user-agent", "")}


@app.get("/boom")
def boom(request):
    raise ValueError("boom on purpose")


@app.get("/later")
async def later(request):
    await asyncio.sleep(0)
    return "later"
