"""Optimization #1 through the CLI: classification (--explain-routes, results routes[]), the
direct path's stage counts, the demotion guard and the scenario override."""

import json

import pytest

SMALL = ["--requests", "2000", "--warmup", "200", "--no-progress"]

MIXED_KINDS = {
    "/hello": ("SYNC_FAST", "no blocking API"),
    "/items/{id}": ("SYNC_FAST", "no blocking API"),
    "/slow": ("SYNC_BLOCKING", "time.sleep"),
    "/async": ("ASYNC", "async def"),
}


def explain(fasterbench, *args):
    p = fasterbench("run", "--explain-routes", *args)
    assert p.returncode == 0, p.stderr
    rows = {}
    lines = p.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("method"))
    for line in lines[header + 1:]:
        method, path, handler, kind, rest = line.split(None, 4)
        rows[path] = (method, handler, kind, rest)
    return p, rows


def test_explain_routes_classifies_mixed_and_exits(fasterbench, tmp_path):
    out = tmp_path / "never.json"
    p, rows = explain(fasterbench, "--scenario", "scenarios/mixed.toml", "--phase", "P1", "--out", out)
    assert set(rows) == set(MIXED_KINDS)
    for path, (kind, reason) in MIXED_KINDS.items():
        assert rows[path][2] == kind, rows[path]
        assert reason in rows[path][3], rows[path]
    assert rows["/hello"][3].startswith("calling thread")  # under P1
    assert rows["/slow"][3].startswith("executor")
    assert rows["/async"][3].startswith("worker event loop")
    assert "closure:" not in p.stdout  # nothing was measured
    assert not out.exists()


def test_explain_routes_without_direct_says_executor(fasterbench):
    _, rows = explain(fasterbench, "--scenario", "scenarios/hello.toml")
    assert rows["/hello"][2] == "SYNC_FAST"
    assert rows["/hello"][3].startswith("executor")


def test_results_routes_carry_kind_and_reason(fasterbench, tmp_path):
    out = tmp_path / "m.json"
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    for route in doc["routes"]:
        kind, reason = MIXED_KINDS[route["path"]]
        assert route["kind"] == kind
        assert reason in route["reason"]
        assert route["demotions"] == 0
    assert doc["config"]["demotion"] == {"budget_ns": 200000, "after": 3}
    assert "SYNC_BLOCKING" in p.stdout  # the routes block of the summary


def stages(doc):
    return doc["runs"][0]["stages"]


def test_p1_hello_has_no_dispatch_and_no_future(fasterbench, tmp_path):
    docs = {}
    for phase in ["P0", "P1"]:
        out = tmp_path / f"{phase}.json"
        p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--phase", phase, *SMALL, "--out", out)
        assert p.returncode == 0, p.stderr
        docs[phase] = json.loads(out.read_text())
    p1 = stages(docs["P1"])
    for name in ["dispatch", "future"]:
        assert p1[name]["count"] == 0, name
        assert p1[name]["p50_ns"] == 0, name
    for name in ["route", "gil", "marshal", "handler", "other", "total"]:
        assert p1[name]["count"] == 2000, name
    assert docs["P1"]["runs"][0]["opts"] == ["direct"]
    assert stages(docs["P0"])["dispatch"]["count"] == 2000
    assert docs["P1"]["runs"][0]["errors"] == 0


def test_p1_mixed_dispatches_only_blocking_and_async(fasterbench, tmp_path):
    out = tmp_path / "m.json"
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--phase", "P1", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    per_route = dict(zip([r["path"] for r in doc["routes"]], run["per_route_requests"]))
    assert run["errors"] == 0
    dispatched = per_route["/slow"] + per_route["/async"]
    assert run["stages"]["dispatch"]["count"] == dispatched
    assert run["stages"]["future"]["count"] == dispatched
    assert run["stages"]["total"]["count"] == 2000
    assert "leaves out stages only some requests went through" in p.stdout


BUSY = '''
import time

def busy(request):
    end = time.perf_counter() + 0.0005
    while time.perf_counter() < end:
        pass
    return b"busy"

def hello(request):
    return b"hi"

def gen(request):
    yield b"x"
'''


