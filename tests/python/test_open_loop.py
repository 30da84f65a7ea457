"""`fasterbench run --rate` and `--replay`: the open loop's results contract, coordinated omission
corrected in the direction it predicts, replayed traces sent line for line at their pace, and bad
rates and traces failing cleanly (exit 2, no results file)."""

import json
import re
import subprocess
import sys

import pytest

QUICK = ["--warmup", "200", "--no-progress"]


def run_json(fasterbench, tmp_path, *args, name="r.json"):
    out = tmp_path / name
    p = fasterbench("run", *args, *QUICK, "--out", out)
    assert p.returncode == 0, p.stderr
    return p, json.loads(out.read_text())


def test_open_loop_keeps_its_rate_and_records_every_route(fasterbench, tmp_path):
    p, doc = run_json(fasterbench, tmp_path, "--scenario", "scenarios/mixed.toml", "--phase", "P0",
                      "--rate", "2000", "--duration", "3")
    assert doc["config"]["load"] == "open"
    (run,) = doc["runs"]
    load = run["load"]
    assert load["mode"] == "open"
    # A Poisson schedule over 3 s: about 6,000 arrivals, each sent exactly once.
    assert 5400 < load["scheduled"] < 6600
    assert run["requests"] == load["scheduled"]
    assert load["achieved_rps"] == pytest.approx(load["offered_rps"], rel=0.02)
    assert load["saturated"] is False
    assert load["generator_limit"]["rps"] > load["offered_rps"]
    assert "load generator's limit" in p.stderr and "load generator's own limit" in p.stdout
    # Every measured request has a queue (intended -> arrive) and total includes it.
    stages = run["stages"]
    assert stages["queue"]["count"] == run["requests"] == stages["total"]["count"]
    assert run["uncorrected_total"]["count"] == run["requests"]
    assert stages["total"]["mean_ns"] >= run["uncorrected_total"]["mean_ns"]
    # Per route: the four routes of the mix, their requests adding up, each with its own stages.
    routes = run["routes"]
    assert [r["path"] for r in routes] == ["/hello", "/items/{id}", "/slow", "/async"]
    assert sum(r["requests"] for r in routes) == run["requests"]
    for r in routes:
        assert r["stages"]["total"]["count"] == r["requests"] > 0
    slow = routes[2]["stages"]["handler"]["p50_ns"]
    hello = routes[0]["stages"]["handler"]["p50_ns"]
    assert slow > 100_000 > hello  # the 200 µs sleep is in /slow's handler only
    assert "per route" in p.stdout


def test_closed_loop_results_say_so(fasterbench, tmp_path):
    _, doc = run_json(fasterbench, tmp_path, "--scenario", "scenarios/hello.toml", "--requests", "2000")
    (run,) = doc["runs"]
    assert run["load"]["mode"] == "closed" and run["load"]["offered_rps"] is None
    assert run["uncorrected_total"] is None
    assert run["stages"]["queue"]["count"] == 0
    assert len(run["routes"]) == 1 and run["routes"][0]["requests"] == 2000


def test_a_stall_shows_in_the_corrected_tail_not_the_uncorrected(fasterbench, tmp_path):
    # One sender at 1,000 req/s; 1 request in 200 stalls 8 ms in its handler. The stall itself is
    # 0.5 % of requests (under p99 either way); the open loop also times the ~7 requests due
    # during it from their intended times, which lifts the corrected p99 to milliseconds while
    # the uncorrected p99 (from the actual send) stays a normal request's.
    _, doc = run_json(fasterbench, tmp_path, "--scenario", "scenarios/hello.toml", "--rate", "1000",
                      "--arrival", "constant", "--duration", "3", "--clients", "1", "--workers", "1",
                      "--inject-delay", "handler=8000000/200")
    (run,) = doc["runs"]
    corrected = run["stages"]["total"]["p99_ns"]
    uncorrected = run["uncorrected_total"]["p99_ns"]
    assert corrected >= 3_000_000, (corrected, uncorrected)
    assert corrected > 1.5 * uncorrected, (corrected, uncorrected)
    assert run["stages"]["queue"]["p99_ns"] >= 1_000_000
    assert run["load"]["late_sends"] > 0 and run["load"]["max_lag_ns"] >= 5_000_000
    assert doc["config"]["inject_delay"]["every"] == 200


@pytest.mark.parametrize("args, message", [
    (["--rate", "0"], "--rate must be > 0"),
    (["--rate", "-5"], "--rate must be > 0"),
    (["--rate", "abc"], "--rate must be a number"),
    (["--rate", "5e7", "--requests", "1000"], "above what the load generator sustains here"),
    (["--duration", "2"], "--duration applies to an open loop"),
    (["--rate", "100", "--duration", "1", "--requests", "50"], "not both"),
    (["--rate", "100", "--speed", "2"], "--speed applies to a replay"),
    (["--replay", "scenarios/traces/replay.log", "--rate", "100", "--speed", "2"], "not both"),
    (["--replay", "no/such/trace.log"], "cannot open the trace"),
])
def test_bad_rates_and_options_exit_2_without_results(fasterbench, tmp_path, args, message):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *args, *QUICK, "--out", out)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert message in p.stderr
    assert not out.exists()


