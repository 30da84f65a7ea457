"""The report of a document measured with ``--measure instructions`` (docs/instructions.md).

Such a document has instruction counts per request and per stage, and no times at all: the
report shows the counts, per configuration and repetition, and says so plainly.
"""

from .document import Bullets, Document, Heading, Paragraph, Row, Table

#: Stage columns, in the order of probes/stage_ids.h (the front end's are never counted).
STAGE_COLUMNS = ("route", "dispatch", "gil", "marshal", "handler", "future", "other")


def _count(v):
    return "-" if v is None else f"{v:,.1f}"


def counts_table(results):
    rows = []
    for r in results.runs:
        cells = [r.config, str(r.repetition), f"{r.requests:,}", _count(r.instructions_per_request)]
        cells += [_count(r.stages.get(s)) for s in STAGE_COLUMNS]
        cells.append(f"{r.closure:.4f}")
        rows.append(Row(cells))
    return Table(
        headers=["config", "rep", "requests", "total", *STAGE_COLUMNS, "closure"],
        rows=rows,
        align="l" + "r" * (3 + len(STAGE_COLUMNS) + 1),
        notes=["Instructions per request of the run, so the stages add up to the total; "
               "closure = sum of the stage windows / the total window (each stage change "
               "costs a few instructions of bookkeeping)."])


def build(results):
    """The report as data (document.Document), rendered by markdown.py and html.py."""
    tool = f"{results.tool} {results.tool_version}".strip()
    blocks = [
        Heading(1, f"fasterbench: {results.scenario_name}, instructions per request"),
        Paragraph(f"Measured in instructions with {tool}. This document reports no times: no "
                  "latencies, percentiles or throughput (the program ran under a simulator). "
                  "Waits, start-up and warm-up are not counted."),
        counts_table(results),
    ]
    facts = []
    if results.slowdown is not None:
        facts.append(f"cost: {results.slowdown:.1f}x slower than a normal run of the same "
                     "configuration")
    if results.hash_seed is not None:
        facts.append(f"hash seed {results.hash_seed}, ASLR {results.aslr}")
    if results.inject_work:
        facts.append(f"injected work: {results.inject_work} (a deliberate regression)")
    if facts:
        blocks.append(Bullets(facts))
    return Document(title=f"fasterbench {results.scenario_name} (instructions)", blocks=blocks)
