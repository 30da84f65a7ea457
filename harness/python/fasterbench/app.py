"""Guest mode: a Python process creates the framework, registers its own functions as handlers,
sends them single requests and measures them the way `fasterbench run` measures a scenario.

    import fasterbench as fb

    app = fb.App(optimizations="P4")

    @app.get("/hello")
    def hello(request):
        return b"hello"

    app.handle("GET", "/hello").body      # b'hello'
    results = app.bench(requests=100_000, clients=1, phase="P1")
    results.stage("total").p50            # ns

Where things run (docs/python.md, "Guest mode"): the interpreter is this process's; the pipeline's
threads (executor workers, event loops) call into it; with `direct` a fast handler runs on the
thread that called handle(), and in bench() on this thread too (client 0 of the load is the
calling thread). Under `subinterp` every Python-running thread imports the handlers again in its
own interpreter, by `module:function`: a handler must then be a module-level function of an
importable module, not a function of __main__, a closure or a lambda (ConfigError says which).
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib
import json
import os
import sys
import weakref
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar, Union

from . import _guest_handlers
from ._core import ConfigError, Pipeline
from ._core import bench as _bench
from ._core import optimizations as _switches_of
from .results import Results

F = TypeVar("F", bound=Callable[..., Any])
Headers = Union[Mapping[str, str], Iterable["tuple[str, str]"], None]
Optimizations = Union[str, Iterable[str]]

_KINDS = ("fast", "blocking", "async")


@dataclasses.dataclass(frozen=True)
class Response:
    """What App.handle returns: the response the framework made of the handler's result."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    error: Optional[tuple[str, str]] = None
    """(type, message) when the request failed (a 5xx): the handler raised, or returned what the
    framework cannot convert. None otherwise."""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclasses.dataclass(frozen=True)
class Route:
    """A registered route: the handler and what the load sends it in bench()."""

    method: str
    path: str
    function: Callable[..., Any]
    kind: str = ""
    """"", or "fast", "blocking", "async": overrides the classification (a scenario's kind =)."""
    request: str = ""
    """The path (and ?query) bench() sends; "" = `path`. Needed when `path` has {parameters}."""
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    weight: float = 1.0
    """This route's share of bench()'s request mix, relative to the others'."""

    @property
    def description(self) -> str:
        """module:qualname, as the results name the handler."""
        return f"{self.function.__module__}:{self.function.__qualname__}"


def _optimization_option(optimizations: Optimizations) -> dict[str, str]:
    """A phase ("P4") or switches ("direct,lockfree", or an iterable of names) as the bench option
    that names it; raises ConfigError for an unknown phase or switch."""
    if isinstance(optimizations, str):
        spec = optimizations.strip()
    else:
        spec = ",".join(sorted(str(s) for s in optimizations))
    _switches_of(spec or "P0")  # checks the spelling now, with the harness's message
    if not spec:
        return {"phase": "P0"}
    if len(spec) == 2 and spec[0] in "Pp" and spec[1].isdigit():
        return {"phase": spec.upper()}
    return {"opt": spec}


def _not_importable_reason(function: Callable[..., Any]) -> str:
    """Why an own-GIL sub-interpreter could not import `function` by module:qualname ("" if it can)."""
    module_name = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not module_name or not qualname:
        return "it has no __module__ / __qualname__ to import it by"
    if module_name == "__main__":
        return ("it is defined in __main__, which a sub-interpreter does not share; "
                "move it into a module that can be imported")
    if "<lambda>" in qualname:
        return "it is a lambda, which has no name to import it by"
    if "<locals>" in qualname:
        return "it is a closure (defined inside a function), which cannot be imported by name"
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except Exception as error:  # noqa: BLE001 - any failure is the reason
        return f"importing it by {module_name}:{qualname} fails ({type(error).__name__}: {error})"
    if found is not function:
        return f"{module_name}:{qualname} names another object (the function was replaced or decorated again)"
    return ""


def _python_path() -> list[str]:
    """This process's sys.path, for the sub-interpreters that import the handlers again."""
    out = []
    for entry in sys.path:
        if not isinstance(entry, str):
            continue
        entry = os.path.abspath(entry or os.getcwd())
        if os.path.isdir(entry) and entry not in out:
            out.append(entry)
    return out


def _header_pairs(headers: Headers) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in items)


def _as_bytes(body: Union[bytes, str]) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def _forget_kept(kept: dict[int, str]) -> None:
    for spec in kept.values():
        _guest_handlers.forget(spec)


_open_apps: "weakref.WeakSet[App]" = weakref.WeakSet()


@atexit.register
def _close_open_apps() -> None:
    # Before the interpreter finalizes: the pipelines' threads need it to end.
    for app in list(_open_apps):
        app.close()


