"""`fasterbench run`: the results contract, and bad input failing cleanly."""

import json

import pytest

from reports.model import FRONT_END_STAGES, PIPELINE_STAGES, STAGES

SMALL = ["--requests", "3000", "--warmup", "300", "--no-progress"]


def test_run_writes_contract_json(fasterbench, tmp_path):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--repetitions", "2",
                    "--out", out)
    assert p.returncode == 0, p.stderr
    assert "closure:" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == 1
    for key in ["host", "cpu_model", "cpus", "kernel", "python", "compiler", "build_type",
                "options", "git_revision", "date", "steal_pct"]:
        assert key in doc["context"], key
    assert set(doc["context"]["python"]) >= {"version", "executable"}
    assert doc["scenario"]["name"] == "hello"
    assert doc["routes"][0]["handler"] == "handlers.basic:hello"
    assert len(doc["runs"]) == 2
    for run in doc["runs"]:
        assert run["phase"] == "P0" and run["opts"] == []
        assert run["requests"] == 3000
        assert run["errors"] == 0
        assert run["throughput_rps"] > 0
        assert set(run["stages"]) == set(STAGES)
        # The HTTP front end's stages are there, empty: an in-process run has no socket.
        assert all(run["stages"][name]["count"] == 0 for name in FRONT_END_STAGES)
        for name in PIPELINE_STAGES:
            stage = run["stages"][name]
            for key in ["count", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns",
                        "histogram"]:
                assert key in stage, (name, key)
            assert stage["count"] == 3000
            assert stage["p50_ns"] <= stage["p90_ns"] <= stage["p99_ns"] <= stage["p999_ns"] <= stage["max_ns"]
            assert sum(c for _, c in stage["histogram"]["buckets"]) == stage["count"]
        for name in ["dispatch", "gil", "handler", "future", "total"]:
            assert run["stages"][name]["p50_ns"] > 0, name
        assert run["probes"]["backend"] == "inproc"
        assert run["probes"]["stamp_cost_ns"] > 0
    assert doc["aggregates"][0]["config"] == "P0"
    assert doc["aggregates"][0]["stages"]["total"]["p50_ns"]["n"] == 2


def test_mixed_scenario_counts_every_route(fasterbench, tmp_path):
    out = tmp_path / "m.json"
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--requests", "2000", "--warmup", "100",
                    "--no-progress", "--out", out)
    assert p.returncode == 0, p.stderr
    run = json.loads(out.read_text())["runs"][0]
    assert run["errors"] == 0
    assert all(n > 0 for n in run["per_route_requests"]), run["per_route_requests"]


@pytest.mark.parametrize("args, message", [
    (["--requests", "-5"], "--requests must be > 0"),
    (["--requests", "0"], "--requests must be > 0"),
    (["--clients", "0"], "--clients must be > 0"),
    (["--workers", "0"], "--workers must be > 0"),
    (["--phase", "P9"], "unknown phase 'P9'"),
    (["--opt", "turbo"], "unknown optimization 'turbo'"),
    (["--requests", "abc"], "requests"),
])
def test_bad_arguments_exit_2(fasterbench, tmp_path, args, message):
    out = tmp_path / "never.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *args, "--out", out, "--no-progress")
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert message in p.stderr
    assert not out.exists()


def test_missing_scenario_argument(fasterbench):
    p = fasterbench("run")
    assert p.returncode == 2
    assert "--scenario" in p.stderr


def test_no_subcommand_and_help(fasterbench):
    assert fasterbench().returncode == 2
    p = fasterbench("run", "--help")
    assert p.returncode == 0
    for flag in ["--scenario", "--phase", "--requests", "--warmup", "--clients", "--workers",
                 "--repetitions", "--seed", "--out"]:
        assert flag in p.stdout


def test_malformed_scenario_names_file_and_line(fasterbench, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[[route]]\npath = "/x"\nhandler = \n')
    out = tmp_path / "never.json"
    p = fasterbench("run", "--scenario", bad, "--out", out)
    assert p.returncode == 2
    assert f"{bad}:4" in p.stderr
    assert not out.exists()


def test_unknown_handler_names_scenario_route_and_exception(fasterbench, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\n\n[[route]]\npath = "/x"\nhandler = "no_such_mod:fn"\n')
    out = tmp_path / "never.json"
    p = fasterbench("run", "--scenario", scenario, "--requests", "10", "--out", out)
    assert p.returncode == 2, p.stderr
    assert f"{scenario}:3" in p.stderr
    assert "GET /x" in p.stderr
    assert "ModuleNotFoundError" in p.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [scenario]  # no temp file left either


def test_raising_handler_is_counted_and_run_goes_on(fasterbench, tmp_path):
    (tmp_path / "raiser.py").write_text("def boom(request):\n    raise KeyError('nope')\n"
                                        "def ok(request):\n    return 'ok'\n")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\n[[route]]\npath = "/b"\nhandler = "raiser:boom"\nweight = 1\n'
                        '[[route]]\npath = "/o"\nhandler = "raiser:ok"\nweight = 1\n')
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", scenario, "--requests", "400", "--warmup", "0",
                    "--no-progress", "--out", out)
    assert p.returncode == 0, p.stderr
    run = json.loads(out.read_text())["runs"][0]
    assert run["requests"] == 400
    assert run["errors"] == run["per_route_requests"][0] > 0


def test_unwritable_output_fails_before_running(fasterbench, tmp_path):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--out", tmp_path / "no" / "r.json")
    assert p.returncode == 2
    assert "does not exist" in p.stderr
