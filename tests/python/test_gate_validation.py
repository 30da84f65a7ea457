"""Statistical validation of `fasterbench gate` (issue 9): false alarms on A/A pairs, detection
of an injected regression, and no alarm for a regression smaller than the threshold.

Slow (minutes): runs only with FASTERBENCH_GATE_VALIDATION=1, e.g.
    FASTERBENCH_GATE_VALIDATION=1 ctest --test-dir build -L gate-validation --output-on-failure
Writes the measured rates and timings to $FASTERBENCH_GATE_VALIDATION_REPORT (JSON) if set,
and prints them (-rA shows them in the summary).

Method: PAIRS rounds. Each round builds five results files of REPETITIONS repetitions of
REQUESTS requests (after 500 warm-up), every repetition a fresh process (`fasterbench run
--repetitions 1`, exactly what `phases` runs per repetition), and the five sides alternate
repetition by repetition (a1 b1 i1 s1 t1 a2 b2 i2 s2 t2 ...) so drift on the machine hits them
alike, as `phases` does for its configurations (docs/commands.md, `phases`):
    clean_a, clean_b   the same build: A/A pair (clean_a vs clean_b)
    injected           --inject-delay dispatch=2000: detection pair (clean_a vs injected)
    small              --inject-delay dispatch=<SMALL_FRACTION of the clean dispatch p50>, far
                       below the 5 % threshold: must not be REGRESSION (clean_b vs small)
    tenth              --inject-delay dispatch=<TENTH_FRACTION of the clean dispatch p50>: twice
                       the threshold, must be REGRESSION naming dispatch (clean_b vs tenth)
Each pair is gated with the defaults (threshold 5 % and 100 ns, alpha 0.01, p50, every
stage but `other`).

Every process runs as `phases` runs its children (harness/commands/phases/phases.h): threads on one
CPU (--pin shared), hash seed 0, ASLR off, a fixed-size environment.
FASTERBENCH_GATE_VALIDATION_PIN=off|split and FASTERBENCH_GATE_VALIDATION_HYGIENE=off measure
the older conditions (the OS placing threads, random seed and layout) for comparison.

FASTERBENCH_GATE_VALIDATION_ORDER=blocked measures each side's repetitions back to back
instead (the situation of a CI job gating against a baseline measured earlier), and
FASTERBENCH_GATE_VALIDATION_ISOLATION=inprocess puts them in one process (`run
--repetitions N`); both are there to measure what they cost in false alarms, and the
assertions are meant for the defaults.
"""

import json
import os
import pathlib
import time
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.gate_validation

PAIRS = 10                       # pairs per experiment (the issue asks for >= 10)
# Repetitions per side, and requests per repetition. 5 repetitions are the fewest with which
# Mann-Whitney can reach p < 0.01 at all, but then it needs complete separation: one outlying
# repetition hides a regression. On this VM with other builds running (load average ~9) a
# repetition's dispatch p50 swings by +-50 % with the momentary load; with 5000 requests (a
# ~0.1 s window) 10 repetitions named dispatch in 8 of 10 pairs, 15 in 8-9, 20 in 7-10. A longer
# window averages the swings: 20000 requests x 15 repetitions named it in 10 of 10.
REPETITIONS = int(os.environ.get("FASTERBENCH_GATE_VALIDATION_REPETITIONS", "15"))
REQUESTS = int(os.environ.get("FASTERBENCH_GATE_VALIDATION_REQUESTS", "20000"))
ORDER = os.environ.get("FASTERBENCH_GATE_VALIDATION_ORDER", "interleaved")        # or "blocked"
ISOLATION = os.environ.get("FASTERBENCH_GATE_VALIDATION_ISOLATION", "process")    # or "inprocess"
PIN = os.environ.get("FASTERBENCH_GATE_VALIDATION_PIN", "shared")
HYGIENE = os.environ.get("FASTERBENCH_GATE_VALIDATION_HYGIENE", "on") == "on"
COMMON = ["--scenario", "scenarios/hello.toml", "--requests", str(REQUESTS), "--warmup", "500", "--no-progress",
          "--pin", PIN] + (["--hash-seed", "0", "--aslr", "off", "--env", "fixed"] if HYGIENE else [])
