"""Guest mode: this process's functions served by the framework (App.handle) and measured as
`run` measures a scenario (App.bench), on every phase; the errors that cross the boundary; Ctrl-C
during a bench; the document's schema against `run --out`'s."""

import contextvars
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import fasterbench as fb
from fasterbench import _build_info

import guest_app_handlers

PHASES = ["P0", "P1", "P2", "P3", "P4", "P5"]
HERE = os.path.dirname(os.path.abspath(__file__))
# Small benches: correctness, not speed.
SMALL = dict(requests=300, warmup=100)


def phase_app(phase):
    """The handlers of guest_app_handlers, registered on an App for `phase`."""
    app = fb.App(optimizations=phase, workers=2)
    for route in guest_app_handlers.app.routes:
        app.route(route.method, route.path, kind=route.kind, request=route.request, body=route.body)(route.function)
    return app


def thread_count():
    return len(os.listdir("/proc/self/task"))


@pytest.mark.parametrize("phase", PHASES)
def test_handle_serves_every_route_in_every_phase(phase):
    if fb.unavailable_reason(phase):
        pytest.skip(fb.unavailable_reason(phase))
    with phase_app(phase) as app:
        assert app.handle("GET", "/hello").body == b"hello"
        assert app.handle("POST", "/echo", body=b"abc").body == b"abc"
        item = app.handle("GET", "/items/7?x=1", headers={"User-Agent": "pytest"})
        assert item.status == 200 and dict(item.headers)["content-type"] == "application/json"
        assert item.json() == {"id": "7", "query": {"x": "1"}, "agent": "pytest"}
        assert app.handle("GET", "/later").text == "later"
        boom = app.handle("GET", "/boom")
        assert boom.status == 500 and boom.error == ("ValueError", "boom on purpose")
        assert app.handle("GET", "/nowhere").status == 404
        explained = app.explain()
        assert [r["kind"] for r in explained] == ["SYNC_FAST", "SYNC_FAST", "SYNC_FAST", "SYNC_FAST", "ASYNC"]
        layout = "own" if "subinterp" in fb.optimizations(phase) else "main"
        assert explained[0]["interpreter"].startswith(layout)


@pytest.mark.parametrize("phase", PHASES)
def test_bench_measures_every_phase_like_run(phase):
    if fb.unavailable_reason(phase):
        pytest.skip(fb.unavailable_reason(phase))
    app = phase_app(phase)
    results = app.bench(**SMALL, phase=phase, workers=2)
    assert results.stage("total").p50 > 0
    doc = results.to_document()
    assert doc["tool"]["command"] == "bench"
    assert doc["context"]["python"]["mode"] == "guest"
    assert doc["context"]["python"]["executable"] == sys.executable
    (run,) = doc["runs"]
    assert run["phase"] == phase and run["opts"] == fb.optimizations(phase)
    assert run["requests"] == SMALL["requests"]
    assert run["stages"]["total"]["count"] == run["requests"]
    assert [r["handler"] for r in doc["routes"]][0] == "guest_app_handlers:hello"
    # /boom raises on each of its requests: counted per route as `run` counts them, not fatal.
    boom = next(r for r in run["routes"] if r["path"] == "/boom")
    assert boom["requests"] > 0 and boom["errors"]["count"] == boom["requests"]
    (message,) = boom["errors"]["messages"]
    assert (message["type"], message["message"], message["handler"]) == \
        ("ValueError", "boom on purpose", "guest_app_handlers:boom")
    assert run["errors"] == boom["requests"]
    # Client 0 is this (the main) thread, and the census counts it as the client it is.
    assert "client" in {t["role"] for t in run["threads"]}


def test_bench_leaves_no_thread_and_the_caller_as_it_was():
    before = thread_count()
    name = open("/proc/self/task/%d/comm" % threading.get_native_id()).read()
    cpus = os.sched_getaffinity(0)
    phase_app("P2").bench(**SMALL, pin="shared", clients=2)
    assert thread_count() == before
    assert open("/proc/self/task/%d/comm" % threading.get_native_id()).read() == name
    assert os.sched_getaffinity(0) == cpus


