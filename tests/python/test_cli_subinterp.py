"""`--opt subinterp` (optimization #3): own-GIL sub-interpreters through the CLI.

Skipped, with the reason fasterbench gives, when the build or its Python cannot do it."""

import json

import pytest

SMALL = ["--requests", "2000", "--warmup", "200", "--no-progress"]
OWN = "own (one per Python-running thread)"


@pytest.fixture(scope="module")
def subinterp(fasterbench):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--opt", "subinterp",
                    "--requests", "10", "--warmup", "0", "--workers", "1", "--no-progress")
    if p.returncode == 2 and "is not available" in p.stderr:
        pytest.skip(p.stderr.strip())
    assert p.returncode == 0, p.stderr
    return fasterbench


def fixture_scenario(tmp_path, repo, routes, extra=""):
    """A scenario whose handlers come from tests/fixtures/python."""
    text = f'name = "s"\npython_path = ["{repo / "tests" / "fixtures" / "python"}"]\n{extra}\n'
    for path, handler, weight in routes:
        text += f'[[route]]\npath = "{path}"\nhandler = "{handler}"\nweight = {weight}\n\n'
    scenario = tmp_path / "s.toml"
    scenario.write_text(text)
    return scenario


def test_mixed_under_subinterp_serves_every_route_from_per_worker_interpreters(subinterp, tmp_path):
    out = tmp_path / "m.json"
    p = subinterp("run", "--scenario", "scenarios/mixed.toml", "--opt", "subinterp", "--workers", "2",
                  *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert run["opts"] == ["subinterp"]
    assert run["errors"] == 0 and run["client_errors"] == 0
    assert len(run["per_route_requests"]) == 4
    assert all(n > 0 for n in run["per_route_requests"]), run["per_route_requests"]  # async route too
    assert run["interpreter_layout"] == "own-gil"
    interpreters = run["interpreters"]
    assert sorted(i["thread"] for i in interpreters) == ["worker 0", "worker 1"]
    ids = {i["interpreter_id"] for i in interpreters}
    assert len(ids) == 2 and 0 not in ids
    for i in interpreters:
        assert i["startup_ms"] > 0
    # One start may reuse pages another freed; together they grew the process.
    assert sum(i["memory_kb"] for i in interpreters) > 0
    assert [r["interpreter"] for r in doc["routes"]] == [OWN] * 4
    assert run["route_interpreters"] == [OWN] * 4
    assert doc["config"]["subinterp_fallback"] == "fail"
    assert "interpreter" in p.stdout and "worker 1" in p.stdout


def test_shared_gil_run_reports_main(fasterbench, tmp_path):
    out = tmp_path / "h.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["routes"][0]["interpreter"] == "main"
    assert doc["runs"][0]["interpreter_layout"] == "shared-gil"
    assert doc["runs"][0]["interpreters"] == []


def test_exceptions_are_500s_inside_subinterpreters(subinterp, tmp_path, repo):
    scenario = fixture_scenario(tmp_path, repo, [("/hello", "fb_test_handlers:hello", 3),
                                                 ("/boom", "fb_test_handlers:boom", 1),
                                                 ("/async", "fb_test_handlers:async_value", 1)])
    out = tmp_path / "r.json"
    p = subinterp("run", "--scenario", scenario, "--opt", "subinterp", "--workers", "2", "--clients", "2",
                  *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    run = json.loads(out.read_text())["runs"][0]
    assert run["errors"] == run["per_route_requests"][1] > 0
    assert run["requests"] == 2000


def test_incompatible_import_fails_naming_route_and_module(subinterp, tmp_path, repo):
    scenario = fixture_scenario(tmp_path, repo, [("/hello", "fb_test_handlers:hello", 1),
                                                 ("/rl", "fb_single_phase_import:handler", 1)])
    out = tmp_path / "never.json"
    p = subinterp("run", "--scenario", scenario, "--opt", "subinterp", *SMALL, "--out", out)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert f"{scenario}:" in p.stderr
    assert "GET /rl" in p.stderr
    assert "fb_single_phase_import:handler" in p.stderr
    assert "module readline does not support loading in subinterpreters" in p.stderr
    assert "--subinterp-fallback main" in p.stderr
    assert not out.exists()
    # The same scenario is fine under the shared GIL.
    p = subinterp("run", "--scenario", scenario, *SMALL)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("how", ["cli", "scenario"])
def test_fallback_main_runs_the_route_in_the_main_interpreter(subinterp, tmp_path, repo, how):
    extra = 'subinterp_fallback = "main"' if how == "scenario" else ""
    scenario = fixture_scenario(tmp_path, repo, [("/hello", "fb_test_handlers:hello", 1),
                                                 ("/rl", "fb_single_phase_import:handler", 1)], extra)
    args = ["--subinterp-fallback", "main"] if how == "cli" else []
    out = tmp_path / "r.json"
    p = subinterp("run", "--scenario", scenario, "--opt", "subinterp", "--workers", "2", *args, *SMALL,
                  "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["routes"][0]["interpreter"] == OWN
    assert doc["routes"][1]["interpreter"].startswith(
        "main (fallback: ImportError: module readline does not support loading in subinterpreters")
    assert doc["config"]["subinterp_fallback"] == "main"
    run = doc["runs"][0]
    assert run["errors"] == 0 and all(n > 0 for n in run["per_route_requests"])
    assert "route GET /rl runs in the main (fallback:" in p.stdout


def test_bad_fallback_values_exit_2(fasterbench, tmp_path, repo):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--subinterp-fallback", "maybe", *SMALL)
    assert p.returncode == 2
    assert "--subinterp-fallback" in p.stderr
    scenario = fixture_scenario(tmp_path, repo, [("/hello", "fb_test_handlers:hello", 1)],
                                'subinterp_fallback = "sometimes"')
    p = fasterbench("run", "--scenario", scenario, *SMALL)
    assert p.returncode == 2
    assert f"{scenario}:3" in p.stderr and "subinterp_fallback" in p.stderr


def test_mixed_under_p3_runs_fast_routes_in_callers_own_interpreters(subinterp, tmp_path):
    # P3 = direct + lockfree + subinterp: the two SYNC_FAST routes run on the calling threads,
    # each in an interpreter of its own; the blocking and async routes on the workers'.
    out = tmp_path / "p3.json"
    p = subinterp("run", "--scenario", "scenarios/mixed.toml", "--phase", "P3", "--workers", "2",
                  "--clients", "2", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert run["errors"] == 0 and run["client_errors"] == 0
    assert all(n > 0 for n in run["per_route_requests"]), run["per_route_requests"]
    threads = sorted(i["thread"] for i in run["interpreters"])
    assert [t for t in threads if t.startswith("worker")] == ["worker 0", "worker 1"]
    assert len([t for t in threads if t.startswith("caller")]) == 2, threads
    assert len({i["interpreter_id"] for i in run["interpreters"]}) == 4
    assert [r["kind"] for r in doc["routes"]] == ["SYNC_FAST", "SYNC_FAST", "SYNC_BLOCKING", "ASYNC"]
