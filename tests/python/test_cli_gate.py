"""`fasterbench compare`, `gate` and `baseline`: exit codes, outputs and input errors. Fast:
the results documents are synthetic, with chosen per-repetition values."""

import json
import xml.etree.ElementTree as ET

import pytest

from reports.model import STAGES



def results(values_by_config, cpu="Test CPU", python="3.13.0", stage="total", other_ns=100.0):
    """A minimal results document: per config a list of per-repetition values of `stage`'s
    p50 (p99 = 2x); every other stage `other_ns`."""
    runs = []
    for config, values in values_by_config.items():
        for rep, v in enumerate(values):
            stages = {}
            for s in STAGES:
                x = v if s == stage else other_ns
                stages[s] = {"count": 1000, "mean_ns": x, "p50_ns": x, "p90_ns": x, "p99_ns": 2 * x,
                             "p999_ns": 2 * x, "max_ns": 3 * x}
            runs.append({"config": config, "phase": config, "opts": [], "repetition": rep,
                         "supported": True, "stages": stages})
    return {"schema_version": 1,
            "scenario": {"name": "hello", "file": "scenarios/hello.toml"},
            "context": {"cpu_model": cpu, "python": {"version": python, "executable": "python3"},
                        "build_type": "RelWithDebInfo", "compiler": "GNU 12.2.0",
                        "options": {"FASTERBENCH_OPT_DIRECT": True}, "git_revision": "abc123",
                        "date": "2026-01-02T03:04:05Z"},
            "config": {"requests": 5000, "warmup": 500, "clients": 1, "workers": 2,
                       "inject_delay": None},
            "runs": runs}


BASE = [1000, 1010, 990, 1005, 995]
SLOWER = [1300, 1310, 1290, 1305, 1295]      # +30 %
SAME = [1002, 1008, 992, 1003, 997]          # A/A-like
NOISY = [900, 1150, 1000, 880, 1120]         # interval far wider than 5 %
FASTER = [700, 710, 690, 705, 695]


@pytest.fixture()
def write(tmp_path):
    def _write(name, doc):
        path = tmp_path / name
        path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
        return path
    return _write


@pytest.mark.parametrize("candidate, verdict, code", [
    (SLOWER, "REGRESSION", 1),
    (SAME, "PASS", 0),
    (NOISY, "INCONCLUSIVE", 3),
    (FASTER, "IMPROVEMENT", 0),
])
def test_gate_verdicts_and_exit_codes(fasterbench, write, candidate, verdict, code):
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": candidate}))
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--stages", "total")
    assert p.returncode == code, p.stdout + p.stderr
    assert f"\ngate: {verdict}" in p.stdout
    if verdict == "INCONCLUSIVE":
        assert "repetitions per side would probably decide" in p.stdout


@pytest.mark.parametrize("candidate, verdict, code", [
    (SLOWER, "REGRESSION", 1),
    (SAME, "PASS", 0),
    (NOISY, "INCONCLUSIVE", 3),
])
def test_gate_format_json_is_the_decision_as_data(fasterbench, write, candidate, verdict, code):
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": candidate}))
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--stages", "dispatch,total", "--format", "json")
    assert p.returncode == code, p.stdout + p.stderr
    doc = json.loads(p.stdout)  # stdout is the document alone
    assert doc["kind"] == "fasterbench-gate" and doc["gate_schema_version"] == 1
    assert (doc["overall"], doc["exit_status"]) == (verdict, code)
    assert (doc["threshold"], doc["alpha"], doc["min_effect_ns"], doc["metric"]) == (0.05, 0.01, 100, "p50")
    [config] = doc["configs"]
    by_stage = {s["stage"]: s for s in config["stages"]}
    assert by_stage["total"]["verdict"] == verdict and by_stage["dispatch"]["verdict"] == "PASS"
    total = by_stage["total"]
    assert total["baseline"]["values"] == BASE and total["candidate"]["values"] == candidate
    assert total["ratio_ci_low"] <= total["ratio"] <= total["ratio_ci_high"]
    assert total["reason"] and (total["repetitions_needed"] > 0) == (verdict == "INCONCLUSIVE")
    # The text table says the same.
    text = fasterbench("gate", "--baseline", a, "--candidate", b, "--stages", "dispatch,total")
    assert f"\ngate: {verdict}" in text.stdout and text.returncode == code


