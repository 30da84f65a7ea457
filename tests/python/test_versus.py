"""`fasterbench versus`: short real runs (wrk, uvicorn, FastAPI from Debian's packages) checking
the document, the table and the report; a server that cannot start is reported, the others
are still measured."""

import json

import pytest

SHORT = ["--duration", "1", "--warmup", "1", "--repetitions", "2", "--connections", "4"]


def test_versus_measures_every_server_and_writes_json_table_and_report(fasterbench, tmp_path):
    out = tmp_path / "v"
    p = fasterbench("versus", "--scenario", "scenarios/mixed.toml", *SHORT, "--out", out, timeout=300)
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "versus.json").read_text())
    assert doc["schema"] == "fasterbench-versus" and doc["schema_version"] == 1
    assert doc["plan"]["low"] == 17 and doc["plan"]["high"] == 83
    names = [s["name"] for s in doc["servers"]]
    assert names[0] == "fasterbench P0" and names[1].startswith("fasterbench P")
    assert "FastAPI (uvicorn)" in names and "bare ASGI (uvicorn)" in names
    cpus = doc["config"]["server_cpus"]
    for s in doc["servers"]:
        assert s["started"], s["error"]
        assert s["error"] is None
        assert len(s["runs"]) == 2
        for r in s["runs"]:
            assert r["ok"] and r["requests"] > 0 and r["requests_per_s"] > 0
            assert r["errors"]["status"] == 0  # every route answered 2xx/3xx on every server
            assert 0 < r["latency_us"]["p50"] <= r["latency_us"]["p99"]
            assert r["cpu_s"] > 0
        summary = s["summary"]
        assert summary["requests_per_s"]["ci_low"] <= summary["requests_per_s"]["median"]
        ratio = summary["vs_fastapi"]["throughput"]
        assert ratio is not None and ratio["ci_low"] <= ratio["ratio"] <= ratio["ci_high"]
        if s["kind"] == "fasterbench":
            assert s["exit_status"] == 0 and s["stop_ms"] < 1000  # drained and exited on SIGTERM
    assert cpus == doc["config"]["server_cpus"]
    fastapi = next(s for s in doc["servers"] if s["kind"] == "fastapi")
    assert fastapi["summary"]["vs_fastapi"]["throughput"]["ratio"] == pytest.approx(1.0)
    assert "fastapi on uvicorn" in fastapi["banner"]
    # The table and the report.
    assert "× FastAPI req/s" in p.stdout and "17-83×" in p.stdout
    md = (out / "versus.md").read_text()
    assert "## The plan's claim" in md and "fasterbench P0" in md
    assert (out / "versus.png").stat().st_size > 10_000
    assert (out / "mix.lua").read_text().count("HTTP/1.1") == 4  # one pre-built request per route


def test_a_server_that_cannot_start_is_reported_and_the_others_measured(fasterbench, tmp_path):
    out = tmp_path / "v"
    # /bin/false exits at once: both ASGI servers fail to start.
    p = fasterbench("versus", "--scenario", "scenarios/hello.toml", *SHORT, "--phases", "P0",
                    "--asgi-python", "/bin/false", "--out", out, "--no-report", timeout=300)
    assert p.returncode == 0, p.stderr
    doc = json.loads((out / "versus.json").read_text())
    by_kind = {s["kind"]: s for s in doc["servers"]}
    assert by_kind["fastapi"]["started"] is False
    assert "exited with status 1 before answering" in by_kind["fastapi"]["error"]
    assert by_kind["fastapi"]["summary"] is None
    fb = by_kind["fasterbench"]
    assert fb["started"] and len(fb["runs"]) == 2
    assert fb["summary"]["vs_fastapi"]["throughput"] is None  # nothing to compare with
    assert "not measured, or failed" in p.stdout and "FastAPI (uvicorn)" in p.stdout


def test_versus_usage_errors(fasterbench, tmp_path):
    p = fasterbench("versus", "--scenario", "scenarios/hello.toml", "--servers", "nginx", "--out", tmp_path)
    assert p.returncode == 2 and "unknown server 'nginx'" in p.stderr
    p = fasterbench("versus", "--scenario", "scenarios/hello.toml", "--server-cpus", "4096", "--out", tmp_path)
    assert p.returncode == 2 and "--server-cpus" in p.stderr
    p = fasterbench("versus", "--scenario", "scenarios/hello.toml", "--phases", "P0,P7x", "--out", tmp_path)
    assert p.returncode == 2 and "unknown phase" in p.stderr
    p = fasterbench("versus", "--scenario", "scenarios/hello.toml", "--tool", "ab")
    assert p.returncode == 2


def test_versus_report_refuses_a_bad_document(tmp_path, repo):
    import subprocess
    bad = tmp_path / "v.json"
    bad.write_text(json.dumps({"schema": "fasterbench-versus", "schema_version": 1, "servers": []}))
    p = subprocess.run(["/usr/bin/python3", "-m", "reports.versus", str(bad), "--out", str(tmp_path / "o")],
                       cwd=repo, capture_output=True, text=True)
    assert p.returncode == 2
    assert "missing key" in p.stderr
    assert not (tmp_path / "o").exists()