DETECT_DELAY = "dispatch=2000"
SMALL_FRACTION = 0.01            # of the clean dispatch p50: a fifth of the 5 % threshold
TENTH_FRACTION = 0.10            # of the clean dispatch p50: twice the threshold
MIN_DETECTED = 9                 # of PAIRS
MIN_TENTH_DETECTED = 8           # of PAIRS
MIN_AA_PASS = 8                  # of PAIRS: a gate that never says PASS is of no use in CI
SIDES = ("clean_a", "clean_b", "injected", "small", "tenth")


def _verdicts(junit_path):
    """{(config, stage): verdict} from the gate's JUnit file."""
    out = {}
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        config = case.get("classname").removeprefix("fasterbench.gate.")
        out[(config, case.get("name").split()[0])] = props["verdict"]
    return out


@pytest.fixture(scope="module")
def campaign(fasterbench, tmp_path_factory):
    work = tmp_path_factory.mktemp("gate-validation")
    timings = {"process": [], "gate": []}
    counter = iter(range(10**9))

    def run(extra, repetitions=1, seed=1):
        out = work / f"run-{next(counter)}.json"
        start = time.monotonic()
        p = fasterbench("run", *COMMON, "--repetitions", str(repetitions), "--seed", str(seed), "--out", out,
                        *extra, timeout=1800)
        timings["process"].append(time.monotonic() - start)
        assert p.returncode == 0, p.stderr
        return json.loads(out.read_text())

    def merge(docs, name):
        """One results file from single-repetition documents, as `phases` merges its runs."""
        doc = dict(docs[0])
        doc["runs"] = [dict(d["runs"][0], repetition=i) for i, d in enumerate(docs)]
        doc.pop("aggregates", None)
        path = work / f"{name}.json"
        path.write_text(json.dumps(doc))
        return path

    def measure_round(i, extras):
        """{side: results path} with REPETITIONS repetitions per side, in ORDER and ISOLATION."""
        if ISOLATION == "inprocess":
            out = {}
            for side in SIDES:
                path = work / f"{side}-{i}.json"
                path.write_text(json.dumps(run(extras[side], repetitions=REPETITIONS)))
                out[side] = path
            return out
        docs = {side: [] for side in SIDES}
        if ORDER == "blocked":
            for side in SIDES:
                docs[side] = [run(extras[side], seed=1 + rep) for rep in range(REPETITIONS)]
        else:
            for rep in range(REPETITIONS):
                for side in SIDES:
                    docs[side].append(run(extras[side], seed=1 + rep))
        return {side: merge(docs[side], f"{side}-{i}") for side in SIDES}

    def gate(baseline, candidate, name):
        junit = work / f"{name}.xml"
        start = time.monotonic()
        p = fasterbench("gate", "--baseline", baseline, "--candidate", candidate, "--junit", junit)
        timings["gate"].append(time.monotonic() - start)
        assert p.returncode in (0, 1, 3), p.stdout + p.stderr
        return {"exit": p.returncode, "stages": _verdicts(junit), "overall": p.stdout.strip().splitlines()[-1]}

    load_before = os.getloadavg()
    started = time.monotonic()
    probe = run([])
    dispatch_p50 = probe["runs"][0]["stages"]["dispatch"]["p50_ns"]
    small_delay = max(1, round(SMALL_FRACTION * dispatch_p50))
    tenth_delay = max(1, round(TENTH_FRACTION * dispatch_p50))
    timings["process"].clear()
    extras = {"clean_a": [], "clean_b": [], "injected": ["--inject-delay", DETECT_DELAY],
              "small": ["--inject-delay", f"dispatch={small_delay}"],
              "tenth": ["--inject-delay", f"dispatch={tenth_delay}"]}
    rounds = []
    for i in range(PAIRS):
        files = measure_round(i, extras)
        rounds.append({"aa": gate(files["clean_a"], files["clean_b"], f"aa-{i}"),
                       "detect": gate(files["clean_a"], files["injected"], f"detect-{i}"),
                       "small": gate(files["clean_b"], files["small"], f"small-{i}"),
                       "tenth": gate(files["clean_b"], files["tenth"], f"tenth-{i}")})
    elapsed = time.monotonic() - started

    def summary(kind):
        exits = [r[kind]["exit"] for r in rounds]
        return {"pairs": len(rounds),
                "regression": exits.count(1), "inconclusive": exits.count(3), "pass": exits.count(0),
                "dispatch_regression": sum(r[kind]["stages"].get(("P0", "dispatch")) == "REGRESSION"
                                           for r in rounds),
                "stage_verdicts": {f"{c} {st}": {v: sum(r[kind]["stages"][(c, st)] == v for r in rounds)
                                                 for v in ("PASS", "IMPROVEMENT", "REGRESSION", "INCONCLUSIVE")}
                                   for (c, st) in rounds[0][kind]["stages"]},
                "overall": [r[kind]["overall"] for r in rounds]}

    process_s = sum(timings["process"]) / len(timings["process"])
    side_s = process_s * (1 if ISOLATION == "inprocess" else REPETITIONS)
    gate_s = sum(timings["gate"]) / len(timings["gate"])
    report = {
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                    "uname": " ".join(os.uname())},
        "order": ORDER, "isolation": ISOLATION, "repetitions": REPETITIONS, "load": COMMON,
        "detect_delay": DETECT_DELAY, "small_delay": f"dispatch={small_delay}", "tenth_delay": f"dispatch={tenth_delay}",
        "clean_dispatch_p50_ns": dispatch_p50,
        "aa": summary("aa"), "detect": summary("detect"), "small": summary("small"), "tenth": summary("tenth"),
        "seconds_per_process": round(process_s, 3), "seconds_per_results_file": round(side_s, 2),
        "seconds_per_gate": round(gate_s, 3), "seconds_per_pair": round(2 * side_s + gate_s, 2),
        "seconds_total": round(elapsed, 1),
    }
    target = os.environ.get("FASTERBENCH_GATE_VALIDATION_REPORT")
    if target:
        pathlib.Path(target).write_text(json.dumps(report, indent=2) + "\n")
    print("\ngate validation:", json.dumps({k: v for k, v in report.items() if k not in ("aa", "detect", "small", "tenth")}))
    for kind in ("aa", "detect", "small", "tenth"):
        s = report[kind]
        print(f"  {kind}: {s['regression']} regression, {s['inconclusive']} inconclusive, {s['pass']} pass "
              f"of {s['pairs']}; dispatch REGRESSION in {s['dispatch_regression']}")
    return report


def test_aa_pairs_never_regress(campaign):
    assert campaign["aa"]["regression"] == 0, campaign["aa"]["overall"]


def test_aa_pairs_mostly_pass(campaign):
    assert campaign["aa"]["pass"] >= MIN_AA_PASS, campaign["aa"]["overall"]


def test_a_tenth_of_dispatch_is_detected_and_named(campaign):
    assert campaign["tenth"]["dispatch_regression"] >= MIN_TENTH_DETECTED, campaign["tenth"]["overall"]


def test_injected_dispatch_delay_is_detected_and_named(campaign):
    assert campaign["detect"]["dispatch_regression"] >= MIN_DETECTED, campaign["detect"]["overall"]


def test_delay_below_threshold_is_not_a_regression(campaign):
    assert campaign["small"]["regression"] == 0, campaign["small"]["overall"]