def test_gate_format_json_keeps_warnings_on_stderr_and_in_the_document(fasterbench, write):
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": SAME}, cpu="Other CPU"))
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--format", "json")
    doc = json.loads(p.stdout)
    assert any("cpu_model" in w for w in doc["warnings"]), doc["warnings"]
    assert "fasterbench gate: warning: the two results differ in cpu_model" in p.stderr
    both = fasterbench("gate", "--baseline", a, "--candidate", b, "--format", "json", "--github")
    assert both.returncode == 2 and "excludes" in both.stderr, both.stderr
    instructions = fasterbench("gate", "--baseline", a, "--candidate", b, "--format", "json", "--metric", "instructions")
    assert instructions.returncode == 2 and "no --junit, --summary, --github or --format json" in instructions.stderr


def test_gate_names_the_regressed_stage_and_writes_all_outputs(fasterbench, write, tmp_path):
    a = write("a.json", results({"P0": BASE, "P1": BASE}, stage="dispatch"))
    b = write("b.json", results({"P0": SLOWER, "P1": SAME}, stage="dispatch"))
    junit, summary = tmp_path / "gate.xml", tmp_path / "summary.md"
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--threshold", "5%", "--alpha", "0.01",
                    "--junit", junit, "--github", "--summary", summary)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "gate: REGRESSION: P0 dispatch ·" in p.stdout
    assert "::error title=fasterbench gate%3A P0 dispatch REGRESSION::" in p.stdout
    assert "::error" not in p.stdout.replace("::error title=fasterbench gate%3A P0 dispatch", "")
    suite = ET.parse(junit).getroot().find("testsuite")
    cases = suite.findall("testcase")
    # default stages: every named stage but `other`, for each of 2 configs
    assert len(cases) == 2 * 7
    assert suite.get("failures") == "1"
    failed = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == [("fasterbench.gate.P0", "dispatch p50")]
    md = summary.read_text()
    assert md.startswith("## fasterbench gate: REGRESSION")
    assert "| P0 | dispatch | 5/5 |" in md
    assert not list(tmp_path.glob(".gate.xml.*")), "temporary files left behind"


def test_inconclusive_with_three_repetitions_says_why(fasterbench, write):
    a = write("a.json", results({"P0": BASE[:3]}))
    b = write("b.json", results({"P0": SLOWER[:3]}))
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--stages", "total")
    assert p.returncode == 3, p.stdout + p.stderr
    assert "3 vs 3 repetitions: Mann-Whitney cannot reach p < 0.01 below 5 per side" in p.stdout
    assert "can never be judged a REGRESSION" in p.stderr
    # ... and a looser alpha makes the same data decisive
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--stages", "total", "--alpha", "0.2")
    assert p.returncode == 1, p.stdout


def test_gate_warns_when_contexts_differ(fasterbench, write, tmp_path):
    a = write("a.json", results({"P0": BASE}, cpu="CPU A", python="3.13.0"))
    b = write("b.json", results({"P0": SAME}, cpu="CPU B", python="3.12.1"))
    summary = tmp_path / "s.md"
    p = fasterbench("gate", "--baseline", a, "--candidate", b, "--github", "--summary", summary)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "warning: the two results differ in cpu_model: baseline 'CPU A', candidate 'CPU B'" in p.stderr
    assert "python.version" in p.stderr
    assert "::warning title=fasterbench gate%3A warning::the two results differ in cpu_model" in p.stdout
    assert "the two results differ in python.version" in summary.read_text()


def test_gate_warns_when_placement_or_hygiene_differ(fasterbench, write):
    base = results({"P0": BASE})
    base["context"]["placement"] = {"policy": "shared", "cpus": [0, 1]}
    base["context"]["process"] = {"hash_seed": 0, "aslr": "off", "environment": "fixed"}
    cand = json.loads(json.dumps(base))
    cand["context"]["placement"]["policy"] = "off"
    cand["context"]["process"].update({"hash_seed": "random", "aslr": "on"})
    p = fasterbench("gate", "--baseline", write("a.json", base), "--candidate", write("b.json", cand))
    assert p.returncode == 0, p.stdout + p.stderr
    for line in ["differ in placement.policy: baseline 'shared', candidate 'off'",
                 "differ in process.hash_seed: baseline '0', candidate 'random'",
                 "differ in process.aslr: baseline 'off', candidate 'on'"]:
        assert line in p.stderr
    assert "environment" not in p.stderr  # the same on both sides: no warning


