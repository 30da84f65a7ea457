"""`fasterbench sweep`: a tiny sweep writes sweep.json (a step per rate, the knee judged by the
harness), the latency-vs-throughput chart and sweep.md; bad --rates exit 2 with no output."""

import json
import subprocess
import sys

import pytest


def test_a_tiny_sweep_writes_steps_a_knee_and_the_chart(fasterbench, tmp_path, repo):
    out = tmp_path / "sweep"
    p = fasterbench("sweep", "--scenario", "scenarios/hello.toml", "--phases", "P1", "--rates", "1000,500",
                    "--duration", "0.5", "--warmup", "200", "--no-progress", "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "sweep.json").read_text())
    assert doc["schema"] == "fasterbench-sweep" and doc["schema_version"] == 1
    assert doc["rates"] == {"mode": "list", "requested": [500.0, 1000.0]}
    assert doc["rules"]["knee_p99_multiple"] == 3 and doc["rules"]["stop_p99_multiple"] == 10
    assert doc["generator_limit_rps"] > 1000
    (phase,) = doc["phases"]
    assert phase["phase"] == "P1" and phase["opts"] == ["direct"] and phase["supported"]
    steps = phase["steps"]
    # The first step never stops the climb: its p99 is the baseline.
    assert 1 <= len(steps) <= 2 and steps[0]["offered_rps"] == 500
    assert phase["baseline_p99_ns"] == steps[0]["p99_ns"] > 0
    for s in steps:
        assert 0 < s["p50_ns"] <= s["p99_ns"]
        assert s["achieved_rps"] > 0 and s["requests"] > 0
        assert s["little"] is not None and {"checked", "holds", "measured_in_system"} <= s["little"].keys()
        assert s["saturated"] == bool(s["saturated_by"])
    if len(steps) == 1:
        assert steps[0]["saturated"] and phase["stopped"] == "saturated"
    # The knee: the highest-rate unsaturated step with p99 within 3x the best unsaturated p99.
    unsaturated = [s for s in steps if not s["saturated"]]
    assert phase["best_p99_ns"] == (min(s["p99_ns"] for s in unsaturated) if unsaturated else None)
    expected = None
    for i, s in enumerate(steps):
        if s["saturated"]:
            break
        if s["p99_ns"] <= 3 * phase["best_p99_ns"]:
            expected = i
    assert (phase["knee"] or {}).get("step") == expected
    if expected is not None:
        assert phase["knee"]["achieved_rps"] == steps[expected]["achieved_rps"]
    # Console table, chart and markdown with the knee.
    assert "Saturation sweep" in p.stdout and "P1" in p.stdout and "Little's law" in p.stdout
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "sweep.md").read_text()
    assert "## Knee per phase" in md and "| P1 |" in md and "sweep.png" in md
    assert not [f for f in out.iterdir() if f.name.startswith(".")]  # the children's scratch is gone


@pytest.mark.parametrize("rates, message", [
    ("0", "not a rate > 0"),
    ("-500", "not a rate > 0"),
    ("1000,fast", "not a number"),
    ("1000,,2000", "empty item"),
    ("1000,1e12", "at most"),  # above what any generator here can offer
])
def test_bad_rates_exit_2_with_no_output(fasterbench, tmp_path, rates, message):
    out = tmp_path / "sweep"
    p = fasterbench("sweep", "--scenario", "scenarios/hello.toml", "--phases", "P1", f"--rates={rates}",
                    "--duration", "0.5", "--out", out)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert message in p.stderr
    assert not out.exists()
    assert p.stdout == ""


def test_the_report_refuses_a_document_that_is_not_a_sweep(tmp_path, repo):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "fasterbench-results"}))
    p = subprocess.run([sys.executable, "-m", "reports.sweep", str(bad), "--out", str(tmp_path / "o")], cwd=repo,
                       capture_output=True, text=True)
    assert p.returncode == 2 and "not a fasterbench sweep document" in p.stderr
    assert not (tmp_path / "o").exists()