def matched_lines(path, fmt):
    """Lines of a shipped trace the replay scenario's routes and map rules match, counted here
    independently of the harness."""
    routes = [("GET", r"/hello"), ("GET", r"/items/[^/]+"), ("POST", r"/items/[^/]+"), ("GET", r"/slow"),
              ("GET", r"/async"), (None, r"/v1/hello.*"), ("GET", r"/products/[0-9]+")]
    n = 0
    for line in path.read_text().splitlines():
        if fmt == "jsonl":
            rec = json.loads(line)
            method, target = rec["method"], rec["path"]
        else:
            m = re.search(r'\] "(\S+) (\S+) HTTP/1\.1"', line)
            if not m:
                continue
            method, target = m.groups()
        path_only = target.split("?")[0]
        n += any((want is None or want == method) and re.fullmatch(rx, path_only) for want, rx in routes)
    return n


@pytest.mark.parametrize("trace, fmt", [("replay.jsonl", "jsonl"), ("replay.log", "combined")])
def test_shipped_traces_replay_every_matched_line_once_at_their_pace(fasterbench, tmp_path, repo, trace, fmt):
    path = repo / "scenarios" / "traces" / trace
    p, doc = run_json(fasterbench, tmp_path, "--scenario", "scenarios/replay.toml", "--replay", path,
                      "--replay-format", fmt)
    (run,) = doc["runs"]
    rep = run["replay"]
    expected = matched_lines(path, fmt)
    assert rep["requests"] == expected == run["requests"] == run["load"]["scheduled"]
    assert rep["routed"] + rep["mapped"] == expected and rep["mapped"] > 0
    assert rep["unmatched"]["count"] > 0 and rep["unmatched"]["top"][0]["count"] >= 1
    assert rep["lines"] == len(path.read_text().splitlines())
    assert rep["lines"] == rep["requests"] + rep["unmatched"]["count"] + rep["malformed"]["count"] + rep["blank"]
    if fmt == "combined":
        # The shipped log has TLS handshakes and empty request lines: malformed, with line numbers.
        assert rep["malformed"]["count"] > 0
        assert all(m["line"] > 0 and m["reason"] for m in rep["malformed"]["first"])
        assert f"malformed {path}:" in p.stdout
    # At the recorded pace: the run takes the trace's span, its rate the trace's rate.
    load = run["load"]
    assert load["mode"] == "replay"
    assert load["achieved_rps"] == pytest.approx(load["offered_rps"], rel=0.05)
    assert run["duration_s"] == pytest.approx(load["window_s"], rel=0.05)
    assert "most frequent unmatched paths" in p.stdout


def test_strict_replay_names_the_first_bad_line_and_writes_nothing(fasterbench, tmp_path):
    trace = tmp_path / "bad.jsonl"
    trace.write_text('{"t": 0, "path": "/hello"}\n{"t": 0.1, "path": "/hello"}\n{"t": oops}\n')
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--replay", trace, "--strict", *QUICK,
                    "--out", out)
    assert p.returncode == 2
    assert f"{trace}:3: not JSON" in p.stderr
    assert not out.exists()
    # Without --strict the same line is counted, and the two good ones are sent.
    _, doc = run_json(fasterbench, tmp_path, "--scenario", "scenarios/hello.toml", "--replay", trace)
    assert doc["runs"][0]["requests"] == 2
    assert doc["runs"][0]["replay"]["malformed"] == {"count": 1, "first": [{"line": 3, "reason": "not JSON (byte 7)"}]}


def test_ten_thousand_line_access_log_replays_fast(fasterbench, tmp_path, repo):
    log = tmp_path / "big.log"
    subprocess.run([sys.executable, repo / "scenarios" / "traces" / "make_traces.py", "--format", "combined",
                    "--lines", "10000", "--seconds", "600", "--seed", "3", "--out", log], check=True)
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/replay.toml", "--replay", log, "--speed", "100",
                    *QUICK, "--out", out, timeout=60)
    assert p.returncode == 0, p.stderr
    rep = json.loads(out.read_text())["runs"][0]["replay"]
    assert rep["lines"] == 10000
    assert rep["requests"] == matched_lines(log, "combined")
    assert rep["requests"] + rep["unmatched"]["count"] + rep["malformed"]["count"] == 10000


def test_phases_forwards_the_open_loop_and_reports_load_and_routes(fasterbench, tmp_path):
    out = tmp_path / "ph"
    p = fasterbench("phases", "--scenario", "scenarios/mixed.toml", "--phases", "P0,P1", "--repetitions", "1",
                    "--rate", "1000", "--duration", "1", "--no-instrumentation-tax", *QUICK, "--out", out)
    assert p.returncode == 0, p.stderr
    assert "load generator's limit" in p.stderr
    doc = json.loads((out / "results.json").read_text())
    for run in doc["runs"]:
        assert run["load"]["mode"] == "open" and run["stages"]["queue"]["count"] == run["requests"]
    for a in doc["aggregates"]:
        assert a["load"]["mode"] == "open" and a["load"]["saturated_repetitions"] in (0, 1)
        assert [r["path"] for r in a["routes"]] == ["/hello", "/items/{id}", "/slow", "/async"]
        assert sum(r["share"] for r in a["routes"]) == pytest.approx(1.0)
    assert "P0 per route" in p.stdout and "open load: offered" in p.stdout
    report = (out / "report.md").read_text()
    assert "## Load" in report and "## Per-route breakdown" in report and "GET /slow" in report
    assert (out / "routes.png").exists()