@pytest.mark.parametrize("make_args, message", [
    (lambda a, b, t: ["--baseline", t / "missing.json", "--candidate", b], "missing.json: no such file"),
    (lambda a, b, t: ["--baseline", t / "corrupt.json", "--candidate", b], "corrupt.json: not valid JSON"),
    (lambda a, b, t: ["--baseline", t / "other.json", "--candidate", b], "no configuration measured in both files"),
    (lambda a, b, t: ["--baseline", a, "--candidate", b, "--stages", "total,dispach"], "unknown stage 'dispach'"),
    (lambda a, b, t: ["--baseline", a, "--candidate", b, "--threshold", "abc"], "--threshold: expected a percentage"),
    (lambda a, b, t: ["--baseline", a, "--candidate", b, "--min-effect", "-3"], "--min-effect: expected nanoseconds"),
    (lambda a, b, t: ["--baseline", a, "--candidate", b, "--junit", t / "no/dir/x.xml"], "directory"),
    (lambda a, b, t: ["--baseline", "nosuchname", "--candidate", b, "--store", t], "no baseline named 'nosuchname'"),
])
def test_gate_input_errors_exit_2_with_one_line(fasterbench, write, tmp_path, make_args, message):
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": SAME}))
    write("corrupt.json", '{"schema_version": 1, "runs": [')
    write("other.json", results({"P4": BASE}))
    p = fasterbench("gate", *make_args(a, b, tmp_path))
    assert p.returncode == 2, p.stdout + p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], p.stderr


def test_compare_formats(fasterbench, write, tmp_path):
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": SLOWER}))
    text = fasterbench("compare", a, b)
    assert text.returncode == 0, text.stderr
    assert "+30.0 %" in text.stdout and "0.0079 *" in text.stdout
    md = fasterbench("compare", a, b, "--format", "md", "--stages", "total")
    assert "| P0 | total | 5/5 | 1.00 µs | 1.30 µs | +30.0 % |" in md.stdout
    out = tmp_path / "cmp.json"
    js = fasterbench("compare", a, b, "--format", "json", "--metric", "p99", "--out", out)
    assert js.returncode == 0, js.stderr
    doc = json.loads(out.read_text())
    assert doc["kind"] == "fasterbench-comparison" and doc["metric"] == "p99"
    total = [s for s in doc["configs"][0]["stages"] if s["stage"] == "total"][0]
    assert total["baseline"]["median"] == 2000 and total["ratio"] == pytest.approx(1.3)
    assert total["mann_whitney"]["p_value"] == pytest.approx(2 / 252)
    assert fasterbench("compare", a, tmp_path / "nope.json").returncode == 2


def test_baseline_save_list_and_gate_by_name(fasterbench, write, tmp_path, monkeypatch):
    store = tmp_path / "store"
    a = write("a.json", results({"P0": BASE}))
    b = write("b.json", results({"P0": SLOWER}))
    p = fasterbench("baseline", "save", "main", a, "--store", store)
    assert p.returncode == 0, p.stderr
    assert (store / "main.json").exists()
    assert fasterbench("baseline", "save", "main", a, "--store", store).returncode == 2  # exists
    assert fasterbench("baseline", "save", "main", a, "--store", store, "--force").returncode == 0
    assert fasterbench("baseline", "save", "bad/name", a, "--store", store).returncode == 2
    listing = fasterbench("baseline", "list", "--store", store)
    assert listing.returncode == 0
    row = [l for l in listing.stdout.splitlines() if l.startswith("main ")][0]
    for part in ["hello", "abc123", "3.13.0", "P0 x5", "2026-01-02T03:04:05Z"]:
        assert part in row, row
    p = fasterbench("gate", "--baseline", "main", "--candidate", b, "--store", store)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"baseline 'main' ({store}/main.json)" in p.stdout
    # without --store: $FASTERBENCH_BASELINES, else .fasterbench/baselines in the current dir
    monkeypatch.setenv("FASTERBENCH_BASELINES", str(store))
    assert [e["name"] for e in json.loads(fasterbench("baseline", "list", "--format", "json").stdout)] == ["main"]
    monkeypatch.delenv("FASTERBENCH_BASELINES")
    assert fasterbench("baseline", "save", "local", a, cwd=tmp_path).returncode == 0
    assert (tmp_path / ".fasterbench" / "baselines" / "local.json").exists()