class App:
    """The framework, configured by a phase or a set of optimization switches, with this process's
    functions as handlers (guest mode).

    `optimizations`: a phase "P0".."P5" or switches ("direct,lockfree", or a list or set of names:
    direct, lockfree, subinterp, inline-future, fast-marshal). `workers`: executor threads for
    handle() (bench() takes its own; default 1 as in `run`). `subinterp_fallback`: "fail"
    (default) or "main": under subinterp, whether a handler an own-GIL interpreter cannot import
    is an error or runs in the main interpreter. `name`: the scenario name in the results
    (default: the defining module's name)."""

    def __init__(self, optimizations: Optimizations = "P0", *, workers: Optional[int] = None,
                 subinterp_fallback: Optional[str] = None, name: Optional[str] = None) -> None:
        self._optimizations = _optimization_option(optimizations)
        self._workers = workers
        self._subinterp_fallback = subinterp_fallback
        caller = sys._getframe(1).f_globals  # the module that creates the App names it
        module = caller.get("__name__", "app")
        file = caller.get("__file__") or "<stdin>"
        self.name = name or (os.path.splitext(os.path.basename(file))[0] if module == "__main__" else module)
        self.file = os.path.abspath(file) if os.path.exists(file) else file
        self._routes: list[Route] = []
        # Registry names (_guest_handlers) of the handlers the framework cannot import by their
        # own name, per route index, made when a pipeline first needs them.
        self._kept: dict[int, str] = {}
        self._pipeline: Optional[Pipeline] = None
        _open_apps.add(self)
        # The registry's references to this App's handlers go with the App.
        weakref.finalize(self, _forget_kept, self._kept)

    # -- registration ------------------------------------------------------------------------

    def route(self, method: str, path: str, *, kind: str = "", request: str = "",
              body: Union[bytes, str] = b"", headers: Headers = None, weight: float = 1.0) -> Callable[[F], F]:
        """Registers the decorated function for `method` `path` ("/items/{id}": parameters are
        passed in request.path_params). `kind` overrides the classification ("fast",
        "blocking", "async"); `request`, `body`, `headers` and `weight` say what bench() sends
        this route (request is needed when the path has parameters). Returns the function."""
        if kind and kind not in _KINDS:
            raise ConfigError(f"route {method} {path}: kind must be one of {', '.join(_KINDS)}, not {kind!r}")

        def register(function: F) -> F:
            if not callable(function):
                raise ConfigError(f"route {method} {path}: {function!r} is not callable")
            route = Route(method.upper(), path, function, kind, request, _as_bytes(body),
                          _header_pairs(headers), float(weight))
            self._routes.append(route)
            self._close_pipeline()  # the next handle() serves the new route too
            return function

        return register

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        """@app.get(path, ...): route("GET", path, ...)."""
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        """@app.post(path, ...): route("POST", path, ...)."""
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        """@app.put(path, ...): route("PUT", path, ...)."""
        return self.route("PUT", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        """@app.delete(path, ...): route("DELETE", path, ...)."""
        return self.route("DELETE", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        """@app.patch(path, ...): route("PATCH", path, ...)."""
        return self.route("PATCH", path, **options)

    @property
    def routes(self) -> tuple[Route, ...]:
        """The registered routes, in registration order."""
        return tuple(self._routes)

    # -- serving -----------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: Union[bytes, str] = b"", headers: Headers = None) -> Response:
        """Sends one request through the pipeline and returns its response. `path` may carry a
        ?query. The pipeline (workers, interpreters) starts on the first call and stays until
        close() or a new route; a handler that raises gives a 500 whose `error` says why."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self._spec(self._optimizations), self._pipeline_options())
        status, content_type, data, error = self._pipeline.handle(
            method.upper(), path, _as_bytes(body), list(_header_pairs(headers)))
        headers_out = (("content-type", content_type), ("content-length", str(len(data))))
        return Response(status, headers_out, data, tuple(error) if error is not None else None)

    def explain(self) -> list[dict[str, Any]]:
        """Each route's classification under this App's optimizations, as `run --explain-routes`
        prints it: {kind, current, reason, demotions, interpreter}. Starts the pipeline."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self._spec(self._optimizations), self._pipeline_options())
        return list(self._pipeline.routes())

    def close(self) -> None:
        """Stops the pipeline handle() started (its threads end). The App stays usable: the next
        handle() starts a new one."""
        self._close_pipeline()

    def __enter__(self) -> "App":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- measuring ---------------------------------------------------------------------------

    def bench(self, requests: Optional[int] = None, warmup: Optional[int] = None, clients: Optional[int] = None,
              *, phase: Optional[str] = None, optimizations: Optional[Optimizations] = None,
              workers: Optional[int] = None, repetitions: Optional[int] = None, pin: Optional[str] = None,
              cpus: Optional[str] = None, seed: Optional[int] = None, rate: Optional[Union[float, str]] = None,
              duration: Optional[Union[float, str]] = None, arrival: Optional[str] = None,
              wait: Optional[str] = None, future_spin_ns: Optional[int] = None,
              demote_budget_us: Optional[float] = None, demote_after: Optional[int] = None,
              subinterp_fallback: Optional[str] = None, stamps: Optional[str] = None,
              max_error_rate: Optional[Union[float, str]] = None, inject_delay: Optional[str] = None,
              inject_work: Optional[str] = None, out: Optional[str] = None) -> Results:
        """Measures this app as `fasterbench run` measures a scenario, and returns the results
        (fasterbench.Results over a document of `run --out`'s schema; tool.command "bench",
        context.python.mode "guest"). The arguments are run's options with underscores and the same defaults
        (requests 100000, warmup 10000, clients 1, workers 1, repetitions 1, pin "off"); `phase`
        or `optimizations` replace the App's. `out`: also write the document there, atomically.

        Client 0 of the load is the calling thread (with `direct`, a one-client bench runs the
        handlers on it). Ctrl-C stops the measurement at the next request and raises
        KeyboardInterrupt; no thread of it is left running. Raises ConfigError for bad options
        or handlers."""
        if phase is not None and optimizations is not None:
            raise ConfigError("bench(): give phase= or optimizations=, not both")
        chosen = self._optimizations
        if phase is not None:
            chosen = _optimization_option(phase)
            if "phase" not in chosen:
                raise ConfigError(f"bench(): phase={phase!r} is not a phase (P0..P5); use optimizations= for switches")
        elif optimizations is not None:
            chosen = _optimization_option(optimizations)
        options: dict[str, Any] = dict(
            requests=requests, warmup=warmup, clients=clients, workers=workers, repetitions=repetitions,
            pin=pin, cpus=cpus, seed=seed, rate=rate, duration=duration, arrival=arrival, wait=wait,
            future_spin_ns=future_spin_ns, demote_budget_us=demote_budget_us, demote_after=demote_after,
            subinterp_fallback=subinterp_fallback if subinterp_fallback is not None else self._subinterp_fallback,
            stamps=stamps, max_error_rate=max_error_rate, inject_delay=inject_delay, inject_work=inject_work,
            out=os.fspath(out) if out is not None else None, **chosen)
        # A pipeline left by handle() would sit beside the measured one: stop it first.
        self._close_pipeline()
        text = _bench(self._spec(chosen, options["subinterp_fallback"]), options)
        if out is not None:
            return Results.load(out)  # the file as written, which save() and to_json() give back
        return Results.from_document(json.loads(text), source=f"App({self.name!r}).bench")

    # -- internals ---------------------------------------------------------------------------

    def _pipeline_options(self) -> dict[str, Any]:
        return dict(workers=self._workers, subinterp_fallback=self._subinterp_fallback, **self._optimizations)

    def _spec(self, optimizations: dict[str, str], fallback: Optional[str] = None) -> dict[str, Any]:
        """The app as the extension takes it. Under subinterp (unless the fallback is "main")
        every handler must be importable by its own module:qualname: ConfigError otherwise."""
        if not self._routes:
            raise ConfigError("the app has no routes: register a handler with @app.get(...) first")
        switches = _switches_of(optimizations.get("phase") or optimizations.get("opt") or "P0")
        strict = "subinterp" in switches and (fallback or self._subinterp_fallback or "fail") == "fail"
        routes = []
        for index, route in enumerate(self._routes):
            # Decided now, not at registration: a decorator runs before its module binds the name.
            # The main interpreter imports a module-level function by its own name; anything else
            # (a function of __main__, a closure, a lambda) from the registry module that holds it.
            reason = _not_importable_reason(route.function)
            spec = route.description
            if reason:
                if index not in self._kept:
                    self._kept[index] = _guest_handlers.keep(route.function)
                spec = self._kept[index]
                if strict:
                    raise ConfigError(
                        f"route {route.method} {route.path}: handler {route.description} cannot run in an own-GIL "
                        f"sub-interpreter (subinterp, in P3 and later): {reason}. Each interpreter imports the "
                        "handlers again by module:function (or pass subinterp_fallback=\"main\" to run it in "
                        "the main interpreter)")
            code = getattr(route.function, "__code__", None)
            routes.append(dict(method=route.method, path=route.path, handler=spec, description=route.description,
                               kind=route.kind, request=route.request, body=route.body, headers=list(route.headers),
                               weight=route.weight, line=code.co_firstlineno if code is not None else 0))
        return dict(name=self.name, file=self.file, python_path=_python_path(), routes=routes)

    def _close_pipeline(self) -> None:
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.close()
