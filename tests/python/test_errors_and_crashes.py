"""Errors a user can act on, crash isolation and interruption (`run` and `phases`).

Handlers are written next to a scenario in tmp_path (a scenario's folder is on sys.path)."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import REPO, _binary

TINY = ["--requests", "600", "--warmup", "50", "--no-progress"]

HANDLERS = '''
import os


def ok(request):
    return b"ok"


def always_fails(request):
    raise ValueError("the id was not found")


def every_tenth_fails(request):
    global _n
    _n = globals().get("_n", 0) + 1
    if _n % 10 == 0:
        raise KeyError("item")
    return b"ok"


def _in_subinterpreter():
    try:
        import _interpreters as interp
    except ImportError:
        import _xxsubinterpreters as interp
    current, main = interp.get_current(), interp.get_main()
    current = current[0] if isinstance(current, tuple) else current
    main = main[0] if isinstance(main, tuple) else main
    return int(current) != int(main)


def aborts_in_subinterpreter(request):
    if _in_subinterpreter():
        os.abort()
    return b"ok"
'''


def scenario(tmp_path, *routes):
    """A scenario over HANDLERS; routes: (path, function[, weight])."""
    (tmp_path / "fb_hardening_handlers.py").write_text(HANDLERS)
    text = 'name = "hardening"\n'
    for r in routes:
        text += f'[[route]]\npath = "{r[0]}"\nhandler = "fb_hardening_handlers:{r[1]}"\n'
        if len(r) > 2:
            text += f"weight = {r[2]}\n"
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def no_temporary_files(directory):
    return [p.name for p in directory.rglob("*") if ".tmp" in p.name]


# --- errors ------------------------------------------------------------------------------------

def test_run_names_each_routes_errors_and_exits_0_without_a_limit(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/ok", "ok", 1), ("/missing", "always_fails", 1))
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", s, *TINY, "--out", out)
    assert p.returncode == 0, p.stderr
    assert "GET /missing" in p.stdout
    assert "ValueError: the id was not found" in p.stdout
    assert "handler fb_hardening_handlers:always_fails" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["config"]["max_error_rate"] is None
    routes = doc["runs"][0]["routes"]
    assert [r["path"] for r in routes] == ["/ok", "/missing"]
    assert routes[0]["errors"] == {"count": 0, "messages": []}
    failing = routes[1]
    assert failing["requests"] > 0 and failing["errors"]["count"] == failing["requests"]
    assert failing["errors"]["messages"] == [{
        "type": "ValueError", "message": "the id was not found",
        "handler": "fb_hardening_handlers:always_fails", "count": failing["requests"]}]
    assert sum(r["requests"] for r in routes) == doc["runs"][0]["requests"]
    agg = doc["aggregates"][0]
    assert agg["error_rate"] == pytest.approx(failing["requests"] / doc["runs"][0]["requests"])
    assert agg["error_rate_exceeded"] is False
    assert agg["route_errors"][0]["path"] == "/missing"


def test_run_over_max_error_rate_exits_1_after_writing_results(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/flaky", "every_tenth_fails"))
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", s, *TINY, "--max-error-rate", "0.05", "--out", out)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "FAILED: too many errors" in p.stderr
    assert "KeyError: 'item'" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["aggregates"][0]["error_rate_exceeded"] is True
    assert doc["aggregates"][0]["error_rate"] == pytest.approx(0.1, abs=0.01)
    # The same run within a looser limit passes.
    p = fasterbench("run", "--scenario", s, *TINY, "--max-error-rate", "0.5")
    assert p.returncode == 0, p.stderr
    assert "within the limit of 50 %" in p.stdout


@pytest.mark.parametrize("value", ["1.5", "-1", "lots"])
def test_bad_max_error_rate_is_a_usage_error(fasterbench, tmp_path, value):
    s = scenario(tmp_path, ("/ok", "ok"))
    p = fasterbench("run", "--scenario", s, *TINY, "--max-error-rate", value)
    assert p.returncode == 2
    assert "--max-error-rate" in p.stderr


def test_phases_fails_a_configuration_over_the_default_limit(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/missing", "always_fails"))
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", s, "--phases", "P0", "--repetitions", "1", *TINY,
                    "--no-instrumentation-tax", "--out", out)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "errors 100.0 %" in p.stdout  # the row is marked
    assert "OVER the limit of 1 %" in p.stdout
    assert "phases: FAILED: too many errors: P0" in p.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["config"]["max_error_rate"] == 0.01
    assert doc["aggregates"][0]["error_rate_exceeded"] is True
    assert doc["complete"] is True
    report = (out / "report.md").read_text()
    assert "Errors and crashes" in report and "the id was not found" in report


# --- crash isolation ---------------------------------------------------------------------------

def test_phases_isolates_a_child_that_aborts(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/x", "aborts_in_subinterpreter"))
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", s, "--phases", "P0,P3", "--repetitions", "2", *TINY,
                    "--no-instrumentation-tax", "--out", out)
    doc = json.loads((out / "results.json").read_text())
    p3 = [r for r in doc["runs"] if r["config"] == "P3"]
    if not p3[0]["supported"]:
        pytest.skip("sub-interpreters unsupported here: " + p3[0]["unsupported_reason"])
    assert p.returncode == 1, p.stdout + p.stderr
    assert all(r["crashed"] == "signal 6 (SIGABRT)" for r in p3)
    assert all("Fatal Python error: Aborted" in r["crash_log"] for r in p3)  # faulthandler's traceback
    assert all(r["requests"] == 600 for r in doc["runs"] if r["config"] == "P0")  # still measured
    assert [a["config"] for a in doc["aggregates"]] == ["P0", "P3"]
    assert doc["aggregates"][1]["crashed_repetitions"] == 2
    assert "crashed: signal 6 (SIGABRT)" in p.stdout
    assert "aborts_in_subinterpreter" in p.stdout  # the traceback's last lines, under the table
    assert "P3 rep 1 crashed: signal 6 (SIGABRT)" in p.stderr
    assert (out / "report.html").exists()
    assert "crashed: signal 6 (SIGABRT)" in (out / "report.md").read_text()


def test_phases_timeout_stops_a_hung_child(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/ok", "ok"))
    out = tmp_path / "out"
    started = time.monotonic()
    # 10 ms (the most --inject-delay allows) x 100,000 requests: 17 minutes; the timeout ends it.
    p = fasterbench("phases", "--scenario", s, "--phases", "P0", "--repetitions", "1",
                    "--requests", "100000", "--warmup", "1", "--no-progress", "--no-instrumentation-tax",
                    "--inject-delay", "handler=10000000", "--timeout", "3", "--out", out)
    assert time.monotonic() - started < 60
    assert p.returncode == 1, p.stdout + p.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["runs"][0]["crashed"].startswith("timed out after 3 s")
    assert "crashed: timed out after 3 s" in p.stdout
    assert "report: none (no configuration was measured)" in p.stdout


# --- interruption and --resume -----------------------------------------------------------------

def start_phases(args, env=None):
    return subprocess.Popen([str(_binary()), "phases", *map(str, args)], cwd=REPO, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_progress_line(proc, number):
    """Reads stderr until the progress line of measurement `number` (1-based) appears."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.lstrip("[ ").startswith(f"{number}/"):
            return seen
    raise AssertionError("phases ended before measurement %d: %s" % (number, "".join(seen)))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_phases_writes_what_it_has_and_resumes(fasterbench, tmp_path, sig):
    s = scenario(tmp_path, ("/ok", "ok"))
    out = tmp_path / "out"
    args = ["--scenario", s, "--phases", "P0,P1", "--repetitions", "2", "--requests", "3000",
            "--warmup", "100", "--no-progress", "--no-instrumentation-tax", "--out", out]
    proc = start_phases(args)
    seen = wait_for_progress_line(proc, 3)  # two measurements done, the third under way
    proc.send_signal(sig)
    rest = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 130, "".join(seen) + rest
    assert f"interrupted by {signal.Signals(sig).name}" in rest
    doc = json.loads((out / "results.json").read_text())
    assert doc["complete"] is False
    assert len([r for r in doc["runs"] if "requests" in r]) == 2
    assert doc["resume"]["planned"] == 4
    assert not (out / "report.html").exists()
    assert no_temporary_files(out) == []
    assert (out / doc["resume"]["runs_dir"]).is_dir()

    p = fasterbench("phases", "--resume", out, cwd=tmp_path)  # from elsewhere: it goes where it ran
    assert p.returncode == 0, p.stdout + p.stderr
    assert "2 of 4 measurements done, 2 to go" in p.stderr
    assert p.stderr.count("rep ") == 2  # only the missing ones were measured
    doc = json.loads((out / "results.json").read_text())
    assert doc["complete"] is True and "resume" not in doc
    assert sorted((r["config"], r["repetition"]) for r in doc["runs"]) == \
        [("P0", 0), ("P0", 1), ("P1", 0), ("P1", 1)]
    assert (out / "report.html").exists()
    assert not [f for f in out.iterdir() if f.name.startswith(".runs")]


def test_resume_refuses_what_it_cannot_finish(fasterbench, tmp_path):
    s = scenario(tmp_path, ("/ok", "ok"))
    out = tmp_path / "out"
    p = fasterbench("phases", "--resume", out)
    assert p.returncode == 2 and "no results.json there to resume" in p.stderr
    assert fasterbench("phases", "--scenario", s, "--phases", "P0", "--repetitions", "1", *TINY,
                       "--no-instrumentation-tax", "--no-report", "--out", out).returncode == 0
    p = fasterbench("phases", "--resume", out)
    assert p.returncode == 2 and "that run is complete; nothing to resume" in p.stderr


def test_phases_without_scenario_or_resume_is_a_usage_error(fasterbench):
    p = fasterbench("phases", "--phases", "P0")
    assert p.returncode == 2
    assert "--scenario is required" in p.stderr
