"""`--opt fast-marshal` and phase P5 through the CLI: results, allocations, the call floor."""

import json

SMALL = ["--requests", "3000", "--warmup", "300", "--no-progress"]


def run(fasterbench, tmp_path, scenario, *args):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", scenario, *SMALL, *args, "--out", out)
    assert p.returncode == 0, p.stderr
    return p, json.loads(out.read_text())


def test_p5_is_p4_plus_fast_marshal_and_allocates_nothing_on_the_direct_path(fasterbench, tmp_path):
    p, doc = run(fasterbench, tmp_path, "scenarios/hello.toml", "--phase", "P5")
    r = doc["runs"][0]
    assert r["phase"] == "P5"
    assert r["opts"] == ["direct", "lockfree", "subinterp", "inline-future", "fast-marshal"]
    assert r["errors"] == 0
    assert doc["context"]["options"]["FASTERBENCH_OPT_FAST_MARSHAL"] is True
    # hello on the direct path: the recycled request object, a bytes body that fits the
    # string's inline buffer: no C++ allocation in any request.
    assert r["stages"]["dispatch"]["count"] == 0
    assert r["allocations_per_request"] == 0
    # The floor is measured in the same process, and the console sets the total beside it.
    assert r["call_floor_ns"] > 0
    assert "attach + call + detach floor" in p.stdout and "total / floor" in p.stdout


def test_json_results_cost_one_allocation_at_most(fasterbench, tmp_path):
    """The /items/{id} body (~60 bytes) is copied once into the response (one allocation, the
    string outgrows its inline buffer); without fast-marshal the encoder grows it step by step."""
    _, fast = run(fasterbench, tmp_path, "scenarios/items.toml", "--opt", "direct,fast-marshal")
    _, base = run(fasterbench, tmp_path, "scenarios/items.toml", "--opt", "direct")
    assert fast["runs"][0]["errors"] == 0 and base["runs"][0]["errors"] == 0
    assert fast["runs"][0]["stages"]["marshal"]["allocations_per_request"] == 1
    assert base["runs"][0]["stages"]["marshal"]["allocations_per_request"] > 1


def test_fast_marshal_alone_runs_on_the_executor(fasterbench, tmp_path):
    _, doc = run(fasterbench, tmp_path, "scenarios/mixed.toml", "--opt", "fast-marshal")
    r = doc["runs"][0]
    assert r["config"] == "fast-marshal" and r["phase"] is None
    assert r["errors"] == 0  # hello, the JSON item, the blocking and the async handler


def test_phases_measures_p5_by_default_and_prints_the_floor(fasterbench, tmp_path):
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", "scenarios/hello.toml", "--repetitions", "1", *SMALL,
                    "--no-report", "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "results.json").read_text())
    # (phases also measures each configuration with its end points only, as "<config>/ends")
    assert [a["config"] for a in doc["aggregates"] if "/" not in a["config"]] == ["P0", "P1", "P2", "P3", "P4", "P5"]
    assert all(r["call_floor_ns"] > 0 for r in doc["runs"] if r["supported"])
    assert "total / floor" in p.stdout


def test_unknown_phase_lists_p5(fasterbench, tmp_path):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--phase", "P6", "--out", tmp_path / "x.json")
    assert p.returncode == 2
    assert "accepted: P0, P1, P2, P3, P4, P5" in p.stderr
    assert not (tmp_path / "x.json").exists()
