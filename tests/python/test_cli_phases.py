"""`fasterbench phases` and `fasterbench report`: merged results, interleaving, report files."""

import json
import re

TINY = ["--requests", "1500", "--warmup", "100", "--no-progress"]


def test_phases_merges_interleaved_runs_and_writes_report(fasterbench, tmp_path):
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", "scenarios/hello.toml", "--phases", "P0,P3",
                    "--repetitions", "2", *TINY, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["tool"]["command"] == "phases"
    assert doc["config"]["repetitions"] == 2
    p0 = [r for r in doc["runs"] if r["config"] == "P0"]
    assert [r["repetition"] for r in p0] == [0, 1]
    assert all(r["supported"] and r["requests"] == 1500 for r in p0)
    p3 = [r for r in doc["runs"] if r["config"] == "P3"]
    if not p3[0]["supported"]:
        assert p3[0]["unsupported_reason"]
        assert "P3" in p.stdout and "unsupported" in p.stdout
    # The progress lines show the interleaved order: P0 r1, P3 r1, then their instrumentation-tax
    # twins (stamped at the ends only), and again for r2.
    order = [m.group(1) for m in re.finditer(r"^\[\s*\d+/\d+\] (\S+)", p.stderr, re.M)]
    supported = [c for c in ["P0", "P3"] if any(r["supported"] for r in doc["runs"] if r["config"] == c)]
    twins = [c + "/ends" for c in supported]
    assert order == (supported + twins) * 2
    assert [a["config"] for a in doc["aggregates"]] == ["P0", "P3"] + twins
    assert [t["config"] for t in doc["instrumentation_tax"]] == supported
    assert all(r["stamps"] == "ends" and r["phase"] is None for r in doc["runs"] if r["config"] in twins)
    for name in ["report.md", "report.html", "waterfall.png", "stages.png", "percentiles.png"]:
        assert (out / name).exists(), name
    assert not [f for f in out.iterdir() if f.name.startswith(".runs")]  # scratch removed
    assert f"report: {out}/report.html" in p.stdout


def test_report_regenerates(fasterbench, tmp_path):
    out = tmp_path / "out"
    assert fasterbench("phases", "--scenario", "scenarios/hello.toml", "--phases", "P0",
                       "--repetitions", "1", *TINY, "--out", out, "--no-report").returncode == 0
    assert not (out / "report.html").exists()
    rep = tmp_path / "rep"
    p = fasterbench("report", out / "results.json", "--out", rep)
    assert p.returncode == 0, p.stderr
    assert (rep / "report.html").exists()


def test_report_of_corrupt_results_exits_2(fasterbench, tmp_path):
    bad = tmp_path / "results.json"
    bad.write_text('{"schema_version": 1, "runs": [')
    rep = tmp_path / "rep"
    p = fasterbench("report", bad, "--out", rep)
    assert p.returncode == 2
    assert not rep.exists()
    assert fasterbench("report", tmp_path / "missing.json").returncode == 2


def test_phases_bad_phase_exits_2_and_writes_nothing(fasterbench, tmp_path):
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", "scenarios/hello.toml", "--phases", "P0,P8", "--out", out)
    assert p.returncode == 2
    assert "unknown phase 'P8'" in p.stderr
    assert not out.exists()


def test_phases_failing_handler_import_exits_2_without_results(fasterbench, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\n[[route]]\npath = "/x"\nhandler = "nowhere_mod:f"\n')
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", scenario, "--phases", "P0", *TINY, "--out", out)
    assert p.returncode == 2
    assert "ModuleNotFoundError" in p.stderr
    assert not out.exists()
