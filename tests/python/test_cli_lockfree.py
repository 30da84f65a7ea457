"""`fasterbench run --opt lockfree` and `--wait`: optimization #2 through the CLI."""

import json

import pytest

SMALL = ["--requests", "2000", "--warmup", "200", "--no-progress"]


@pytest.mark.parametrize("wait", ["spin", "yield", "park", "adaptive", None])
def test_lockfree_run_records_its_wait_policy(fasterbench, tmp_path, wait):
    out = tmp_path / "lf.json"
    extra = [] if wait is None else ["--wait", wait]
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--opt", "lockfree", *extra, *SMALL,
                    "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["config"]["wait"] == (wait or "adaptive")
    run = doc["runs"][0]
    assert run["opts"] == ["lockfree"]
    assert run["errors"] == 0
    assert run["stages"]["dispatch"]["count"] == 2000
    assert run["stages"]["dispatch"]["p50_ns"] > 0


def test_wait_without_lockfree_is_a_usage_error(fasterbench, tmp_path):
    out = tmp_path / "never.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--wait", "spin", *SMALL, "--out", out)
    assert p.returncode == 2
    assert "--wait spin applies to the lock-free queue only" in p.stderr
    assert not out.exists()


def test_unknown_wait_policy_is_a_usage_error(fasterbench):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--opt", "lockfree", "--wait", "busy", *SMALL)
    assert p.returncode == 2
    assert "--wait" in p.stderr


def test_help_documents_wait(fasterbench):
    p = fasterbench("run", "--help")
    assert p.returncode == 0
    assert "--wait" in p.stdout
    for policy in ["spin", "yield", "park", "adaptive"]:
        assert policy in p.stdout


def test_run_records_wait_per_run(fasterbench, tmp_path):
    out = tmp_path / "p0.json"
    assert fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--out", out).returncode == 0
    assert json.loads(out.read_text())["runs"][0]["wait"] is None  # the mutex queue has no policy


def test_phases_passes_wait_to_lockfree_configurations(fasterbench, tmp_path):
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", "scenarios/hello.toml", "--phases", "P0", "--ablation",
                    "--repetitions", "1", "--wait", "park", *SMALL, "--out", out, "--no-report")
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["config"]["wait"] == "park"
    by_config = {r["config"]: r for r in doc["runs"] if r["supported"]}
    assert by_config["P0"]["wait"] is None
    assert by_config["lockfree"]["wait"] == "park"
