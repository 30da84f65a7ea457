"""Tests of the reports/ package (results JSON -> report.md, report.html, PNG charts).

Run from the repository root with Debian's Python (it has matplotlib and pytest):

    /usr/bin/python3 -m pytest -q tests/python

Fixtures come from tests/fixtures/make_fixtures.py.  Each fixture is rendered once per
module (one through the real command line in a subprocess, the others by direct
calls); the tests then check the files against the JSON they came from.
"""

import base64
import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PHASES_JSON = FIXTURES / "results_phases.json"
ABLATION_JSON = FIXTURES / "results_ablation.json"
UNSUPPORTED_JSON = FIXTURES / "results_unsupported.json"  # written as an older harness did
BIMODAL_JSON = FIXTURES / "results_bimodal.json"

sys.path.insert(0, str(REPO))

import reports  # noqa: E402
from reports import __main__ as cli  # noqa: E402
from reports import derive, document, model, noise, plan, significance  # noqa: E402
from reports.significance import Change  # noqa: E402
from reports.units import (format_count, format_delta_ns,  # noqa: E402
                           format_delta_pct, format_ns, format_pct, format_rate,
                           format_ratio)

BASE_FILES = {"report.md", "report.html", "waterfall.png", "stages.png",
              "percentiles.png"}
PNG_SHAPE = (500, 900)  # charts.FIG_SIZE * charts.DPI, rows x columns
PHASES = ["P0", "P1", "P2", "P3", "P4"]


# -- Helpers ----------------------------------------------------------------------------