def test_direct_path_runs_on_the_calling_thread_with_its_own_python_state():
    seen = []
    local = threading.local()
    local.name = "caller"
    request_var = contextvars.ContextVar("request_var", default="unset")
    request_var.set("caller's context")
    app = fb.App(optimizations="P1")

    @app.get("/where")
    def where(request):
        # threading.local and the current context belong to the Python thread state: the same
        # values only if the handler runs on the caller's own state, not on a second one.
        seen.append((threading.get_ident(), getattr(local, "name", None), request_var.get()))
        return b"x"

    app.handle("GET", "/where")
    app.bench(requests=20, warmup=5, clients=1)
    assert set(seen) == {(threading.get_ident(), "caller", "caller's context")}
    app.close()


def test_main_and_closure_handlers_work_under_the_shared_gil():
    factor = 3

    def closure(request):
        return str(factor)

    app = fb.App(optimizations="P2")
    app.get("/closure")(closure)
    app.get("/lambda")(lambda request: b"lambda")
    assert app.handle("GET", "/closure").text == "3"
    assert app.handle("GET", "/lambda").body == b"lambda"
    doc = app.bench(**SMALL).to_document()
    assert doc["routes"][0]["handler"].endswith("<locals>.closure")
    app.close()


def test_a_closure_under_subinterpreters_is_a_config_error_naming_it():
    if fb.unavailable_reason("P3"):
        pytest.skip(fb.unavailable_reason("P3"))

    def local_handler(request):
        return b"x"

    app = fb.App(optimizations="P3")
    app.get("/local")(local_handler)
    with pytest.raises(fb.ConfigError, match=r"route GET /local: handler .*<locals>\.local_handler cannot run in an "
                                             r"own-GIL sub-interpreter .*it is a closure"):
        app.handle("GET", "/local")
    with pytest.raises(fb.ConfigError, match="it is a closure"):
        app.bench(**SMALL)
    # With the fallback it runs in the main interpreter instead.
    doc = app.bench(**SMALL, subinterp_fallback="main").to_document()
    assert doc["routes"][0]["interpreter"].startswith("main (fallback")


def test_a_main_module_handler_under_subinterpreters_is_a_config_error(tmp_path):
    if fb.unavailable_reason("P3"):
        pytest.skip(fb.unavailable_reason("P3"))
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import fasterbench as fb
        app = fb.App(optimizations="P3")
        @app.get("/hello")
        def hello(request):
            return b"hello"
        try:
            app.handle("GET", "/hello")
        except fb.ConfigError as error:
            print(error)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "route GET /hello: handler __main__:hello cannot run in an own-GIL sub-interpreter" in out.stdout
    assert "it is defined in __main__" in out.stdout


