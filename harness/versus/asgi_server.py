"""The scenario's handlers under uvicorn, for `fasterbench versus`.

    /usr/bin/python3 asgi_server.py --scenario S.toml --app fastapi|bare --port N

``fastapi``: one FastAPI route per scenario route (same method and path template), whose
endpoint builds a request object with the attributes fasterbench handlers read (method, path,
path_params, query, headers, body) and converts the result the way fasterbench does (bytes,
str, dict/list as JSON, None as 204, (status, body)). Sync handlers become ``def`` endpoints
(FastAPI runs them in its thread pool), async ones ``async def`` endpoints, as a FastAPI user
would write them. dicts and lists are returned to FastAPI, which serializes them itself.

``bare``: a plain ASGI callable around the same handlers: routing by a dict of exact paths and
one regular expression per template, sync handlers called on the event loop (no thread pool),
no framework. The floor of what a Python ASGI server can do with these handlers.

Both run under uvicorn with uvloop and httptools when installed (what ``uvicorn[standard]``
installs), one process, access log off. Exit status 2 with one line on stderr when the
scenario cannot be loaded or a package is missing.
"""

import argparse
import importlib
import inspect
import json
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

EXIT_USAGE = 2


def fail(message):
    print(f"asgi_server: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


class HandlerRequest:
    """What a fasterbench handler reads from its argument (framework/python/request_object)."""

    __slots__ = ("method", "path", "path_params", "query", "headers", "body")

    def __init__(self, method, path, path_params, query, headers, body):
        self.method = method
        self.path = path
        self.path_params = path_params
        self.query = query
        self.headers = headers
        self.body = body


def load_routes(scenario_path):
    """[(method, path template, handler callable)] from the scenario file."""
    if tomllib is None:
        fail("needs Python >= 3.11 (tomllib) to read the scenario")
    try:
        with open(scenario_path, "rb") as f:
            scenario = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        fail(f"{scenario_path}: {e}")
    base = os.path.dirname(os.path.abspath(scenario_path))
    for p in reversed(scenario.get("python_path", ["."])):
        sys.path.insert(0, os.path.normpath(os.path.join(base, p)))
    routes = []
    for r in scenario.get("route", []):
        module_name, _, attr = r["handler"].partition(":")
        try:
            obj = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as e:
            fail(f"{scenario_path}: handler {r['handler']}: {e}")
        routes.append((r.get("method", "GET").upper(), r["path"], obj))
    return routes


def body_and_type(value):
    """A handler's body value as (bytes, content type), as framework/python/result_conversion."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), "application/octet-stream"
    if isinstance(value, str):
        return value.encode(), "text/plain; charset=utf-8"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":")).encode(), "application/json"
    raise TypeError(f"handler returned {type(value).__name__}; expected bytes, str, dict, list, None or (status, body)")


def reads_body(method):
    return method not in ("GET", "HEAD", "OPTIONS", "DELETE")


# ---- FastAPI --------------------------------------------------------------------------------

def fastapi_app(routes):
    try:
        from fastapi import Depends, FastAPI, Request
        from fastapi.responses import JSONResponse, Response
    except ImportError as e:
        fail(f"FastAPI is not installed for {sys.executable} ({e}); install python3-fastapi")

    def to_response(result):
        status = 200
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
            status, result = result
        if result is None:
            return Response(status_code=204 if status == 200 else status)
        if isinstance(result, (dict, list)) and status == 200:
            return result  # FastAPI's own path: jsonable_encoder, then JSONResponse
        if isinstance(result, (dict, list)):
            return JSONResponse(result, status_code=status)
        body, content_type = body_and_type(result)
        return Response(content=body, status_code=status, media_type=content_type)

    def view(request, body):
        return HandlerRequest(request.method, request.url.path, dict(request.path_params),
                              dict(request.query_params), dict(request.headers), body)

    async def read_body(request: Request) -> bytes:
        return await request.body()

    def endpoint_for(handler, method):
        if inspect.iscoroutinefunction(handler):
            async def endpoint(request: Request):
                body = await request.body() if reads_body(method) else b""
                return to_response(await handler(view(request, body)))
        elif reads_body(method):
            def endpoint(request: Request, body: bytes = Depends(read_body)):
                return to_response(handler(view(request, body)))
        else:
            def endpoint(request: Request):
                return to_response(handler(view(request, b"")))
        endpoint.__name__ = getattr(handler, "__name__", "endpoint")
        return endpoint

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    for method, path, handler in routes:
        app.add_api_route(path, endpoint_for(handler, method), methods=[method])
    return app


# ---- bare ASGI ------------------------------------------------------------------------------

def bare_app(routes):
    exact = {}
    templates = []
    for method, path, handler in routes:
        if "{" in path:
            pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
            templates.append((method, re.compile(pattern), handler))
        else:
            exact[(method, path)] = handler

    async def respond(send, status, body, content_type):
        headers = [(b"content-type", content_type.encode())]
        if status != 204:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if status != 204 else b""})

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        method, path = scope["method"], scope["path"]
        handler, params = exact.get((method, path)), {}
        if handler is None:
            for m, regex, h in templates:
                match = regex.match(path) if m == method else None
                if match:
                    handler, params = h, match.groupdict()
                    break
        if handler is None:
            await respond(send, 404, b"Not Found", "text/plain")
            return
        body = b""
        if reads_body(method):
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        query = {}
        for pair in scope["query_string"].decode("latin-1").split("&"):
            if pair:
                k, _, v = pair.partition("=")
                query[k] = v
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = HandlerRequest(method, path, params, query, headers, body)
        try:
            result = handler(request)
            if inspect.iscoroutine(result):
                result = await result
            status = 200
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
                status, result = result
            if result is None:
                await respond(send, 204 if status == 200 else status, b"", "text/plain")
                return
            payload, content_type = body_and_type(result)
        except Exception as e:  # a handler that raises is a 500, as in fasterbench
            await respond(send, 500, f"Internal Server Error: {type(e).__name__}: {e}".encode(), "text/plain")
            return
        await respond(send, status, payload, content_type)

    return app


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", required=True)
    p.add_argument("--app", choices=["fastapi", "bare"], required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args(argv)
    try:
        import uvicorn
    except ImportError as e:
        fail(f"uvicorn is not installed for {sys.executable} ({e}); install python3-uvicorn")
    routes = load_routes(args.scenario)
    app = fastapi_app(routes) if args.app == "fastapi" else bare_app(routes)
    try:
        import uvloop  # noqa: F401
        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    try:
        import httptools  # noqa: F401
        http = "httptools"
    except ImportError:
        http = "h11"
    print(f"asgi_server: {args.app} on uvicorn {uvicorn.__version__} (loop {loop}, http {http}), "
          f"Python {sys.version.split()[0]}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, loop=loop, http=http, access_log=False,
                log_level="warning", workers=1, lifespan="on" if args.app == "bare" else "auto")


if __name__ == "__main__":
    main()
