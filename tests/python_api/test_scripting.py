"""Scripting the harness: fb.run, fb.phases, fb.gate and fb.save_baseline run the CLI with the
arguments their keywords spell, so they write the documents the CLI writes; keywords are
checked against the CLI's own options and its usage errors arrive as ConfigError."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest

import fasterbench as fb
from cli_documents import HELLO, REPO, cli, cli_ok
from fasterbench.scripting import accepted_options


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    monkeypatch.chdir(REPO)  # scenario paths as the CLI examples write them


def test_keywords_spell_the_cli_arguments():
    assert fb.cli_arguments("run", scenario=HELLO, phase="P1", requests=600, no_progress=True,
                            pin=None, strict=False) == [
        "run", "--scenario", HELLO, "--phase", "P1", "--requests", "600", "--no-progress"]
    assert fb.cli_arguments("phases", scenario=REPO / HELLO, phases=["P0", "P1"], max_error_rate=0.5) == [
        "phases", "--scenario", str(REPO / HELLO), "--phases", "P0,P1", "--max-error-rate", "0.5"]
    assert fb.cli_arguments("gate", stages=("dispatch", "total"), threshold="2.5%") == [
        "gate", "--stages", "dispatch,total", "--threshold", "2.5%"]


def test_every_cli_option_is_a_keyword_except_those_the_api_sets():
    for command, managed in [("run", {"--out", "--explain-routes"}), ("phases", {"--out", "--no-report"}),
                             ("gate", {"--baseline", "--candidate", "--format", "--github"})]:
        help_text = cli_ok(*command.split(), "--help").stdout
        listed = set(re.findall(r"^  (?:-\w,)?(--[a-z][a-z-]*)", help_text, flags=re.M)) - {"--help"}
        assert set(accepted_options(command)) - {"--help"} == listed
        for option in listed - managed:
            name = option[2:].replace("-", "_")
            assert fb.cli_arguments(command, **{name: "x"})[1:] == [option, "x"]
    assert {"--requests", "--pin", "--phase", "--inject-delay"} <= set(accepted_options("run"))


def test_an_unknown_keyword_is_a_type_error_naming_it_and_the_accepted_ones():
    with pytest.raises(TypeError) as caught:
        fb.run(scenario=HELLO, requets=600)
    message = str(caught.value)
    assert message.startswith("fasterbench run: unknown keyword 'requets'; did you mean 'requests'? (accepted: ")
    assert "warmup" in message and "inject_delay" in message
    # The API writes the document itself: --out and --explain-routes are not keywords of run.
    with pytest.raises(TypeError, match="unknown keyword 'explain_routes'"):
        fb.run(scenario=HELLO, explain_routes=True)
    with pytest.raises(TypeError, match="fasterbench gate: unknown keyword 'github'"):
        fb.gate("a.json", "b.json", github=True)


@pytest.mark.parametrize("keywords, cli_arguments", [
    ({"phase": "P9"}, ["--phase", "P9"]),
    ({"phase": "P1", "requests": -5}, ["--phase", "P1", "--requests", "-5"]),
    ({"phase": "P1", "pin": "everywhere"}, ["--phase", "P1", "--pin", "everywhere"]),
])
def test_a_usage_error_of_the_cli_is_a_config_error_with_its_message(keywords, cli_arguments):
    p = cli("run", "--scenario", HELLO, *cli_arguments, "--no-progress", "--out", os.devnull)
    assert p.returncode == 2
    expected = p.stderr.strip().splitlines()[0].removeprefix("fasterbench: ")
    with pytest.raises(fb.ConfigError) as caught:
        fb.run(scenario=HELLO, **keywords)
    assert str(caught.value) == expected
    assert isinstance(caught.value, ValueError)


def test_not_quiet_the_cli_prints_its_own_message(capfd):
    with pytest.raises(fb.ConfigError, match=r"--phase P9 .*refused \(exit 2; its message is printed above\)"):
        fb.run(scenario=HELLO, phase="P9", quiet=False)
    assert "fasterbench: --phase: unknown phase 'P9'" in capfd.readouterr().err


def test_a_missing_scenario_is_a_config_error_naming_the_file():
    with pytest.raises(fb.ConfigError, match="scenarios/nothing.toml"):
        fb.run(scenario="scenarios/nothing.toml", phase="P1", requests=100)


def settings_only(node, key=""):
    """The document with every measured figure replaced by its type, so that two documents of
    the same settings compare equal: numbers of the measurement (times, rates, counts of
    buckets, thread ids, the CPUs a thread was seen on, steal, which is null when /proc/stat
    could not tell over a short run, the date and the clock's calibration) differ from run to
    run; the settings, the labels and the structure do not."""
    kept = {"requests", "repetition", "repetitions", "count", "n", "errors", "client_errors", "demotions",
            "warmup", "clients", "workers", "seed", "sub_bucket_bits", "schema_version", "cpus", "index",
            "arg_env_bytes"}
    if isinstance(node, dict):
        return {k: settings_only(v, k) for k, v in node.items()}
    if isinstance(node, list):
        if all(isinstance(x, (int, float, list)) and not isinstance(x, bool) for x in node):
            return "<numbers>"  # histogram buckets, percentile curves, CPUs seen
        return [settings_only(x, key) for x in node]
    if isinstance(node, (int, float)) and not isinstance(node, bool) and key not in kept:
        return "<number>"
    if node is None and key == "steal_pct":
        return "<number>"
    if key == "date":
        return "<date>"
    return node


def test_settings_only_keeps_what_must_match():
    doc = {"config": {"requests": 600, "pin": "shared"}, "runs": [{"duration_s": 0.5, "stages": {"total": {
        "p50_ns": 281, "count": 600, "percentiles": [[50, 281]]}}}], "context": {"date": "2026-12-05T06:00:00Z"}}
    assert settings_only(doc) == {"config": {"requests": 600, "pin": "shared"}, "runs": [{
        "duration_s": "<number>", "stages": {"total": {"p50_ns": "<number>", "count": 600,
                                                       "percentiles": "<numbers>"}}}], "context": {"date": "<date>"}}


def test_run_writes_the_document_the_cli_writes(tmp_path):
    settings = ["--scenario", HELLO, "--phase", "P1", "--requests", "600", "--warmup", "100",
                "--repetitions", "2", "--pin", "shared", "--no-progress"]
    cli_path = tmp_path / "cli.json"
    cli_ok("run", *settings, "--out", cli_path)
    api_path = tmp_path / "api.json"
    results = fb.run(scenario=HELLO, phase="P1", requests=600, warmup=100, repetitions=2, pin="shared",
                     out=api_path)
    assert isinstance(results, fb.Results) and results.source == str(api_path)
    cli_doc = json.loads(cli_path.read_text())
    api_doc = json.loads(api_path.read_text())
    assert results.to_document() == api_doc
    assert settings_only(api_doc) == settings_only(cli_doc)
    assert api_doc["config"] == cli_doc["config"] and api_doc["routes"] == cli_doc["routes"]
    assert api_doc["tool"] == cli_doc["tool"] and api_doc["scenario"] == {"name": "hello", "file": HELLO}


def test_run_without_out_keeps_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    results = fb.run(scenario=HELLO, phase="P0", requests=300, warmup=50)
    assert results.configuration().name == "P0" and results.runs[0].requests == 300
    assert results.source.startswith("fasterbench run --scenario scenarios/hello.toml --phase P0 --requests 300")
    assert list(tmp_path.iterdir()) == []


def test_phases_writes_the_document_the_cli_writes(tmp_path):
    settings = ["--scenario", HELLO, "--phases", "P0,P1", "--repetitions", "2", "--requests", "400",
                "--warmup", "100", "--no-progress", "--no-report"]
    cli_ok("phases", *settings, "--out", tmp_path / "cli")
    results = fb.phases(scenario=HELLO, phases=["P0", "P1"], repetitions=2, requests=400, warmup=100,
                        out=tmp_path / "api")
    cli_doc = json.loads((tmp_path / "cli" / "results.json").read_text())
    api_doc = json.loads((tmp_path / "api" / "results.json").read_text())
    assert not (tmp_path / "api" / "report.md").exists() and not (tmp_path / "cli" / "report.md").exists()
    assert results.to_document() == api_doc
    assert settings_only(api_doc) == settings_only(cli_doc)
    assert [c for c in results.configurations] == ["P0", "P1", "P0/ends", "P1/ends"]


def test_phases_resume_is_given_alone(tmp_path):
    # A complete run has nothing to resume: the CLI's message, as a ConfigError.
    fb.phases(scenario=HELLO, phases=["P0"], repetitions=1, requests=200, warmup=50, no_instrumentation_tax=True,
              out=tmp_path / "done")
    with pytest.raises(fb.ConfigError, match=r"--resume .*done: that run is complete; nothing to resume"):
        fb.phases(resume=tmp_path / "done")
    with pytest.raises(fb.ConfigError, match="give resume alone"):
        fb.phases(resume=tmp_path / "done", out=tmp_path / "elsewhere")


def test_ctrl_c_stops_phases_as_on_the_command_line_and_resume_finishes_it(tmp_path):
    # A Python process running fb.phases gets SIGINT (alone: not its child) during the third of
    # four measurements: the child writes what it has, KeyboardInterrupt reaches the script,
    # and phases(resume=DIR) measures only what is missing.
    out = tmp_path / "out"
    script = (f"import fasterbench as fb\n"
              f"fb.phases(scenario={HELLO!r}, phases=['P0', 'P1'], repetitions=2, requests=20000, warmup=100,\n"
              f"          no_instrumentation_tax=True, out={str(out)!r}, quiet=False)\n")
    python = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in python.stderr:
        seen.append(line)
        if line.lstrip("[ ").startswith("3/"):
            break
    else:
        raise AssertionError("phases ended before its third measurement: " + "".join(seen))
    python.send_signal(signal.SIGINT)
    rest = python.stderr.read()
    assert python.wait(timeout=60) != 0
    assert "KeyboardInterrupt" in rest and "interrupted by SIGINT" in rest, rest
    doc = json.loads((out / "results.json").read_text())
    # The third measurement was under way (it may have finished as the signal travelled).
    assert doc["complete"] is False and 2 <= len([r for r in doc["runs"] if "requests" in r]) < 4

    results = fb.phases(resume=out)
    assert results.complete and len(results.runs) == 4 and results.source == str(out / "results.json")


@pytest.fixture(scope="module")
def gate_documents(tmp_path_factory):
    """Baseline and candidate measured by `run`: hello P1, 5 repetitions; the candidate waits
    20 µs more in the handler (--inject-delay), a regression no noise can hide."""
    directory = tmp_path_factory.mktemp("gate")
    common = ["--scenario", HELLO, "--phase", "P1", "--requests", "400", "--warmup", "100",
              "--repetitions", "5", "--pin", "shared", "--no-progress"]
    cli_ok("run", *common, "--out", directory / "base.json", cwd=REPO)
    cli_ok("run", *common, "--inject-delay", "handler=20000", "--out", directory / "slow.json", cwd=REPO)
    return directory / "base.json", directory / "slow.json"


def test_gate_returns_the_clis_verdicts_typed(gate_documents):
    base, slow = gate_documents
    decision = fb.gate(base, slow, stages=["handler", "total"])
    p = cli("gate", "--baseline", base, "--candidate", slow, "--stages", "handler,total", "--format", "json")
    assert p.returncode == 1 == decision.exit_status
    assert decision.document == json.loads(p.stdout)
    assert decision.overall == "REGRESSION" and not decision.passed
    handler = decision.verdict("P1", "handler")
    assert handler.verdict == "REGRESSION" and handler.ratio > 2 and handler.p_value < 0.01
    assert handler.baseline.median < 20_000 < handler.candidate.median and len(handler.candidate.values) == 5
    assert [str(v).split(":")[0] for v in decision.regressions] == ["P1 handler REGRESSION", "P1 total REGRESSION"]
    assert any(w.startswith("the two results differ in config.inject_delay") for w in decision.warnings), \
        decision.warnings
    assert decision.describe().startswith(f"gate: REGRESSION ({slow} vs {base}, 2 checks)")
    assert repr(decision) == "<GateResult REGRESSION: 0 PASS, 0 IMPROVEMENT, 2 REGRESSION, 0 INCONCLUSIVE>"
    with pytest.raises(KeyError, match="judged no P4 total"):
        decision.verdict("P4", "total")


def test_gate_takes_results_objects_and_stored_baselines(gate_documents, tmp_path):
    base, slow = gate_documents
    baseline = fb.load_results(base)
    same = fb.gate(baseline, baseline, stages=["total"])
    assert same.overall == "PASS" and same.passed and same.verdict("P1", "total").ratio == 1
    path = fb.save_baseline("main", baseline, store=tmp_path / "store")
    assert path == str(tmp_path / "store" / "main.json") and os.path.exists(path)
    assert fb.gate("main", fb.load_results(slow), store=tmp_path / "store", stages="total").overall == "REGRESSION"
    with pytest.raises(fb.ConfigError, match="baseline 'main' already exists"):
        fb.save_baseline("main", base, store=tmp_path / "store")
    with pytest.raises(fb.ConfigError, match="no baseline named 'nosuch'"):
        fb.gate("nosuch", slow, store=tmp_path / "store")


def test_a_failed_run_is_a_command_error_with_its_results(tmp_path):
    # One request in ten raises: over a 5 % error limit `run` writes its results and exits 1.
    (tmp_path / "flaky_handlers.py").write_text(
        "def every_tenth_fails(request):\n"
        "    global n\n"
        "    n = globals().get('n', 0) + 1\n"
        "    if n % 10 == 0:\n"
        "        raise KeyError('item')\n"
        "    return b'ok'\n")
    scenario = tmp_path / "flaky.toml"
    scenario.write_text('name = "flaky"\n[[route]]\npath = "/flaky"\nhandler = "flaky_handlers:every_tenth_fails"\n')
    with pytest.raises(fb.CommandError) as caught:
        fb.run(scenario, phase="P0", requests=600, warmup=50, max_error_rate=0.05)
    error = caught.value
    assert error.returncode == 1 and error.arguments[:3] == ["run", "--scenario", str(scenario)]
    assert "exit status 1" in str(error) and "FAILED: too many errors" in str(error)
    assert error.results is not None and error.results.aggregates[0].error_rate == pytest.approx(0.1, abs=0.01)
    assert error.results.runs[0].errors == error.results.runs[0].requests // 10
    # Within a looser limit the same run returns its results.
    assert fb.run(scenario, phase="P0", requests=600, warmup=50, max_error_rate=0.5).runs[0].errors > 0