@pytest.mark.parametrize("options, message", [
    (dict(phase="P9"), "unknown phase 'P9' (accepted: P0, P1, P2, P3, P4, P5)"),
    (dict(optimizations="direct,turbo"), "unknown optimization 'turbo'"),
    (dict(pin="sideways"), "pin='sideways': must be one of off, shared, split"),
    (dict(requests=0), "--requests must be > 0, got 0"),
    (dict(wait="spin"), "--wait spin applies to the lock-free queue only"),
    (dict(out="/nonexistent-dir/x.json"), "directory /nonexistent-dir does not exist"),
])
def test_bad_bench_options_are_config_errors_with_the_harness_message(options, message):
    with pytest.raises(fb.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        guest_app_handlers.app.bench(**options)


def test_an_unknown_handler_module_or_bad_route_is_a_config_error():
    app = fb.App()
    with pytest.raises(fb.ConfigError, match="no routes"):
        app.handle("GET", "/")
    app.get("/items/{id}")(guest_app_handlers.item)
    with pytest.raises(fb.ConfigError, match="has path parameters: give a concrete request= path"):
        app.bench(**SMALL)
    with pytest.raises(fb.ConfigError, match="kind must be one of"):
        app.get("/x", kind="quick")


def test_out_writes_the_document_atomically(tmp_path):
    out = tmp_path / "guest.json"
    results = guest_app_handlers.app.bench(**SMALL, out=str(out))
    assert json.loads(out.read_text()) == results.to_document()
    assert results.to_json() == out.read_text()
    assert os.listdir(tmp_path) == ["guest.json"]


def key_paths(value, prefix=""):
    """Every key path of a JSON document; list items merged, histograms' bucket keys left out."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}"
            paths.add(path)
            if key != "histogram":
                paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix + "[]")
    return paths


PLAIN_HANDLERS = """
def hello(request):
    return b"hello"

def boom(request):
    raise ValueError("boom on purpose")
"""


def test_the_document_has_runs_schema(tmp_path):
    (tmp_path / "plain_handlers.py").write_text(PLAIN_HANDLERS)
    scenario = tmp_path / "guest.toml"
    scenario.write_text(textwrap.dedent("""
        name = "guest"
        [[route]]
        method = "GET"
        path = "/hello"
        handler = "plain_handlers:hello"
        [[route]]
        method = "GET"
        path = "/boom"
        handler = "plain_handlers:boom"
    """))
    cli_out = tmp_path / "run.json"
    subprocess.run([_build_info.FASTERBENCH_EXE, "run", "--scenario", str(scenario), "--requests", "300",
                    "--warmup", "100", "--phase", "P1", "--out", str(cli_out), "--no-progress"],
                   check=True, capture_output=True, timeout=120)
    sys.path.insert(0, str(tmp_path))
    try:
        import plain_handlers
    finally:
        sys.path.remove(str(tmp_path))
    app = fb.App(optimizations="P1")
    app.get("/hello")(plain_handlers.hello)
    app.get("/boom")(plain_handlers.boom)
    guest = app.bench(**SMALL).to_document()
    host = json.loads(cli_out.read_text())
    assert key_paths(guest) == key_paths(host)
    assert (host["context"]["python"]["mode"], guest["context"]["python"]["mode"]) == ("embedded", "guest")
    assert [r["handler"] for r in guest["routes"]] == [r["handler"] for r in host["routes"]]


INTERRUPTED_CHILD = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {here!r})
    import guest_app_handlers
    app = guest_app_handlers.app
    threads = len(os.listdir("/proc/self/task"))
    print("ready", flush=True)
    started = time.monotonic()
    try:
        app.bench(requests=100_000_000, warmup=10, phase={phase!r}, workers=2, clients=2)
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.monotonic() - started), flush=True)
    print("threads", len(os.listdir("/proc/self/task")) - threads, flush=True)
""")


@pytest.mark.parametrize("phase", ["P0", "P4"])
def test_ctrl_c_stops_a_bench_within_a_second_and_leaves_no_thread(phase):
    if fb.unavailable_reason(phase):
        pytest.skip(fb.unavailable_reason(phase))
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED_CHILD.format(here=HERE, phase=phase)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "ready\n"
    time.sleep(1.5)  # well into the measured part
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline()
    elapsed = time.monotonic() - sent
    # Not communicate(): it reads the pipe itself and would miss what readline() buffered.
    child.wait(timeout=30)  # the output is a few lines: no pipe fills up
    out, err = child.stdout.read(), child.stderr.read()
    shown = f"exit status {child.returncode}; stdout: {line + out!r}; stderr: {err[-2000:]}"
    assert line.startswith("interrupted after"), shown
    assert elapsed < 1.0, f"bench took {elapsed:.2f} s to stop after SIGINT; {shown}"
    assert "threads 0" in out, shown
    assert child.returncode == 0, shown
