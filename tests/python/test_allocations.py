"""Allocation accounting in `fasterbench run` results (C++ operator new, per stage)."""

import json

import pytest

from reports.model import STAGES

SMALL = ["--requests", "2000", "--warmup", "200", "--no-progress"]


def run(fasterbench, tmp_path, *args):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, *args, "--out", out)
    assert p.returncode == 0, p.stderr
    return p, json.loads(out.read_text())


def test_allocations_are_counted_per_stage(fasterbench, tmp_path):
    p, doc = run(fasterbench, tmp_path)
    assert doc["context"]["allocator"] == "C++ operator new only"
    assert "allocations/request (C++ operator new only)" in p.stdout
    r = doc["runs"][0]
    assert r["allocations_per_request"] >= 1.0  # at least the baseline's heap future
    assert r["allocated_bytes_per_request"] > 0
    per_stage = {s: r["stages"][s]["allocations_per_request"] for s in STAGES}
    assert per_stage["total"] == pytest.approx(r["allocations_per_request"])
    assert sum(per_stage[s] for s in STAGES if s != "total") == pytest.approx(per_stage["total"])
    # The baseline future is one make_shared per request, nothing else in that stage.
    assert per_stage["future"] == pytest.approx(1.0)
    assert per_stage["route"] == 0


def test_inline_future_allocates_nothing_in_the_future_stage(fasterbench, tmp_path):
    _, doc = run(fasterbench, tmp_path, "--opt", "inline-future", "--future-spin-ns", "5000")
    r = doc["runs"][0]
    assert r["opts"] == ["inline-future"]
    assert r["errors"] == 0
    assert r["stages"]["future"]["allocations_per_request"] == 0
    assert r["stages"]["future"]["count"] == 2000
    assert doc["config"]["future_spin_ns"] == 5000
    # hello: nothing else allocates per request but the baseline queue's deque nodes.
    assert r["allocations_per_request"] < 0.05


def test_future_spin_must_be_sane(fasterbench, tmp_path):
    out = tmp_path / "never.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--future-spin-ns", "-1", "--out", out)
    assert p.returncode == 2
    assert "--future-spin-ns must be in [0, 10000000]" in p.stderr