def run_cli(*args):
    """Run ``python -m reports`` the way the harness does: cwd and PYTHONPATH = repo."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "reports", *map(str, args)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)


def raw(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def raw_aggregate(doc, config):
    return next(a for a in doc["aggregates"] if a["config"] == config)


def raw_totals(doc, config):
    """The stored total p50 of each supported repetition of a configuration."""
    return [r["stages"]["total"]["p50_ns"] for r in doc["runs"]
            if r["config"] == config and r["supported"]]


def fmt_difference(old_config, new_config, doc, vs=True):
    """The cell the report must show for a Δ of total p50 between two configurations:
    stored medians, the bootstrap CI of their difference, '~' when it includes 0."""
    old = raw_aggregate(doc, old_config)["stages"]["total"]["p50_ns"]["median"]
    new = raw_aggregate(doc, new_config)["stages"]["total"]["p50_ns"]["median"]
    d = significance.difference(raw_totals(doc, old_config), raw_totals(doc, new_config))
    text = f"{format_delta_ns(new - old)} ({format_delta_pct(100 * (new - old) / old)})"
    if vs:
        text += f" vs {old_config}"
    text += f", CI [{format_delta_ns(d.ci_low)}, {format_delta_ns(d.ci_high)}]"
    if d.ci_low <= 0 <= d.ci_high:
        return f"~ {text}: no difference measured"
    return text


def fmt_estimate(e):
    """The cell the report must show for a stored estimate of a duration."""
    return f"{format_ns(e['median'])} [{format_ns(e['ci_low'])}, {format_ns(e['ci_high'])}]"


_UNIT_NS = {"ns": 1.0, "µs": 1e3, "ms": 1e6, "s": 1e9}


def parse_ns(text):
    """'6.51 µs' -> 6510.0 (independent of units.py, to catch a formatting bug)."""
    m = re.match(r"^(-?[\d.]+) (ns|µs|ms|s)\b", text)
    assert m, f"not a duration: {text!r}"
    return float(m.group(1)) * _UNIT_NS[m.group(2)]


def md_tables(text):
    """{heading text: [row dicts]} for the first table under each Markdown heading."""
    tables, heading, header = {}, None, None
    for line in text.splitlines():
        if line.startswith("#"):
            heading, header = line.lstrip("#").strip(), None
            continue
        if not line.startswith("|") or heading is None:
            if header is not None:
                heading = None  # table ended
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if header is None:
            header = cells
            tables.setdefault(heading, [])
        elif set(line) <= set("|:- "):
            continue  # alignment row
        else:
            tables[heading].append(dict(zip(header, cells)))
    return tables


def rows_by(table, key):
    return {r[key]: r for r in table}


def snapshot(directory):
    """Names, bytes and mtimes of everything under a directory."""
    out = {}
    for p in sorted(Path(directory).rglob("*")):
        st = p.stat()
        out[str(p.relative_to(directory))] = (p.read_bytes() if p.is_file() else None,
                                              st.st_mtime_ns)
    return out


# -- Rendered fixtures (once per module) --------------------------------------------------

@pytest.fixture(scope="module")
def phases_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("phases") / "report"
    r = run_cli(PHASES_JSON, "--out", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return out


@pytest.fixture(scope="module")
def ablation_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("ablation") / "report"
    assert cli.main([str(ABLATION_JSON), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def unsupported_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("unsupported") / "report"
    files, _warnings = reports.render(UNSUPPORTED_JSON, out)
    assert {f.name for f in files} == BASE_FILES
    return out


@pytest.fixture(scope="module")
def bimodal_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("bimodal") / "report"
    r = run_cli(BIMODAL_JSON, "--out", out)
    assert r.returncode == 0, r.stderr
    return out, r.stdout


@pytest.fixture(scope="module")
def all_outs(phases_out, ablation_out, unsupported_out):
    return {"phases": phases_out, "ablation": ablation_out,
            "unsupported": unsupported_out}


# -- Files ------------------------------------------------------------------------------

def test_every_file_is_produced_and_no_temp_dir_is_left(all_outs):
    assert set(os.listdir(all_outs["phases"])) == BASE_FILES
    assert set(os.listdir(all_outs["unsupported"])) == BASE_FILES
    assert set(os.listdir(all_outs["ablation"])) == BASE_FILES | {"ablation.png"}
    for out in all_outs.values():
        assert os.listdir(out.parent) == ["report"], "temporary directory left behind"


def test_pngs_decode_with_the_expected_pixel_size(all_outs):
    from matplotlib.image import imread

    for out in all_outs.values():
        for png in sorted(out.glob("*.png")):
            img = imread(png)
            assert img.shape[:2] == PNG_SHAPE, png
            assert img.std() > 0.05, f"{png} looks blank"


def test_ablation_png_only_when_ablation_is_present(all_outs):
    assert (all_outs["ablation"] / "ablation.png").exists()
    assert not (all_outs["phases"] / "ablation.png").exists()
    assert not (all_outs["unsupported"] / "ablation.png").exists()
    assert "![ablation heatmap](ablation.png)" in \
        (all_outs["ablation"] / "report.md").read_text()
    assert "ablation.png" not in (all_outs["phases"] / "report.md").read_text()


def test_markdown_references_every_png_beside_it(all_outs):
    for out in all_outs.values():
        md = (out / "report.md").read_text(encoding="utf-8")
        refs = set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md))
        assert refs == {p.name for p in out.glob("*.png")}


# -- HTML -------------------------------------------------------------------------------

def test_html_is_self_contained_and_names_every_phase_and_stage(all_outs):
    for name, out in all_outs.items():
        text = (out / "report.html").read_text(encoding="utf-8")
        for phase in PHASES:
            assert phase in text, (name, phase)
        # The pipeline's stages (the fixtures are in-process runs: no HTTP front end's recv/send).
        for stage in model.PIPELINE_STAGES:
            assert f">{stage}<" in text, (name, stage)
        # No external asset: no http(s) or protocol-relative src/href/url(), no scripts.
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
        assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, re.I)
        assert "<script" not in text and "<link" not in text
        # Each PNG is embedded as a data URI, byte for byte.
        uris = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
        pngs = sorted(out.glob("*.png"))
        assert len(uris) == len(pngs)
        embedded = {base64.b64decode(u) for u in uris}
        assert embedded == {p.read_bytes() for p in pngs}


# -- Numbers in report.md equal the stored ones ------------------------------------------

def test_summary_table_cells_equal_the_stored_values(phases_out):
    doc = raw(PHASES_JSON)
    summary = rows_by(md_tables((phases_out / "report.md").read_text())["Summary"],
                      "config")
    assert list(summary) == PHASES
    for config in PHASES:
        a = raw_aggregate(doc, config)
        row = summary[config]
        total = a["stages"]["total"]
        assert row["total p50 [CI]"] == fmt_estimate(total["p50_ns"])
        assert row["total p99 [CI]"] == fmt_estimate(total["p99_ns"])
        # Independent of units.py: the shown value is the stored one within rounding.
        assert parse_ns(row["total p50 [CI]"]) == \
            pytest.approx(total["p50_ns"]["median"], rel=0.006)
        t = a["throughput_rps"]
        assert row["throughput [CI]"] == \
            f"{format_rate(t['median'])} [{format_rate(t['ci_low'])}, " \
            f"{format_rate(t['ci_high'])}]"
        runs = [r for r in doc["runs"] if r["config"] == config]
        assert row["errors"] == str(sum(r["errors"] for r in runs))
        assert row["demotions"] == str(sum(r["demotions"] for r in runs))
    assert summary["P0"]["total p50 [CI]"].startswith("14.1 µs")  # plausible fixture
    assert summary["P0"]["allocs/request"] == "3.00"
    assert summary["P0"]["step Δ total p50"] == "reference"
    for prev, cur in zip(PHASES, PHASES[1:]):
        assert summary[cur]["step Δ total p50"] == fmt_difference(prev, cur, doc)
    # P2 is the noisy phase: its repetitions straddle P1's, so its step is no difference.
    assert min(raw_totals(doc, "P2")) < max(raw_totals(doc, "P1"))
    assert summary["P2"]["step Δ total p50"].startswith("~ ")
    assert summary["P2"]["step Δ total p50"].endswith(": no difference measured")
    for config in ("P1", "P3", "P4"):
        assert "~" not in summary[config]["step Δ total p50"]


def test_stage_tables_equal_the_stored_stage_medians(phases_out):
    doc = raw(PHASES_JSON)
    tables = md_tables((phases_out / "report.md").read_text())
    for config, adds in model.PHASE_ADDS.items():
        if config not in PHASES:
            continue  # P5: not in this fixture (see test_p5_is_measured_but_has_no_plan_prediction)
        a = raw_aggregate(doc, config)
        rows = rows_by(tables[f"{config} ({adds})"], "stage")
        assert list(rows) == list(model.PART_STAGES) + ["sum of stage medians", "total"]
        total = a["stages"]["total"]["p50_ns"]["median"]
        for stage in model.PART_STAGES:
            e = a["stages"][stage]["p50_ns"]
            assert rows[stage]["median p50 [CI]"] == fmt_estimate(e)
            assert rows[stage]["share of total p50"] == format_pct(100 * e["median"] / total)
        assert rows["total"]["median p50 [CI]"] == fmt_estimate(a["stages"]["total"]["p50_ns"])
        parts = sum(a["stages"][s]["p50_ns"]["median"] for s in model.PART_STAGES)
        assert rows["sum of stage medians"]["median p50 [CI]"] == f"{format_ns(parts)} (no CI)"
    # From P1 on, 30 % of the requests of the "mixed" scenario go through dispatch.
    p1 = rows_by(tables["P1 (+direct)"], "stage")
    assert p1["dispatch"]["requests through"] == "30 %"
    assert p1["gil"]["requests through"] == "100 %"


def test_stage_table_shows_the_http_front_end_beside_total_when_served():
    """A `fasterbench serve` document carries recv/send: rows after total, outside it."""
    doc = raw(PHASES_JSON)
    recv_p50 = {"median": 2100.0, "ci_low": 2000.0, "ci_high": 2300.0, "min": 1900.0,
                "max": 2400.0, "spread_pct": 24.0}
    for run in doc["runs"]:
        if run["config"] == "P4":
            run["stages"]["recv"] = copy.deepcopy(run["stages"]["total"])
    for a in doc["aggregates"]:
        if a["config"] == "P4":
            a["stages"]["recv"] = copy.deepcopy(a["stages"]["total"])
            a["stages"]["recv"]["p50_ns"] = recv_p50
    results = model.parse(doc, "served.json")
    p4 = document.stage_table(results, results.aggregate("P4"))
    rows = {r.cells[0]: r.cells for r in p4.rows}
    assert list(rows)[-1] == "recv (HTTP front end)"
    assert "send (HTTP front end)" not in rows  # no request went through it
    assert rows["recv (HTTP front end)"][1:] == [fmt_estimate(recv_p50), "outside total", "100 %"]
    assert any("not part of total" in n for n in p4.notes)
    p3 = document.stage_table(results, results.aggregate("P3"))
    assert not any("HTTP front end" in r.cells[0] for r in p3.rows)
    assert not any("not part of total" in n for n in p3.notes)


def test_plan_table_sets_the_hypotheses_beside_the_measurements(phases_out):
    doc = raw(PHASES_JSON)
    rows = rows_by(md_tables((phases_out / "report.md").read_text())
                   ["Plan predicted vs measured"], "figure (config)")
    # The fixture stops at P4: rows without a prediction (P5) appear only when measured.
    assert [r for r in rows] == [p.label for p in plan.PREDICTIONS if p.predicted_ns is not None]
    predicted = {"total, P0 (current)": 6500, "total, P1 (after #1 direct)": 3000,
                 "total, P2 (after #2 lock-free)": 2200,
                 "total, P3 (after #3 sub-interp)": 1200,
                 "total, P4 (after #4 inline future)": 700}
    for label, ns in predicted.items():
        config = label.split(", ")[1][:2]
        e = raw_aggregate(doc, config)["stages"]["total"]["p50_ns"]
        assert rows[label]["plan's prediction (hypothesis)"] == format_ns(ns)
        assert rows[label]["measured median p50 [CI]"] == fmt_estimate(e)
        assert rows[label]["measured / predicted"] == format_ratio(e["median"] / ns)
    gil = raw_aggregate(doc, "P3")["stages"]["gil"]["p50_ns"]
    assert rows["gil, P3 (after #3 sub-interp)"]["plan's prediction (hypothesis)"] == "100 ns"
    assert rows["gil, P3 (after #3 sub-interp)"]["measured median p50 [CI]"] == \
        fmt_estimate(gil)
    p1 = raw_aggregate(doc, "P1")["stages"]
    direct = p1["gil"]["p50_ns"]["median"] + p1["marshal"]["p50_ns"]["median"]
    row = rows["direct-call path, P1 (gil + marshal)"]
    assert row["measured median p50 [CI]"] == f"{format_ns(direct)} (sum of medians; no CI)"
    assert row["measured / predicted"] == format_ratio(direct / 500)


def _with_p5():
    """The phases fixture plus a P5 (P4 + fast-marshal) measured 40 % below P4."""
    doc = raw(PHASES_JSON)
    for key in ("aggregates", "runs"):
        extra = []
        for entry in doc[key]:
            if entry["config"] == "P4":
                p5 = copy.deepcopy(entry)
                p5.update(config="P5", phase="P5", opts=entry["opts"] + ["fast-marshal"])
                for stage in p5.get("stages", {}).values():
                    for name, value in stage.items():
                        if isinstance(value, dict) and "median" in value:
                            for k in ("median", "ci_low", "ci_high", "min", "max"):
                                if k in value:
                                    value[k] *= 0.6
                        elif name.endswith("_ns") and isinstance(value, (int, float)):
                            stage[name] = value * 0.6
                extra.append(p5)
        doc[key] += extra
    return doc


def test_p5_is_measured_but_has_no_plan_prediction(tmp_path):
    doc = _with_p5()
    results = model.parse(doc, "with_p5.json")
    assert [a.config for a in results.sequence()] == ["P0", "P1", "P2", "P3", "P4", "P5"]
    rows = {r.cells[0]: r for r in document.plan_table(results).rows}
    total = rows["total, P5 (after #5 fast-marshal)"]
    assert total.cells[1] == plan.NO_PREDICTION
    assert total.cells[2] == fmt_estimate(raw_aggregate(doc, "P5")["stages"]["total"]["p50_ns"])
    assert total.cells[3] == document.MISSING
    assert rows["marshal, P5 (after #5 fast-marshal)"].cells[1] == plan.NO_PREDICTION
    summary = {r.cells[0]: r for r in document.summary_table(results).rows}
    assert "P5" in summary and "+fast-marshal" in summary["P5"].cells[1]
    path = tmp_path / "with_p5.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert cli.main([str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "none for P5: fast-marshal is beyond the plan" in md.replace("\n", " ")


def test_environment_and_method_tables_show_the_context(phases_out):
    doc = raw(PHASES_JSON)
    c, cfg = doc["context"], doc["config"]
    tables = md_tables((phases_out / "report.md").read_text())
    env = {r["item"]: r["value"] for r in tables["Environment and method"]}
    assert env["host"] == c["host"] and env["CPU"] == c["cpu_model"]
    assert env["CPUs"] == str(c["cpus"]) and env["kernel"] == c["kernel"]
    assert env["Python"] == f"{c['python']['version']} ({c['python']['executable']})"
    assert env["compiler"] == c["compiler"] and env["build type"] == c["build_type"]
    assert env["git revision"] == c["git_revision"] and env["date"] == c["date"]
    assert env["steal time"] == format_pct(c["steal_pct"])
    assert "FASTERBENCH_OPT_DIRECT=ON" in env["CMake options"]
    method = {r["item"]: r["value"] for r in tables["Method"]}
    assert method["repetitions"] == f"{cfg['repetitions']} (each repetition in its own process)"
    assert method["requests per repetition"] == f"{cfg['requests']:,}"
    assert method["warm-up requests (excluded)"] == f"{cfg['warmup']:,}"
    assert method["clients"] == str(cfg["clients"]) and method["workers"] == str(cfg["workers"])
    assert method["probes backend"] == "inproc"
    assert method["clock"] == f"tsc, stamp cost {format_ns(c['clock']['stamp_cost_ns'])}"
    assert method["probe sampling"] == "every request"
    routes = md_tables((phases_out / "report.md").read_text())["Routes"]
    assert [r["path"] for r in routes] == [r["path"] for r in doc["routes"]]


def test_ablation_table_equals_the_stored_savings(ablation_out):
    doc = raw(ABLATION_JSON)
    tables = md_tables((ablation_out / "report.md").read_text())
    rows = rows_by(tables["Ablation"], "optimization")
    assert list(rows) == [e["optimization"] for e in doc["ablation"]]
    for e in doc["ablation"]:
        r = rows[e["optimization"]]
        for ns_header, pct_header, key in (
                ("alone (vs P0): saving [CI]", "alone: % [CI]", "alone"),
                ("left out (vs all): saving [CI]", "left out: % [CI]", "leave_out")):
            ns, p = e[f"{key}_saving_ns"], e[f"{key}_saving_pct"]
            ns_cell = fmt_estimate(ns)
            pct_cell = (f"{format_pct(p['median'])} [{format_pct(p['ci_low'])}, "
                        f"{format_pct(p['ci_high'])}]")
            if ns["ci_low"] <= 0 <= ns["ci_high"]:  # no difference measured
                ns_cell, pct_cell = f"~ {ns_cell}", f"~ {pct_cell}: no difference measured"
            assert r[ns_header] == ns_cell
            assert r[pct_header] == pct_cell
    # The fixture's "-lockfree" is noisy: lockfree's leave-out saving straddles 0.
    lockfree = next(e for e in doc["ablation"] if e["optimization"] == "lockfree")
    assert lockfree["leave_out_saving_ns"]["ci_low"] < 0 < \
        lockfree["leave_out_saving_ns"]["ci_high"]
    assert rows["lockfree"]["left out: % [CI]"].endswith(": no difference measured")
    assert not rows["direct"]["left out: % [CI]"].startswith("~")
    others = rows_by(tables["Ablation configurations"], "config")
    assert set(others) == {"direct", "lockfree", "subinterp", "inline-future", "-direct",
                           "-lockfree", "-subinterp", "-inline-future"}
    assert others["lockfree"]["total p50 [CI]"] == \
        fmt_estimate(raw_aggregate(doc, "lockfree")["stages"]["total"]["p50_ns"])


# -- Noise warnings -----------------------------------------------------------------------

def test_noise_warnings_in_pyperf_manner(phases_out, ablation_out):
    md = (phases_out / "report.md").read_text()
    assert f"only 3 repetitions: CIs are wide; use >= {noise.MIN_REPETITIONS}" in md
    spread = raw_aggregate(raw(PHASES_JSON), "P2")["stages"]["total"]["p50_ns"]["spread_pct"]
    assert spread > noise.MAX_SPREAD_PCT
    assert (f"P2 total p50 spread is {format_pct(spread)} of the median "
            f"(> {format_pct(noise.MAX_SPREAD_PCT)}): results may be unstable") in md
    assert "P1 total p50 spread" not in md  # quiet phases are not flagged
    assert "steal time" not in md.split("## Summary")[0]  # 0.8 % is below the threshold
    md = (ablation_out / "report.md").read_text()
    assert "steal time 4.2 % during the run" in md


def test_noise_check_flags_errors_and_a_debug_build():
    doc = raw(PHASES_JSON)
    doc["context"]["build_type"] = "Debug"
    doc["runs"][0]["errors"] = 7
    warnings = noise.check(model.parse(doc, "x.json"))
    assert any(w.startswith("build type Debug") for w in warnings)
    assert any(w.startswith(f"{doc['runs'][0]['config']}: 7 of 60,000 requests failed")
               for w in warnings)


# -- Unsupported configurations -----------------------------------------------------------

def test_unsupported_rows_show_their_reason(unsupported_out):
    doc = raw(UNSUPPORTED_JSON)
    reason = raw_aggregate(doc, "P3")["unsupported_reason"]
    md = (unsupported_out / "report.md").read_text()
    summary = rows_by(md_tables(md)["Summary"], "config")
    assert list(summary) == PHASES
    for config in ("P3", "P4"):
        assert summary[config]["total p50 [CI]"] == f"unsupported: {reason}"
        assert summary[config]["step Δ total p50"] == "—"
    assert summary["P2"]["total p50 [CI]"] == \
        fmt_estimate(raw_aggregate(doc, "P2")["stages"]["total"]["p50_ns"])
    plan_rows = rows_by(md_tables(md)["Plan predicted vs measured"], "figure (config)")
    assert plan_rows["gil, P3 (after #3 sub-interp)"]["measured median p50 [CI]"] == \
        f"unsupported: {reason}"
    text = (unsupported_out / "report.html").read_text()
    assert '<tr class="unsupported">' in text
    assert html.escape(f"unsupported: {reason}") in text
    assert md.count(f"Skipped in this chart: P3, P4 (unsupported: {reason})") == 3


def test_unsupported_configs_are_skipped_in_charts(tmp_path):
    from reports import charts

    results = model.load(UNSUPPORTED_JSON)
    for draw in (charts.waterfall, charts.stages, charts.percentiles):
        chart = draw(results, tmp_path / f"{draw.__name__}.png")
        assert chart.shown == ["P0", "P1", "P2"]
        assert [a.config for a in chart.skipped] == ["P3", "P4"]


def _only_p3_unsupported():
    doc = raw(PHASES_JSON)
    reason = "FASTERBENCH_OPT_SUBINTERP=OFF at compile time"
    for entry in doc["aggregates"] + doc["runs"]:
        if entry["config"] == "P3":
            entry.update(supported=False, unsupported_reason=reason, stages={})
    agg = raw_aggregate(doc, "P3")
    del agg["throughput_rps"]
    return doc, reason


def test_a_step_after_an_unsupported_phase_is_taken_vs_the_last_supported_one():
    doc, reason = _only_p3_unsupported()
    results = model.parse(doc, "only_p3.json")
    assert [s.config for s in derive.steps(results)] == ["P0", "P1", "P2", "P4"]
    rows = {r.cells[0]: r for r in document.summary_table(results).rows}
    assert rows["P3"].css == "unsupported"
    assert rows["P3"].cells[2] == f"unsupported: {reason}"
    assert rows["P4"].cells[-1] == fmt_difference("P2", "P4", doc)


def _single_run_config():
    """A `fasterbench run --opt direct,lockfree` document: one non-phase config, every
    repetition in one process, no instrumentation tax."""
    doc = raw(PHASES_JSON)
    doc["aggregates"] = [a for a in doc["aggregates"] if a["config"] == "P2"]
    doc["runs"] = [r for r in doc["runs"] if r["config"] == "P2"]
    for entry in doc["aggregates"] + doc["runs"]:
        entry.update(config="direct+lockfree", phase=None)
    del doc["instrumentation_tax"], doc["config"]["isolation"]
    doc["tool"]["command"] = "run"
    return doc


def _nothing_supported():
    """Only P3 was asked for, on a Python without own-GIL sub-interpreters."""
    doc = raw(UNSUPPORTED_JSON)
    doc["aggregates"] = [a for a in doc["aggregates"] if a["config"] == "P3"]
    doc["runs"] = [r for r in doc["runs"] if r["config"] == "P3"]
    return doc


@pytest.mark.parametrize("make", [_single_run_config, _nothing_supported])
def test_documents_without_a_phase_sequence_still_render(tmp_path, make, capsys,
                                                        recwarn):
    src = tmp_path / "results.json"
    src.write_text(json.dumps(make()), encoding="utf-8")
    assert cli.main([str(src), "--out", str(tmp_path / "report"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert [str(w.message) for w in recwarn] == []  # e.g. matplotlib's empty legend
    assert set(os.listdir(tmp_path / "report")) == BASE_FILES
    md = (tmp_path / "report" / "report.md").read_text()
    summary = md_tables(md)["Summary"]
    assert len(summary) == 1
    assert summary[0]["config"] in ("direct+lockfree", "P3")


# -- Command line, errors, atomic output --------------------------------------------------

def test_cli_help_and_usage_errors():
    r = run_cli("--help")
    assert r.returncode == 0 and "--out" in r.stdout
    r = run_cli(PHASES_JSON)  # --out missing
    assert r.returncode == 2 and "--out" in r.stderr


def _bad_inputs(tmp_path):
    """{case: (path, expected message fragment)} of invalid results files."""
    text = PHASES_JSON.read_text(encoding="utf-8")
    cases = {"missing": (tmp_path / "nope.json", "cannot read: No such file")}

    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    cases["truncated"] = (truncated, "not valid JSON")

    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    cases["empty"] = (empty, "not valid JSON")

    def variant(name, edit, fragment):
        doc = json.loads(text)
        edit(doc)
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(doc), encoding="utf-8")
        cases[name] = (p, fragment)

    variant("no_host", lambda d: d["context"].pop("host"), "missing key 'context.host'")
    variant("no_total", lambda d: d["aggregates"][2]["stages"].pop("total"),
            "missing key 'aggregates[2].stages.total'")
    variant("no_median",
            lambda d: d["aggregates"][1]["stages"]["gil"]["p99_ns"].pop("median"),
            "missing key 'aggregates[1].stages.gil.p99_ns.median'")
    variant("bad_ci", lambda d: d["aggregates"][0]["stages"]["total"]["p50_ns"]
            .update(ci_low=1e9), "'aggregates[0].stages.total.p50_ns' must satisfy "
            "ci_low <= median <= ci_high")
    variant("string_count", lambda d: d["runs"][0].update(errors="0"),
            "'runs[0].errors' must be an integer, got string")
    variant("schema_2", lambda d: d.update(schema_version=2),
            "unsupported schema_version 2")
    variant("no_reason", lambda d: d["aggregates"][3].update(supported=False,
                                                             unsupported_reason=""),
            "'aggregates[3].unsupported_reason' must say why")
    variant("unknown_run", lambda d: d["runs"][0].update(config="P9"),
            "'runs[0].config' 'P9' has no entry in 'aggregates'")
    return cases


#: Bad inputs checked through a real subprocess; the others run main() in-process.
SUBPROCESS_CASES = ("missing", "truncated", "no_host")


def test_invalid_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    cases = _bad_inputs(inputs)
    assert set(SUBPROCESS_CASES) <= set(cases)
    for case, (path, fragment) in cases.items():
        out = work / case / "report"  # parent does not exist either
        if case in SUBPROCESS_CASES:
            r = run_cli(path, "--out", out)
            rc, stdout, stderr = r.returncode, r.stdout, r.stderr
        else:
            rc = cli.main([str(path), "--out", str(out)])
            stdout, stderr = capsys.readouterr()
        assert rc == 2, (case, stderr)
        assert stdout == ""
        line = stderr.rstrip("\n")
        assert "\n" not in line and "Traceback" not in line, (case, stderr)
        assert line.startswith(f"reports: error: {path}: "), (case, line)
        assert fragment in line, (case, line)
        assert not (work / case).exists(), case
    assert os.listdir(work) == []


def test_invalid_input_leaves_an_existing_output_dir_untouched(tmp_path, phases_out):
    out = tmp_path / "report"
    shutil.copytree(phases_out, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    truncated = tmp_path.parent / f"{tmp_path.name}-truncated.json"
    truncated.write_text(PHASES_JSON.read_text()[:5000], encoding="utf-8")
    r = run_cli(truncated, "--out", out)
    assert r.returncode == 2
    assert snapshot(tmp_path) == before


def test_a_failure_while_rendering_leaves_nothing_half_written(tmp_path, monkeypatch,
                                                             phases_out):
    from reports import charts

    def boom(results, path):
        raise RuntimeError("chart failed")

    # Fails after waterfall.png and stages.png were already drawn (into the temp dir).
    monkeypatch.setattr(charts, "percentiles", boom)
    fresh = tmp_path / "a" / "b" / "report"
    with pytest.raises(RuntimeError, match="chart failed"):
        reports.render(PHASES_JSON, fresh)
    assert os.listdir(tmp_path) == []  # not even the parents a/b it had to create

    existing = tmp_path / "existing"
    shutil.copytree(phases_out, existing)
    before = snapshot(tmp_path)
    with pytest.raises(RuntimeError, match="chart failed"):
        reports.render(PHASES_JSON, existing)
    assert snapshot(tmp_path) == before


def test_rerendering_replaces_files_and_drops_a_stale_ablation_png(tmp_path, ablation_out):
    out = tmp_path / "report"
    shutil.copytree(ablation_out, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli.main([str(PHASES_JSON), "--out", str(out), "-q"]) == 0
    assert set(os.listdir(out)) == BASE_FILES | {"notes.txt"}
    assert "## Ablation" not in (out / "report.md").read_text()
    assert os.listdir(tmp_path) == ["report"]


def test_output_path_that_is_a_file_is_an_input_error(tmp_path):
    target = tmp_path / "report"
    target.write_text("x", encoding="utf-8")
    r = run_cli(PHASES_JSON, "--out", target)
    assert r.returncode == 2 and "not a directory" in r.stderr
    assert target.read_text() == "x"


# -- Differences: gained or lost only when the CI excludes 0 --------------------------------

def test_difference_with_fewer_than_three_values_is_the_range_over_all_pairs():
    d = significance.difference([100.0, 110.0], [90.0])
    assert (d.median, d.ci_low, d.ci_high) == (-15.0, -20.0, -10.0)
    assert d.pct == pytest.approx(-100 * 15 / 105)
    assert d.change is Change.FASTER
    d = significance.difference([100.0, 110.0], [95.0, 120.0])
    assert (d.ci_low, d.ci_high) == (-15.0, 20.0) and d.change is Change.NONE


def test_difference_bootstraps_the_median_difference_reproducibly():
    before, after = [100.0, 101.0, 102.0, 103.0, 104.0], [200.0, 201.0, 202.0, 203.0, 204.0]
    d = significance.difference(before, after)
    assert d.median == 100.0 and d.change is Change.SLOWER
    # Every resample's medians are values of the samples: the CI lies within the pairs.
    assert 96.0 <= d.ci_low <= d.median <= d.ci_high <= 104.0
    assert significance.difference(before, after) == d  # seeded
    same = significance.difference(before, list(reversed(before)))
    assert same.ci_low < 0 < same.ci_high and same.change is Change.NONE
    with pytest.raises(ValueError):
        significance.difference([], [1.0])


def test_a_ci_touching_zero_is_no_difference_as_on_the_console():
    assert significance.latency_change(0.0, 10.0) is Change.NONE
    assert significance.latency_change(-10.0, 0.0) is Change.NONE
    assert significance.latency_change(-10.0, -1.0) is Change.FASTER
    assert significance.latency_change(1.0, 10.0) is Change.SLOWER
    e = model.Estimate(median=5.0, ci_low=0.0, ci_high=11.0)
    assert significance.saving_change(e) is Change.NONE


def _captured_figures(monkeypatch):
    """Keep the figures the chart functions draw instead of saving and closing them."""
    from reports import charts

    figures = []
    monkeypatch.setattr(charts, "_save", lambda fig, path: figures.append(fig))
    return charts, figures


def _patches_by_gid(fig, prefix):
    return {p.get_gid(): p for ax in fig.axes for p in ax.patches
            if (p.get_gid() or "").startswith(prefix)}


def _legend_texts(fig):
    return [t.get_text() for ax in fig.axes if ax.get_legend()
            for t in ax.get_legend().get_texts()]


def _same_color(a, b):
    from matplotlib.colors import to_rgb

    return to_rgb(a) == pytest.approx(to_rgb(b))


def test_waterfall_colours_a_step_only_when_its_ci_excludes_zero(monkeypatch, tmp_path):
    charts, figures = _captured_figures(monkeypatch)
    charts.waterfall(model.load(PHASES_JSON), tmp_path / "w.png")
    fig = figures.pop()
    steps = _patches_by_gid(fig, "step:")
    assert set(steps) == {"step:P1:FASTER", "step:P2:NONE", "step:P3:FASTER",
                          "step:P4:FASTER"}
    assert _same_color(steps["step:P2:NONE"].get_facecolor(), charts.NEUTRAL_COLOR)
    assert _same_color(steps["step:P1:FASTER"].get_facecolor(), charts.SAVING_COLOR)
    labels = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    assert labels["step-label:P2:NONE"].startswith("~ ")
    assert _same_color(next(t for t in fig.axes[0].texts
                            if t.get_gid() == "step-label:P2:NONE").get_color(),
                       charts.NEUTRAL_COLOR)
    assert not labels["step-label:P1:FASTER"].startswith("~")
    assert "no difference measured (the step's 95 % CI includes 0)" in _legend_texts(fig)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_waterfall_colours_a_measured_regression_red(monkeypatch, tmp_path):
    doc = raw(PHASES_JSON)
    for entry in doc["runs"]:  # P3 made 60 % slower than P2, far beyond the noise
        if entry["config"] == "P3":
            entry["stages"]["total"]["p50_ns"] *= 1.6
    agg = raw_aggregate(doc, "P3")["stages"]["total"]["p50_ns"]
    for k in ("median", "ci_low", "ci_high", "min", "max"):
        agg[k] *= 1.6
    charts, figures = _captured_figures(monkeypatch)
    charts.waterfall(model.parse(doc, "slow_p3.json"), tmp_path / "w.png")
    fig = figures.pop()
    steps = _patches_by_gid(fig, "step:")
    assert _same_color(steps["step:P3:SLOWER"].get_facecolor(), charts.REGRESSION_COLOR)
    assert "added by this step (regression)" in _legend_texts(fig)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_ablation_heatmap_greys_a_saving_whose_ci_straddles_zero(monkeypatch, tmp_path):
    results = model.load(ABLATION_JSON)
    charts, figures = _captured_figures(monkeypatch)
    charts.ablation(results, tmp_path / "a.png")
    fig = figures.pop()
    cells = _patches_by_gid(fig, "ablation:")
    neutral = cells["ablation:lockfree:leave_out_saving_ns:NONE"]
    assert _same_color(neutral.get_facecolor(), charts.NEUTRAL_COLOR)
    assert "ablation:direct:alone_saving_ns:FASTER" in cells
    # A neutral cell takes no colour from the scale (the image is masked there) ...
    image = fig.axes[0].images[0].get_array()
    row = [e.optimization for e in results.ablation].index("lockfree")
    assert np.ma.is_masked(image[row, 1]) and not np.ma.is_masked(image[row, 0])
    # ... and says so, in the cell and in the legend.
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("~ 410 ns (6.7 %)") and t.endswith("no difference measured")
               for t in texts)
    assert "no difference measured (95 % CI includes 0)" in _legend_texts(fig)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_ablation_configurations_mark_a_difference_inside_the_noise():
    doc = raw(ABLATION_JSON)
    doc["runs"] = [r for r in doc["runs"] if r["config"] != "subinterp"] + [
        dict(r, config="subinterp", opts=["subinterp"]) for r in doc["runs"]
        if r["config"] == "P0"]  # subinterp alone measured exactly as P0
    p0 = raw_aggregate(doc, "P0")
    raw_aggregate(doc, "subinterp")["stages"] = copy.deepcopy(p0["stages"])
    results = model.parse(doc, "x.json")
    rows = {r.cells[0]: r.cells[-1] for r in document.others_table(results).rows}
    assert rows["subinterp"] == fmt_difference("P0", "subinterp", doc, vs=False)
    assert rows["subinterp"].startswith("~ 0 ns (0.0 %)")
    assert rows["lockfree"] == fmt_difference("P0", "lockfree", doc, vs=False)
    assert not rows["lockfree"].startswith("~")


# -- Method table: placement, hygiene, instrumentation tax ----------------------------------

def _method(out):
    return {r["item"]: r["value"]
            for r in md_tables((out / "report.md").read_text())["Method"]}


def test_method_table_states_placement_hygiene_and_the_instrumentation_tax(phases_out):
    doc = raw(PHASES_JSON)
    method = _method(phases_out)
    assert method["placement (--pin)"] == (
        "shared (every pipeline thread on one CPU) within CPUs 0,1: clients on 0 · "
        "workers on 0 · event loops on 0")
    assert method["hash seed (PYTHONHASHSEED)"] == "0, fixed (set by --hash-seed)"
    assert method["ASLR"] == "off: the same addresses in every process"
    assert method["environment"] == "fixed: 16,384 bytes of arguments and environment"
    assert method["stage points stamped"] == "every point"
    taxes = [k for k in method if k.startswith("instrumentation tax, ")]
    assert taxes == [f"instrumentation tax, {c}" for c in PHASES]
    for t in doc["instrumentation_tax"]:
        cell = method[f"instrumentation tax, {t['config']}"]
        ns, pct = t["tax_ns"], t["tax_pct"]
        expected = (f"{format_delta_ns(ns['median'])} [{format_delta_ns(ns['ci_low'])}, "
                    f"{format_delta_ns(ns['ci_high'])}] = {format_pct(pct['median'])} "
                    f"[{format_pct(pct['ci_low'])}, {format_pct(pct['ci_high'])}] of total "
                    f"p50 ({format_ns(t['total_p50_ns']['all'])} with every point, "
                    f"{format_ns(t['total_p50_ns']['ends'])} with the ends only; "
                    f"{t['repetitions'][0]} + {t['repetitions'][1]} repetitions)")
        if ns["ci_low"] <= 0 <= ns["ci_high"]:
            expected = f"no tax measured (the CI includes 0): ~ {expected}"
        assert cell == expected
    assert method["instrumentation tax, P2"].startswith("no tax measured")  # P2's noise
    assert method["instrumentation tax, P0"].startswith("+148 ns [+141 ns, +163 ns] = 1.1 %")


def test_a_negative_tax_is_stated_as_such(ablation_out):
    method = _method(ablation_out)
    assert method["instrumentation tax, P2"].startswith(
        "negative (faster with every point): -398 ns")


def test_older_documents_say_what_they_did_not_record(unsupported_out):
    md = (unsupported_out / "report.md").read_text()
    method = _method(unsupported_out)
    assert method["placement (--pin)"] == "not recorded"
    assert method["hash seed, ASLR, environment"] == "not recorded"
    assert method["instrumentation tax"] == "not recorded"
    assert "Not recorded: these results carry no noise budget" in md
    assert "Threads: not recorded" in md
    assert "Placement: not recorded." in md


# -- Noise budget, bimodality, threads ------------------------------------------------------

def test_noise_section_shows_each_configurations_budget(phases_out):
    doc = raw(PHASES_JSON)
    rows = rows_by(md_tables((phases_out / "report.md").read_text())["Noise budget"],
                   "config")
    assert list(rows) == PHASES  # no '/ends' twin
    for config in PHASES:
        n = raw_aggregate(doc, config)["noise"]
        row = rows[config]
        assert row["repetitions × blocks"] == \
            f"{n['repetitions']} × {n['blocks_per_repetition']}"
        assert row["within one repetition"] == format_pct(n["within_pct"])
        assert row["between processes"] == format_pct(n["between_pct"])
        assert row["share of variance between"] == format_pct(100 * n["between_share"])
        assert row["populations"] == "one"


def test_noise_of_a_run_document_is_between_repetitions_of_one_process(tmp_path):
    src = tmp_path / "run.json"
    src.write_text(json.dumps(_single_run_config()), encoding="utf-8")
    assert cli.main([str(src), "--out", str(tmp_path / "report"), "-q"]) == 0
    md = (tmp_path / "report" / "report.md").read_text()
    row = md_tables(md)["Noise budget"][0]
    assert "between repetitions (one process)" in row and "between processes" not in row
    assert "between repetitions, all in one process" in md
    method = _method(tmp_path / "report")
    assert method["repetitions"] == "3 (all repetitions in one process)"
    assert method["instrumentation tax"].startswith("not measured: `run` measures")


def test_bimodal_warning_is_shown_first_in_every_output(bimodal_out):
    out, stdout = bimodal_out
    message = raw_aggregate(raw(BIMODAL_JSON), "P0")["bimodal"]["message"]
    assert message.startswith("P0: 3 repetitions at 14.1 µs, 3 at 19.8 µs")
    # The console: the first warning.
    warnings = [line for line in stdout.splitlines() if line.startswith("reports: warning:")]
    assert warnings[0] == f"reports: warning: {message}"
    # report.md: at the top, before the summary, marked.
    md = (out / "report.md").read_text()
    top = md.split("## Summary")[0]
    assert f"- **⚠ bimodal:** {message}" in top
    # report.html: in its own highlighted list, before the summary.
    text = (out / "report.html").read_text()
    at = text.index(f'<ul class="bimodal"><li>{html.escape(message)}</li></ul>')
    assert at < text.index("<h2>Summary</h2>")
    assert "ul.bimodal" in text  # styled
    rows = rows_by(md_tables(md)["Noise budget"], "config")
    assert rows["P0"]["populations"] == "two: 3 at 14.1 µs, 3 at 19.8 µs"
    assert rows["P1"]["populations"] == "one"
    assert '<tr class="alert"><td class="l">P0</td>' in text
    # Nearly all of P0's variance is between processes: the process decides.
    assert rows["P0"]["share of variance between"] == "100 %"


def test_waterfall_flags_a_bimodal_configuration(monkeypatch, tmp_path):
    charts, figures = _captured_figures(monkeypatch)
    charts.waterfall(model.load(BIMODAL_JSON), tmp_path / "w.png")
    fig = figures.pop()
    ticks = {t.get_text(): t for t in fig.axes[0].get_xticklabels()}
    assert set(ticks) == {"P0\nbaseline\n⚠ bimodal", "P1\n+direct"}
    assert _same_color(ticks["P0\nbaseline\n⚠ bimodal"].get_color(), charts.BIMODAL_COLOR)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_bimodality_check_finds_two_clusters_or_none():
    results = model.load(BIMODAL_JSON)
    p0, p1 = results.aggregate("P0"), results.aggregate("P1")
    assert p0.bimodal.low.repetitions == (0, 2, 4)
    assert p0.bimodal.high.repetitions == (1, 3, 5)
    assert p0.bimodal.low.placements == {"same CPU": 3}
    assert p0.bimodal.high.placements == {"different CPUs": 3}
    assert p1.bimodal is None and p1.bimodal_checked
    assert noise.two_populations(results) == [p0.bimodal.message]
    old = model.load(UNSUPPORTED_JSON).aggregate("P0")
    assert old.bimodal is None and not old.bimodal_checked
    assert document.populations_cell(old) == "not recorded"


def test_threads_section_summarises_hand_offs_and_lists_the_first_repetition(bimodal_out,
                                                                          phases_out):
    out, _ = bimodal_out
    md = (out / "report.md").read_text()
    tables = md_tables(md)
    handoffs = {r["config"]: r["client → worker hand-offs"]
                for r in tables["Threads and placement"]}
    assert handoffs == {"P0": "same CPU in 3, different CPUs in 3 of 6 repetitions",
                        "P1": "same CPU in 5, moved in 1 of 6 repetitions"}
    assert "Placement: off (the OS places the threads) within CPUs 0,1" in md
    assert _method(out)["instrumentation tax"] == \
        "not measured (phases --no-instrumentation-tax)"

    doc = raw(PHASES_JSON)
    rows = md_tables((phases_out / "report.md").read_text())[
        "Threads of the first repetition"]
    first = {c: next(r for r in doc["runs"] if r["config"] == c and r["repetition"] == 0)
             for c in PHASES}
    expected = [(c, t) for c in PHASES for t in first[c]["threads"]
                if t["role"] in ("client", "worker", "loop") and t["cpus_seen"]]
    assert [(r["config"], r["thread"]) for r in rows] == [(c, t["name"]) for c, t in expected]
    for row, (config, t) in zip(rows, expected):
        assert row["CPUs seen"] == ",".join(map(str, t["cpus_seen"]))
        assert row["affinity"] == ",".join(map(str, t["affinity"]))
        assert row["migrations"] == str(t["migrations"])
        assert row["switches vol / invol"] == \
            f"{format_count(t['voluntary_switches'])} / {format_count(t['involuntary_switches'])}"
        assert row["on CPU"] == format_ns(t["run_ms"] * 1e6)
        assert row["runqueue"] == format_ns(t["runqueue_ms"] * 1e6)
    assert "fasterbench" not in [r["thread"] for r in rows]  # the main thread


def test_handoff_placement_matches_the_harness_classification():
    def run(*threads):
        return model.Run(
            config="P0", phase="P0", opts=(), repetition=0, supported=True,
            unsupported_reason="", requests=1, errors=0, duration_s=1.0,
            throughput_rps=1.0, allocations_per_request=None, demotions=0,
            steal_pct=None, stages={}, probe_backend="inproc", stamp_cost_ns=1.0,
            threads=tuple(model.ThreadStats(role, 0, role, 1, tuple(cpus), (0, 1), 0, 0,
                                            0, 0.0, 0.0) for role, cpus in threads))
    assert derive.handoff_placement(run(("client", [0]), ("worker", [0]))) == "same CPU"
    assert derive.handoff_placement(run(("client", [0]), ("worker", [1]))) == \
        "different CPUs"
    assert derive.handoff_placement(run(("client", [0, 1]), ("worker", [1]))) == "moved"
    assert derive.handoff_placement(run(("client", [0]), ("worker", []))) == \
        "no worker ran"
    assert derive.handoff_placement(run(("client", [0]), ("client", [1]),
                                        ("worker", [1]))) == "mixed"
    assert derive.handoff_placement(run(("loop", [0, 1]), ("client", [0]),
                                        ("worker", [0]))) == "same CPU"


# -- The instrumentation-tax twins stay out of the plan ------------------------------------

def test_ends_twins_feed_only_the_instrumentation_tax(phases_out, ablation_out, tmp_path):
    for path, out in ((PHASES_JSON, phases_out), (ABLATION_JSON, ablation_out)):
        doc = raw(path)
        twins = [a["config"] for a in doc["aggregates"] if a["config"].endswith("/ends")]
        assert twins, path  # the fixture has them
        results = model.load(path)
        assert [a.config for a in results.twins] == twins
        assert not any(a.config.endswith("/ends") for a in results.aggregates)
        assert not any("/ends" in w for w in noise.check(results))
        md = (out / "report.md").read_text()
        for twin in twins:
            assert twin not in md, twin  # no table, heading or warning names a twin
        tables = md_tables(md)
        assert list(rows_by(tables["Summary"], "config")) == PHASES
        assert list(rows_by(tables["Noise budget"], "config"))[:5] == PHASES
    from reports import charts

    results = model.load(ABLATION_JSON)
    for draw in (charts.waterfall, charts.stages, charts.percentiles):
        assert draw(results, tmp_path / f"{draw.__name__}.png").shown == PHASES
    assert {a.config for a in results.others()} == {
        "direct", "lockfree", "subinterp", "inline-future", "-direct", "-lockfree",
        "-subinterp", "-inline-future"}


def test_a_document_stamped_at_the_ends_only_reports_itself(tmp_path):
    """`run --stamps ends`: no configuration stamped every point, so nothing is a twin."""
    doc = raw(PHASES_JSON)
    doc["runs"] = [r for r in doc["runs"] if r["config"] == "P0/ends"]
    doc["aggregates"] = [a for a in doc["aggregates"] if a["config"] == "P0/ends"]
    del doc["instrumentation_tax"]
    doc["tool"]["command"] = "run"
    results = model.parse(doc, "ends.json")
    assert [a.config for a in results.aggregates] == ["P0/ends"] and not results.twins
    assert not any("closure residual" in w for w in noise.check(results))
    src = tmp_path / "ends.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    assert cli.main([str(src), "--out", str(tmp_path / "report"), "-q"]) == 0
    md = (tmp_path / "report" / "report.md").read_text()
    assert _method(tmp_path / "report")["stage points stamped"] == document.ENDS_ONLY
    assert "total is a measurement, the stage figures below are not" in md


# -- Validation of the keys added after the first format ----------------------------------

def _edit_run(i, **changes):
    return lambda d: d["runs"][i].update(changes)


NEW_KEY_CASES = [
    (lambda d: d["context"]["placement"].update(policy="sometimes"),
     "'context.placement.policy' must be one of off, shared, split, got 'sometimes'"),
    (lambda d: d["context"]["placement"]["roles"].pop("loop"),
     "missing key 'context.placement.roles.loop'"),
    (lambda d: d["context"]["placement"].update(cpus=[0, -1]),
     "'context.placement.cpus[1]' must be a CPU number (an integer >= 0), got number -1"),
    (lambda d: d["context"].update(process=[]),
     "'context.process' must be an object, got array"),
    (lambda d: d["context"]["process"].update(hash_seed="fixed"),
     "'context.process.hash_seed' must be an integer >= 0 or \"random\", got string 'fixed'"),
    (lambda d: d["context"]["process"].update(aslr="maybe"),
     "'context.process.aslr' must be one of on, off, got 'maybe'"),
    (lambda d: d["runs"][0]["threads"][1].update(role="boss"),
     "'runs[0].threads[1].role' must be one of main, client, worker, loop, other, "
     "got 'boss'"),
    (lambda d: d["runs"][0]["threads"][1].update(migrations="2"),
     "'runs[0].threads[1].migrations' must be null or an integer >= 0, got '2'"),
    (lambda d: d["runs"][0]["threads"][2].pop("runqueue_ms"),
     "missing key 'runs[0].threads[2].runqueue_ms'"),
    (lambda d: d["runs"][0]["blocks"][3].pop("requests"),
     "missing key 'runs[0].blocks[3].requests'"),
    (_edit_run(0, stamps="some"),
     "'runs[0].stamps' must be one of all, ends, got 'some'"),
    (_edit_run(5, stamps="ends"),  # P0's second repetition (runs are interleaved)
     "'runs[5].stamps' is 'ends' but 'runs[0].stamps' of the same configuration 'P0' "
     "is 'all'"),
    (lambda d: d["aggregates"][1]["noise"].update(between_share=1.5),
     "'aggregates[1].noise.between_share' must be a fraction in [0, 1], got 1.5"),
    (lambda d: d["aggregates"][1]["noise"].pop("within_pct"),
     "missing key 'aggregates[1].noise.within_pct'"),
    (lambda d: d["aggregates"][2].update(bimodal={"low": {}}),
     "missing key 'aggregates[2].bimodal.low.repetitions'"),
    (lambda d: d["instrumentation_tax"][0].update(config="P9"),
     "'instrumentation_tax[0].config' 'P9' is not a configuration of 'aggregates' "
     "stamped at every point"),
    (lambda d: d["instrumentation_tax"][0].update(config="P0/ends"),
     "'instrumentation_tax[0].config' 'P0/ends' is not a configuration"),
    (lambda d: d["instrumentation_tax"][1].update(repetitions=[3]),
     "'instrumentation_tax[1].repetitions' must be [repetitions with every point, "
     "with the ends only], two integers >= 1, got [3]"),
    (lambda d: d["instrumentation_tax"][2]["tax_ns"].update(ci_low=1e6),
     "'instrumentation_tax[2].tax_ns' must satisfy ci_low <= median <= ci_high"),
]


@pytest.mark.parametrize("edit, message", NEW_KEY_CASES)
def test_new_keys_are_validated_and_named(edit, message):
    doc = raw(PHASES_JSON)
    edit(doc)
    with pytest.raises(model.ReportError) as e:
        model.parse(doc, "x.json")
    assert str(e.value).startswith("x.json: ")
    assert message in str(e.value)


def test_bimodal_clusters_are_validated():
    doc = raw(BIMODAL_JSON)
    b = raw_aggregate(doc, "P0")["bimodal"]
    b["low"], b["high"] = b["high"], b["low"]
    with pytest.raises(model.ReportError, match=r"'aggregates\[0\]\.bimodal' must have "
                                                r"low\.median_ns <= high\.median_ns"):
        model.parse(doc, "x.json")
    doc = raw(BIMODAL_JSON)
    raw_aggregate(doc, "P0")["bimodal"]["message"] = " "
    with pytest.raises(model.ReportError, match=r"'aggregates\[0\]\.bimodal\.message' "
                                                r"must not be empty"):
        model.parse(doc, "x.json")


# -- Model and units, directly ---------------------------------------------------------------

def test_model_trusts_nothing_and_names_file_and_key():
    doc = raw(PHASES_JSON)
    del doc["runs"][4]["stages"]["total"]["percentiles"]
    with pytest.raises(model.ReportError) as e:
        model.parse(doc, "x.json")
    assert str(e.value) == "x.json: missing key 'runs[4].stages.total.percentiles'"
    doc = raw(PHASES_JSON)
    doc["aggregates"][1]["throughput_rps"]["median"] = float("nan")
    with pytest.raises(model.ReportError, match=r"^x\.json: 'aggregates\[1\]"
                       r"\.throughput_rps\.median' must be a finite number"):
        model.parse(doc, "x.json")
    doc = raw(PHASES_JSON)
    doc["aggregates"].append(copy.deepcopy(doc["aggregates"][0]))
    with pytest.raises(model.ReportError, match="repeats configuration 'P0'"):
        model.parse(doc, "x.json")


def test_model_orders_the_sequence_and_ignores_unknown_keys():
    doc = raw(ABLATION_JSON)
    doc["aggregates"].reverse()
    doc["context"]["future_field"] = {"anything": 1}
    results = model.parse(doc, "x.json")
    assert [a.config for a in results.sequence()] == PHASES
    assert len(results.others()) == 8 and len(results.ablation) == 4


def test_quantities_the_harness_could_not_measure_may_be_null():
    doc = raw(PHASES_JSON)
    doc["context"]["steal_pct"] = None
    for r in doc["runs"]:
        r["allocations_per_request"] = None
        r["steal_pct"] = None
    results = model.parse(doc, "x.json")
    rows = {r.cells[0]: r for r in document.summary_table(results).rows}
    assert rows["P0"].cells[document.SUMMARY_HEADERS.index("allocs/request")] == \
        "not measured"
    env = {r.cells[0]: r.cells[1] for r in document.environment_table(results).rows}
    assert env["steal time"] == "not measured"
    assert not any("steal" in w for w in noise.check(results))


def test_a_run_without_steal_time_has_it_unknown_not_zero():
    doc = raw(PHASES_JSON)
    for r in doc["runs"]:
        del r["steal_pct"]
    assert all(r.steal_pct is None for r in model.parse(doc, "x.json").runs)


@pytest.mark.parametrize("ns, text", [
    (0, "0.0 ns"), (9.8, "9.8 ns"), (812, "812 ns"), (812.4, "812 ns"),
    (999.6, "1.00 µs"), (6510, "6.51 µs"), (14068, "14.1 µs"), (123456, "123 µs"),
    (1.2e6, "1.20 ms"), (2.5e9, "2.50 s"), (-426, "-426 ns"),
])
def test_format_ns(ns, text):
    assert format_ns(ns) == text


def test_other_formats():
    assert format_delta_ns(-6170) == "-6.17 µs" and format_delta_ns(1200) == "+1.20 µs"
    assert format_pct(4.21) == "4.2 %" and format_pct(23.4) == "23 %"
    assert format_delta_pct(-44.1) == "-44 %" and format_delta_pct(5.44) == "+5.4 %"
    assert format_rate(86812) == "86.8 k req/s" and format_rate(157000) == "157 k req/s"
    assert format_ratio(2.1666) == "2.17×"
