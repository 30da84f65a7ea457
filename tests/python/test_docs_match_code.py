"""The docs say what the code does: every key of a real results document is in
docs/results-schema.md, and docs/plan.md's table of checked predictions is reports/plan.py's.

A key added to the results JSON without a line in the schema page fails here, as does a plan
figure changed on one side only.
"""

import json
import pathlib
import re

from reports import plan
from reports.model import STAGES

REPO = pathlib.Path(__file__).resolve().parents[2]

SCHEMA_DOC = REPO / "docs" / "results-schema.md"
PLAN_DOC = REPO / "docs" / "plan.md"

CODE_SPAN = re.compile(r"`([^`]+)`")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Objects whose keys are names from a vocabulary (stages, stage points, CMake options, stage ->
# cross-check), not keys of the schema: their keys are checked against the vocabulary instead.
NAME_MAPS = {"stages", "sampled_stages", "offcpu", "point_skew", "point_hits", "probe_hits",
             "cross_validation", "options", "wakeup"}


def stage_points():
    header = (REPO / "probes" / "stage_ids.h").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*X\(\w+, (\w+),", header, flags=re.M))


def documented_identifiers(path):
    """Every identifier written in a code span of the page."""
    words = set()
    for span in CODE_SPAN.findall(path.read_text(encoding="utf-8")):
        words.update(IDENTIFIER.findall(span))
    return words


def document_keys(node, path="", out=None):
    """{key: first JSON path where it occurs} of a results document; the keys of NAME_MAPS
    objects are collected separately as (path, name) in out['<names>']."""
    if out is None:
        out = {"<names>": []}
    if isinstance(node, dict):
        in_map = path.rsplit(".", 1)[-1] in NAME_MAPS
        for key, value in node.items():
            child = f"{path}.{key}" if path else key
            if in_map:
                out["<names>"].append((child, key))
            else:
                out.setdefault(key, child)
            document_keys(value, child, out)
    elif isinstance(node, list):
        for item in node:
            document_keys(item, f"{path}[]", out)
    return out


def test_every_key_of_a_phases_document_is_in_the_schema_page(fasterbench, tmp_path):
    # A small real `phases` document (context, config, routes, runs, aggregates, the
    # instrumentation tax), and the golden one (a real `phases --ablation` document, trimmed to
    # runs, aggregates, ablation and tax) for the ablation keys without 40 more processes here.
    out = tmp_path / "out"
    p = fasterbench("phases", "--scenario", "scenarios/mixed.toml", "--phases", "P0,P1",
                    "--repetitions", "2", "--requests", "600", "--warmup", "100",
                    "--no-progress", "--no-report", "--out", out)
    assert p.returncode == 0, p.stderr
    keys = document_keys(json.loads((out / "results.json").read_text()))
    golden = document_keys(json.loads((REPO / "tests" / "fixtures" / "statistics_golden.json")
                                      .read_text()))
    names = keys.pop("<names>") + golden.pop("<names>")
    keys = {**golden, **keys}
    assert "ablation" in keys and "tax_ns" in keys and "context" in keys, sorted(keys)

    documented = documented_identifiers(SCHEMA_DOC)
    missing = sorted(f"{key} (at {where})" for key, where in keys.items() if key not in documented)
    assert not missing, "keys of a results document missing from docs/results-schema.md:\n" + \
        "\n".join(missing)

    vocabulary = set(STAGES) | stage_points()
    strangers = sorted(f"{where}" for where, name in names
                       if name not in vocabulary and not name.startswith("FASTERBENCH_OPT_"))
    assert not strangers, "keys of a name map that are neither a stage, a point nor an " \
        "option (a schema key? add it to the page and out of NAME_MAPS):\n" + "\n".join(strangers)


def test_schema_checker_sees_an_undocumented_key():
    keys = document_keys({"runs": [{"stages": {"total": {"p50_ns": 1}}, "new_key_ms": 2}]})
    names = keys.pop("<names>")
    assert names == [("runs[].stages.total", "total")]
    assert "new_key_ms" in keys and "new_key_ms" not in documented_identifiers(SCHEMA_DOC)
    assert "p50_ns" in documented_identifiers(SCHEMA_DOC)


# -- docs/plan.md against reports/plan.py -----------------------------------------------------

UNITS_NS = {"ns": 1.0, "µs": 1000.0}


def plan_doc_predictions():
    """(predicted ns, config, stages) of each row of the page's "What the report checks" table
    that has a figure."""
    text = PLAN_DOC.read_text(encoding="utf-8")
    section = text.split("## What the report checks", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not line.startswith("|"):
            continue
        figure = re.fullmatch(r"([\d.]+) (ns|µs)", cells[1])
        if not figure:
            continue
        stages = tuple(re.findall(r"`(\w+)` p50", cells[3]))
        rows.append((float(figure.group(1)) * UNITS_NS[figure.group(2)], cells[2], stages))
    return rows


def test_plan_page_lists_the_predictions_the_report_checks():
    in_code = [(p.predicted_ns, p.config, p.stages) for p in plan.PREDICTIONS
               if p.predicted_ns is not None]
    in_doc = plan_doc_predictions()
    assert len(in_doc) >= 10, f"the table was not found in docs/plan.md: {in_doc}"
    assert sorted(in_doc) == sorted(in_code), (
        "docs/plan.md 'What the report checks' and reports/plan.py PREDICTIONS differ:\n"
        f"  only in the page: {sorted(set(in_doc) - set(in_code))}\n"
        f"  only in the code: {sorted(set(in_code) - set(in_doc))}")


def test_plan_page_chain_is_the_report_chain():
    text = PLAN_DOC.read_text(encoding="utf-8")
    for phase, ns in plan.PLAN_TOTAL_NS.items():
        row = re.search(rf"^\| {phase} \| [^|]* \| ([\d.]+) µs \|", text, flags=re.M)
        assert row, f"docs/plan.md: no row for {phase} in the cumulative chain"
        assert float(row.group(1)) * 1000 == ns, f"{phase}: page {row.group(1)} µs, code {ns} ns"