def scenario(tmp_path, routes):
    (tmp_path / "busy_handlers.py").write_text(BUSY)
    text = 'name = "busy"\n'
    for path, handler, extra in routes:
        text += f'[[route]]\npath = "{path}"\nhandler = "busy_handlers:{handler}"\n{extra}\n'
    f = tmp_path / "s.toml"
    f.write_text(text)
    return f


def test_demotion_is_counted_per_route_and_run(fasterbench, tmp_path):
    s = scenario(tmp_path, [("/busy", "busy", "weight = 1"), ("/hello", "hello", "weight = 1")])
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", s, "--phase", "P1", "--requests", "300", "--warmup", "0",
                    "--no-progress", "--demote-budget-us", "100", "--demote-after", "2",
                    "--repetitions", "2", "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    busy, hello = doc["routes"]
    assert busy["kind"] == "SYNC_FAST" and busy["demotions"] == 1
    assert hello["demotions"] == 0
    assert [r["demotions"] for r in doc["runs"]] == [1, 0]  # demoted once, stays demoted
    assert doc["config"]["demotion"] == {"budget_ns": 100000, "after": 2}
    # Demoted requests went through the executor.
    assert doc["runs"][1]["stages"]["dispatch"]["count"] == doc["runs"][1]["per_route_requests"][0]
    assert "demotions 1" in p.stdout


def test_no_demotion_without_direct(fasterbench, tmp_path):
    s = scenario(tmp_path, [("/busy", "busy", "")])
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", s, "--requests", "50", "--warmup", "0", "--no-progress",
                    "--demote-budget-us", "1", "--out", out)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["routes"][0]["demotions"] == 0


def test_scenario_override_wins_and_says_so(fasterbench, tmp_path):
    s = scenario(tmp_path, [("/hello", "hello", 'kind = "blocking"'), ("/busy", "busy", 'kind = "async"')])
    _, rows = explain(fasterbench, "--scenario", s, "--phase", "P1")
    assert rows["/hello"][2] == "SYNC_BLOCKING"
    assert rows["/hello"][3].startswith("executor")
    assert 'scenario override kind = "blocking"' in rows["/hello"][3]
    assert "classifier said SYNC_FAST" in rows["/hello"][3]
    assert rows["/busy"][2] == "ASYNC"
    # A sync handler forced to "async" still answers (it runs on the worker's loop).
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", s, "--phase", "P1", "--requests", "100", "--warmup", "0",
                    "--no-progress", "--out", out)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["runs"][0]["errors"] == 0


def test_generator_handler_is_rejected_naming_the_route(fasterbench, tmp_path):
    s = scenario(tmp_path, [("/gen", "gen", "")])
    p = fasterbench("run", "--scenario", s, "--requests", "10")
    assert p.returncode == 2
    assert f"{s}:2" in p.stderr
    assert "GET /gen" in p.stderr
    assert "generator function" in p.stderr


@pytest.mark.parametrize("args, message", [
    (["--demote-after", "0"], "--demote-after must be >= 1"),
    (["--demote-budget-us", "-1"], "--demote-budget-us must be >= 0"),
])
def test_bad_demotion_settings_exit_2(fasterbench, args, message):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *args, "--no-progress")
    assert p.returncode == 2
    assert message in p.stderr


def test_help_documents_the_new_flags(fasterbench):
    p = fasterbench("run", "--help")
    assert p.returncode == 0
    for flag in ["--explain-routes", "--demote-budget-us", "--demote-after"]:
        assert flag in p.stdout
    assert "exit without measuring" in p.stdout


def test_phases_sums_demotions_over_its_runs(fasterbench, tmp_path):
    s = scenario(tmp_path, [("/busy", "busy", "")])
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", s, "--phases", "P0,P1", "--repetitions", "2",
                    "--requests", "50", "--warmup", "0", "--no-progress", "--demote-after", "1",
                    "--demote-budget-us", "100", "--out", out, "--no-report")
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "results.json").read_text())
    by_config = {}
    for run in doc["runs"]:
        by_config.setdefault(run["config"], []).append(run["demotions"])
    # A fresh process (App) per run; the demotion guard works in the instrumentation-tax twins too.
    assert by_config == {"P0": [0, 0], "P1": [1, 1], "P0/ends": [0, 0], "P1/ends": [1, 1]}
    assert doc["routes"][0]["demotions"] == 4
    assert "demotions" in p.stdout
