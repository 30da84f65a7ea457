"""The report as data: sections of headings, paragraphs, tables, images and warnings.

build() turns Results (plus the charts that were drawn) into a Document; markdown.py
and html.py only render it, so both outputs carry exactly the same numbers and text.
Every table cell is a string made by units.py from a stored value (or from the small
arithmetic in derive.py).
"""

from dataclasses import dataclass, field
from typing import List

from . import derive, noise, plan
from .model import FRONT_END_STAGES, PART_STAGES, PHASE_ADDS
from .significance import Change, saving_change
from .units import (MISSING, format_allocs, format_count,
                    format_cpus, format_delta_ns, format_delta_pct, format_ms,
                    format_ns, format_pct, format_rate, format_ratio)

#: What a difference whose 95 % CI includes zero is called, everywhere in the report.
NO_DIFFERENCE = "no difference measured"
#: Its mark in table cells, as the console's.
NO_DIFFERENCE_MARK = "~"
#: Shown for a key the results file does not have (written by an older harness).
NOT_RECORDED = "not recorded"


# -- Blocks -----------------------------------------------------------------------------

@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Paragraph:
    text: str
    css: str = ""  # "note" for small print


@dataclass
class Bullets:
    items: List[str]
    css: str = ""  # "warnings" for noise warnings


@dataclass
class Row:
    cells: List[str]
    css: str = ""  # "unsupported", "derived" (sums), "total"


@dataclass
class Table:
    headers: List[str]
    rows: List[Row]
    align: str = ""  # one letter per column, "l" or "r"; default: first l, rest r
    notes: List[str] = field(default_factory=list)

    def column_align(self, i):
        if self.align:
            return self.align[i]
        return "l" if i == 0 else "r"


@dataclass
class Image:
    file: str
    alt: str
    caption: str = ""


@dataclass
class Document:
    title: str
    blocks: list


# -- Cell formatting --------------------------------------------------------------------

def _estimate(e, fmt):
    return f"{fmt(e.median)} [{fmt(e.ci_low)}, {fmt(e.ci_high)}]"


def estimate_ns(e):
    """``6.51 µs [6.40 µs, 6.62 µs]`` for an Estimate of a duration."""
    return _estimate(e, format_ns)


def estimate_pct(e):
    """``16 % [14 %, 18 %]`` for an Estimate of a percentage."""
    return _estimate(e, format_pct)


def estimate_rate(e):
    """``71.2 k req/s [70.1 k req/s, 72.0 k req/s]`` for an Estimate of a throughput."""
    return _estimate(e, format_rate)


def unsupported_cell(aggregate):
    """Why a configuration has no figures: "unsupported: ..." or "crashed: ..."."""
    return aggregate.not_measured_text


def config_label(aggregate):
    """The optimizations column: ``+lockfree`` for a phase, else the opts joined."""
    if aggregate.phase is not None:
        return PHASE_ADDS[aggregate.phase]
    return aggregate.opts_label


def difference_cell(delta_ns, delta_pct, diff, vs=None):
    """``-4.79 µs (-95 %) vs P0, CI [-4.82 µs, -4.77 µs]``; a difference whose CI
    includes 0 is marked ``~ ...: no difference measured``."""
    pct = MISSING if delta_pct is None else format_delta_pct(delta_pct)
    text = f"{format_delta_ns(delta_ns)} ({pct})"
    if vs is not None:
        text += f" vs {vs}"
    text += f", CI [{format_delta_ns(diff.ci_low)}, {format_delta_ns(diff.ci_high)}]"
    if diff.change is Change.NONE:
        return f"{NO_DIFFERENCE_MARK} {text}: {NO_DIFFERENCE}"
    return text


def step_cell(step):
    if step.prev_config is None:
        return "reference"
    return difference_cell(step.delta_ns, step.delta_pct, step.difference,
                           step.prev_config)


def allocs_cell(results, config):
    lo, hi = derive.run_range(results, config, "allocations_per_request")
    if lo is None:
        return "not measured"
    if format_allocs(lo) == format_allocs(hi):
        return format_allocs(lo)
    return f"{format_allocs(lo)}–{format_allocs(hi)}"


# -- Tables -----------------------------------------------------------------------------

SUMMARY_HEADERS = ["config", "optimizations", "total p50 [CI]", "total p99 [CI]",
                   "throughput [CI]", "errors", "demotions", "allocs/request"]


def _summary_cells(results, a):
    if not a.supported:
        return [a.config, config_label(a), unsupported_cell(a)] + \
            [MISSING] * (len(SUMMARY_HEADERS) - 3)
    total = a.stages["total"]
    errors = format_count(derive.run_sum(results, a.config, "errors"))
    if a.error_rate_exceeded:
        errors += f" ({format_pct(100 * a.error_rate)}: over the limit)"
    return [a.config, config_label(a), estimate_ns(total.p50), estimate_ns(total.p99),
            estimate_rate(a.throughput),
            errors,
            format_count(derive.run_sum(results, a.config, "demotions")),
            allocs_cell(results, a.config)]


_SUMMARY_NOTES = [
    "Medians across repetitions with the harness's confidence intervals. Errors and "
    "demotions are summed over repetitions; allocations/request is the range over "
    "repetitions.",
]
_DIFFERENCE_NOTE = (
    "Δ: change of the median total p50, with the 95 % CI of the difference bootstrapped "
    f"from the repetitions' total p50s; '{NO_DIFFERENCE_MARK}' = the CI includes 0: "
    f"{NO_DIFFERENCE}.")


def summary_table(results):
    """One row per configuration of the sequence, with the waterfall step."""
    steps = {s.config: s for s in derive.steps(results)}
    rows = []
    for a in results.sequence():
        cells = _summary_cells(results, a)
        if a.supported:
            rows.append(Row(cells + [step_cell(steps[a.config])]))
        else:
            rows.append(Row(cells + [MISSING], css="unsupported"))
    return Table(SUMMARY_HEADERS + ["step Δ total p50"], rows, align="ll" + "r" * 7,
                 notes=_SUMMARY_NOTES + [_DIFFERENCE_NOTE])


def others_table(results):
    """Configurations outside the sequence (ablation), with Δ vs the first phase."""
    others = results.others()
    if not others:
        return None
    seq = [a for a in results.sequence() if a.supported]
    ref = seq[0] if seq else None
    header = f"Δ total p50 vs {ref.config}" if ref else "Δ total p50"
    rows = []
    for a in others:
        cells = _summary_cells(results, a)
        if a.supported and ref is not None and ref.config != a.config:
            d, pct = derive.delta(a.stages["total"].p50.median,
                                  ref.stages["total"].p50.median)
            diff = derive.difference_between(results, ref.config, a.config)
            rows.append(Row(cells + [difference_cell(d, pct, diff)]))
        else:
            rows.append(Row(cells + [MISSING],
                            css="" if a.supported else "unsupported"))
    return Table(SUMMARY_HEADERS + [header], rows, align="ll" + "r" * 7,
                 notes=_SUMMARY_NOTES + [_DIFFERENCE_NOTE])


STAGE_HEADERS = ["stage", "median p50 [CI]", "share of total p50", "requests through"]


def stage_table(results, a):
    """Per-stage medians of p50 for one supported configuration."""
    total = a.stages["total"].p50
    rows = []
    for stage in PART_STAGES:
        through = derive.through_pct(results, a.config, stage)
        through_s = MISSING if through is None else format_pct(through)
        if not derive.on_path(results, a, stage):
            rows.append(Row([stage, f"{MISSING} (not on this path)", MISSING, through_s]))
            continue
        e = a.stages[stage].p50
        rows.append(Row([stage, estimate_ns(e),
                         format_pct(derive.share_pct(e.median, total.median)),
                         through_s]))
    parts = sum(derive.stage_medians(a).values())
    rows.append(Row(["sum of stage medians", f"{format_ns(parts)} (no CI)",
                     format_pct(derive.share_pct(parts, total.median)), MISSING],
                    css="derived"))
    rows.append(Row(["total", estimate_ns(total), format_pct(100.0), format_pct(100.0)],
                    css="total"))
    notes = ["Share = the stage's median p50 / the total's median p50. Medians are not "
             "additive, so the stage medians need not sum to the total. A stage's "
             "percentiles cover only the requests that went through it."]
    front_end = [st for st in FRONT_END_STAGES if derive.on_path(results, a, st)]
    for stage in front_end:
        rows.append(Row([f"{stage} (HTTP front end)", estimate_ns(a.stages[stage].p50),
                         "outside total", format_pct(derive.through_pct(results, a.config, stage))]))
    if front_end:
        notes.append("recv (bytes read -> request parsed) and send (response ready -> bytes "
                     "written) are timed by `fasterbench serve`'s HTTP server, beside the "
                     "pipeline: they are not part of total.")
    return Table(list(STAGE_HEADERS), rows, notes=notes)


PLAN_HEADERS = ["figure (config)", "plan's prediction (hypothesis)",
                "measured median p50 [CI]", "measured / predicted"]


def plan_table(results):
    """The plan's figures beside the measured medians (see plan.PREDICTIONS)."""
    rows = []
    for p in plan.PREDICTIONS:
        a = results.aggregate(p.config)
        if p.predicted_ns is None and a is None:
            continue  # a row without a prediction is only worth showing when measured
        predicted = plan.NO_PREDICTION if p.predicted_ns is None else format_ns(p.predicted_ns)
        if a is None:
            rows.append(Row([p.label, predicted, f"not measured: no {p.config} in "
                             f"these results", MISSING], css="derived"))
            continue
        if not a.supported:
            rows.append(Row([p.label, predicted, unsupported_cell(a), MISSING],
                            css="unsupported"))
            continue
        missing = [s for s in p.stages if not derive.on_path(results, a, s)]
        if missing:
            rows.append(Row([p.label, predicted,
                             f"not measured: no request went through "
                             f"{' + '.join(missing)} in {p.config}", MISSING]))
            continue
        if len(p.stages) == 1:
            e = a.stages[p.stages[0]].p50
            measured, cell = e.median, estimate_ns(e)
        else:
            measured = derive.stage_sum_ns(a, p.stages)
            cell = f"{format_ns(measured)} (sum of medians; no CI)"
        ratio = MISSING if p.predicted_ns is None else format_ratio(measured / p.predicted_ns)
        rows.append(Row([p.label, predicted, cell, ratio]))
    return Table(list(PLAN_HEADERS), rows, notes=[
        "The plan's figures are hypotheses from the FasterAPI optimization plan "
        "(docs/plan.md), never measured end to end (its stage shares sum to 124 % of its own total). "
        "A ratio above 1 means the measured cost is higher than predicted. The plan "
        "stops at P4 (0.7 µs); P5 adds fast-marshal, which it does not have, so its rows "
        "have no prediction."])


ABLATION_HEADERS = ["optimization", "alone (vs P0): saving [CI]", "alone: % [CI]",
                    "left out (vs all): saving [CI]", "left out: % [CI]"]


def saving_cells(ns, pct):
    """The (ns, %) cells of one stored saving; a saving whose ns CI includes 0 is
    marked ``~`` in both and named "no difference measured"."""
    if ns is None or pct is None:
        return ["n/a", "n/a"]
    cells = [estimate_ns(ns), estimate_pct(pct)]
    if saving_change(ns) is Change.NONE:
        return [f"{NO_DIFFERENCE_MARK} {cells[0]}",
                f"{NO_DIFFERENCE_MARK} {cells[1]}: {NO_DIFFERENCE}"]
    return cells


def ablation_table(results):
    rows = []
    for e in results.ablation or ():
        rows.append(Row([e.optimization]
                        + saving_cells(e.alone_saving_ns, e.alone_saving_pct)
                        + saving_cells(e.leave_out_saving_ns, e.leave_out_saving_pct)))
    return Table(list(ABLATION_HEADERS), rows, notes=[
        "Savings of total p50 as computed and stored by the harness; positive = faster. "
        "'alone' enables only this optimization; 'left out' enables all others. "
        f"'{NO_DIFFERENCE_MARK}' = the saving's 95 % CI includes 0: {NO_DIFFERENCE} "
        "(grey in the heatmap)."])


def _kv(rows):
    return Table(["item", "value"], [Row([k, v]) for k, v in rows], align="ll")


def environment_table(results):
    c = results.context
    opts = ", ".join(f"{k}={'ON' if v is True else 'OFF' if v is False else v}"
                     for k, v in sorted(c.options.items())) or MISSING
    sub = {True: "yes", False: "no", None: MISSING}[c.subinterpreters_supported]
    return _kv([
        ("host", c.host),
        ("CPU", c.cpu_model),
        ("CPUs", str(c.cpus)),
        ("kernel", c.kernel),
        ("Python", f"{c.python_version} ({c.python_executable})"),
        ("own-GIL sub-interpreters", sub),
        ("compiler", c.compiler),
        ("build type", c.build_type),
        ("CMake options", opts),
        ("git revision", c.git_revision),
        ("date", c.date),
        ("steal time", "not measured" if c.steal_pct is None else format_pct(c.steal_pct)),
    ])


#: What each --pin policy does, in the report's words.
PIN_MEANING = {
    "off": "the OS places the threads",
    "shared": "every pipeline thread on one CPU",
    "split": "clients and workers on separate CPUs",
}


def placement_text(placement):
    """``shared (every pipeline thread on one CPU) within CPUs 0,1: clients on 0 ·
    workers on 0 · event loops on 0``, or "not recorded"."""
    if placement is None:
        return NOT_RECORDED
    r = placement.roles
    return (f"{placement.policy} ({PIN_MEANING[placement.policy]}) within CPUs "
            f"{format_cpus(placement.cpus)}: clients on {format_cpus(r['client'])} · "
            f"workers on {format_cpus(r['worker'])} · event loops on "
            f"{format_cpus(r['loop'])}")


#: Where a hash seed came from (context.process.hash_seed_source), in words.
_SEED_SOURCE = {"--hash-seed": "set by --hash-seed", "PYTHONHASHSEED":
                "from PYTHONHASHSEED", "default": "the default"}


def hygiene_rows(process):
    """Method rows for context.process: hash seed, ASLR, environment."""
    if process is None:
        return [("hash seed, ASLR, environment", NOT_RECORDED)]
    seed = process.hash_seed
    source = _SEED_SOURCE.get(process.hash_seed_source, process.hash_seed_source)
    seed_text = (f"random, each process its own ({source})" if seed == "random"
                 else f"{seed}, fixed ({source})")
    aslr = {"off": "off: the same addresses in every process",
            "on": "on: addresses differ from process to process"}[process.aslr]
    if process.reexecuted:
        aslr += " (the process re-executed itself to turn it off)"
    env = {"fixed": "fixed", "inherited": "inherited from the shell"}[process.environment]
    return [
        ("hash seed (PYTHONHASHSEED)", seed_text),
        ("ASLR", aslr),
        ("environment", f"{env}: {format_count(process.arg_env_bytes)} bytes of "
                        f"arguments and environment"),
    ]


def tax_cell(t):
    """One configuration's instrumentation tax: ns and % of total with CIs, and the
    two totals it is the difference of."""
    text = (f"{format_delta_ns(t.tax_ns.median)} "
            f"[{format_delta_ns(t.tax_ns.ci_low)}, {format_delta_ns(t.tax_ns.ci_high)}] "
            f"= {estimate_pct(t.tax_pct)} of total p50 ({format_ns(t.total_all_ns)} "
            f"with every point, {format_ns(t.total_ends_ns)} with the ends only; "
            f"{t.repetitions_all} + {t.repetitions_ends} repetitions)")
    change = saving_change(t.tax_ns)  # "saving" = all - ends: positive = a cost
    if change is Change.NONE:
        return f"no tax measured (the CI includes 0): {NO_DIFFERENCE_MARK} {text}"
    if change is Change.SLOWER:
        return f"negative (faster with every point): {text}"
    return text


#: Said of the stages when the runs stamped the ends only.
ENDS_ONLY = ("arrive and response_ready only (--stamps ends): total is measured, the "
             "stages between are not")


def tax_rows(results):
    """Method rows for the instrumentation tax, one per configuration."""
    taxes = results.instrumentation_tax
    if taxes is None and results.tool_command.startswith("run"):
        return [("instrumentation tax", "not measured: `run` measures one stamping; "
                 "`phases` measures each configuration twice (every point, ends only)")]
    if taxes is None and results.context.process is not None:
        # A harness that records process hygiene measures the tax unless told not to.
        return [("instrumentation tax", "not measured (phases --no-instrumentation-tax)")]
    if taxes is None:
        return [("instrumentation tax", NOT_RECORDED)]
    if not taxes:
        return [("instrumentation tax", "not measured in this invocation (no "
                 "configuration has an '/ends' twin)")]
    rows = [("instrumentation tax", "what the stage points cost a request: total p50 "
             "stamped at every point − stamped at arrive and response_ready only "
             "(an '/ends' twin of each configuration, interleaved, fresh processes); "
             "95 % CIs")]
    rows += [(f"instrumentation tax, {t.config}", tax_cell(t)) for t in taxes]
    return rows


def method_table(results):
    cfg, c = results.config, results.context
    backends = sorted({r.probe_backend for r in results.runs if r.supported
                       and r.probe_backend}) or [cfg.probes]
    sample = "every request" if cfg.probe_sample <= 1 else f"1 in {cfg.probe_sample} requests"
    tool = " ".join(x for x in (results.tool_name, results.tool_version,
                                results.tool_command) if x)
    isolation = ("each repetition in its own process" if cfg.isolation == "process"
                 else "all repetitions in one process")
    return _kv([
        ("tool", tool or MISSING),
        ("repetitions", f"{cfg.repetitions} ({isolation})"),
        ("requests per repetition", format_count(cfg.requests)),
        ("warm-up requests (excluded)", format_count(cfg.warmup)),
        ("clients", str(cfg.clients)),
        ("workers", str(cfg.workers)),
        ("seed", str(cfg.seed)),
        ("placement (--pin)", placement_text(c.placement)),
        *hygiene_rows(c.process),
        ("probes backend", ", ".join(backends)),
        ("clock", f"{c.clock_source}, stamp cost {format_ns(c.stamp_cost_ns)}"),
        ("probe sampling", sample),
        ("stage points stamped", ENDS_ONLY if results.stamped_ends_only()
         else "every point"),
        *tax_rows(results),
        ("step and Δ significance", "a bootstrap (2,000 resamples) of the difference of "
         "the two configurations' median total p50, from the repetitions' stored total "
         "p50s; a difference is shown as gained or lost only when its 95 % CI excludes 0 "
         f"('{NO_DIFFERENCE_MARK}' and grey otherwise). The console's '~' asks more: "
         "that the two configurations' own CIs do not overlap."),
    ])


# -- Noise budget and threads -------------------------------------------------------------

def _between_words(results):
    """(column header, phrase) for the between part: processes under ``phases``,
    repetitions of one process under ``run``."""
    if results.config.isolation == "process":
        return "between processes", "between processes (each repetition its own)"
    return ("between repetitions (one process)",
            "between repetitions, all in one process")


def populations_cell(a):
    if not a.bimodal_checked:
        return NOT_RECORDED
    if a.bimodal is None:
        return "one"
    lo, hi = a.bimodal.low, a.bimodal.high
    return (f"two: {len(lo.repetitions)} at {format_ns(lo.median_ns)}, "
            f"{len(hi.repetitions)} at {format_ns(hi.median_ns)}")


def noise_table(results):
    """Per configuration of the plan: within vs between, share, populations."""
    between_header, _ = _between_words(results)
    rows = []
    for a in results.sequence() + results.others():
        if not a.supported:
            rows.append(Row([a.config, unsupported_cell(a)] + [MISSING] * 4,
                            css="unsupported"))
            continue
        n = a.noise
        if n is None:
            rows.append(Row([a.config, NOT_RECORDED, MISSING, MISSING, MISSING,
                             populations_cell(a)]))
            continue
        share = MISSING if n.between_share is None else format_pct(100 * n.between_share)
        rows.append(Row([
            a.config,
            f"{n.repetitions} × {n.blocks_per_repetition}",
            format_pct(n.within_pct), format_pct(n.between_pct), share,
            populations_cell(a),
        ], css="alert" if a.bimodal is not None else ""))
    return Table(["config", "repetitions × blocks", "within one repetition",
                  between_header, "share of variance between", "populations"],
                 rows, align="lrrrrl")


def noise_blocks(results):
    """The "Noise budget" section's blocks (without its heading)."""
    _, between = _between_words(results)
    if not any(a.noise is not None for a in results.aggregates):
        return [Paragraph(f"{NOT_RECORDED.capitalize()}: these results carry no noise "
                          f"budget (written by a harness without it).", css="note")]
    blocks = [Paragraph(
        "Where the spread of total p50 comes from. Each repetition's measured requests "
        "are split into consecutive blocks with their own total p50: 'within' is the "
        "blocks' coefficient of variation inside one repetition (drift and noise "
        f"while a process runs), 'between' that of the repetitions' means, {between}, "
        "beyond what the block noise explains. A large share between says the process "
        "(where its threads ran, its memory layout) decides the number; then more "
        "repetitions help, longer ones do not. 'Populations: two' means the "
        "repetitions fell into separate clusters (see the warning at the top)."),
        noise_table(results)]
    if results.twins:
        blocks.append(Paragraph("The instrumentation-tax twins ('/ends') are left out "
                                "here; they only feed the tax in the Method table.",
                                css="note"))
    return blocks


#: Thread roles shown in the threads tables (main and unnamed threads do no requests).
PIPELINE_ROLES = ("client", "worker", "loop")


def handoffs_cell(results, config):
    """``same CPU in 5 of 5 repetitions``, ``same CPU in 3, different CPUs in 2 of 5
    repetitions``; NOT_RECORDED without threads."""
    counts = derive.handoff_counts(results, config)
    total = sum(counts.values())
    if not total:
        return NOT_RECORDED
    parts = ", ".join(f"{where} in {n}" for where, n in counts.most_common())
    return f"{parts} of {total} repetition{'s' if total != 1 else ''}"


def _first_run(results, config):
    return next((r for r in results.runs_of(config)
                 if r.supported and r.threads is not None), None)


def threads_table(results, configs):
    """The pipeline threads of each configuration's first repetition."""
    rows = []
    idle = []
    for a in configs:
        run = _first_run(results, a.config)
        if run is None:
            continue
        for t in run.threads:
            if t.role not in PIPELINE_ROLES:
                continue
            if not t.cpus_seen:
                idle.append(f"{a.config} {t.name}")
                continue
            rows.append(Row([
                a.config, t.name, format_cpus(t.cpus_seen), format_cpus(t.affinity),
                "not exposed" if t.migrations is None else format_count(t.migrations),
                f"{format_count(t.voluntary_switches)} / "
                f"{format_count(t.involuntary_switches)}",
                format_ms(t.run_ms), format_ms(t.runqueue_ms),
            ]))
    notes = ["CPUs seen: where the thread ran during the measured requests; affinity: "
             "where it was allowed to. Switches: voluntary (it waited) / involuntary "
             "(preempted). Runqueue: time runnable but waiting for a CPU."]
    if idle:
        notes.append("Idle in the measured part (not shown): " + ", ".join(idle) + ".")
    return Table(["config", "thread", "CPUs seen", "affinity", "migrations",
                  "switches vol / invol", "on CPU", "runqueue"], rows,
                 align="llrrrrrr", notes=notes)


def threads_blocks(results):
    """The "Threads and placement" section's blocks (without its heading)."""
    blocks = [Paragraph(f"Placement: {placement_text(results.context.placement)}.")]
    if not any(r.threads is not None for r in results.runs):
        blocks.append(Paragraph(f"Threads: {NOT_RECORDED} (results written by a harness "
                                f"without the thread census).", css="note"))
        return blocks
    supported = [a for a in results.sequence() + results.others() if a.supported]
    blocks.append(Table(["config", "client → worker hand-offs"],
                        [Row([a.config, handoffs_cell(results, a.config)])
                         for a in supported], align="ll", notes=[
        "Where each repetition's hand-offs ran: 'same CPU' (every client and worker "
        "stayed on one CPU), 'different CPUs', 'moved' (a client or worker ran on "
        "more than one CPU), 'no worker ran' (the direct path: no hand-off)."]))
    blocks.append(Heading(3, "Threads of the first repetition"))
    blocks.append(threads_table(results, [a for a in results.sequence()
                                          if a.supported]))
    return blocks


def load_table(results):
    """Open loop and replay: each configuration's offered and achieved rate, and saturation."""
    rows = []
    for a in results.sequence():
        if not a.supported or a.load is None:
            continue
        l = a.load
        ratio = 100.0 * l.achieved_rps / l.offered_rps if l.offered_rps > 0 else 0.0
        saturated = (f"SATURATED in {l.saturated_repetitions} of {a.repetitions}"
                     if l.saturated_repetitions else "no")
        total = a.stages["total"]
        queue = a.stages.get("queue")
        rows.append(Row([a.config, l.mode, format_count(l.offered_rps), format_count(l.achieved_rps),
                         format_pct(ratio), saturated, format_ns(total.p99.median),
                         format_ns(queue.p99.median) if queue else MISSING],
                        css="unsupported" if l.saturated_repetitions else ""))
    return Table(["config", "load", "offered req/s", "achieved req/s", "achieved / offered",
                  "saturated", "total p99 (from intended send)", "queue p99"], rows,
                 align="llrrrlrr",
                 notes=["Medians over repetitions. total runs from each request's intended "
                        "send time (coordinated omission corrected); queue is the wait from "
                        "that time to the request's arrival. A repetition is saturated when "
                        "it achieved more than 5 % below the offered rate."])


def route_tables(results):
    """Per configuration, one row per route: its share and its stages' medians."""
    blocks = []
    stages = [s for s in ("route", "dispatch", "gil", "marshal", "handler", "future", "queue")]
    for a in results.sequence():
        if not a.supported or not a.routes:
            continue
        blocks.append(Heading(3, f"{a.config} ({config_label(a)})"))
        rows = []
        for r in a.routes:
            cells = [f"{r.method} {r.path}", format_count(r.requests), format_pct(100.0 * r.share),
                     format_count(r.errors)]
            for s in stages + ["total"]:
                st = r.stages.get(s)
                cells.append(format_ns(st.p50_ns) if st and st.count > 0 else MISSING)
            cells.append(format_ns(r.stages["total"].p99_ns))
            rows.append(Row(cells))
        blocks.append(Table(["route", "requests", "share", "5xx"] + [f"{s} p50" for s in stages]
                            + ["total p50", "total p99"], rows, align="l" + "r" * (len(stages) + 6)))
    return blocks


def _error_text(m):
    return f"{format_count(m.count)} × {m.type}" + (f": {m.message}" if m.message else "")


def errors_blocks(results):
    """The "Errors and crashes" section's blocks, or [] when every request succeeded
    and every process finished."""
    blocks = []
    failing = [a for a in results.aggregates + results.twins if a.route_errors]
    if failing:
        limit = results.config.max_error_rate
        blocks.append(Paragraph(
            "Requests that ended in a 5xx, per route, summed over repetitions, with the "
            "first distinct errors (exception type: message) the framework recorded where "
            "the handler raised. " + (f"Limit: {format_pct(100 * limit)} of a "
                                      f"configuration's requests (--max-error-rate)."
                                      if limit is not None else "No limit was set.")))
        rows = []
        for a in failing:
            for r in a.route_errors:
                share = MISSING if r.requests == 0 else format_pct(100 * r.errors / r.requests)
                handler = r.messages[0].handler if r.messages else MISSING
                first = "; ".join(_error_text(m) for m in r.messages) or MISSING
                over = " (over the limit)" if a.error_rate_exceeded else ""
                rows.append(Row([a.config + over, f"{r.method} {r.path}", handler,
                                 f"{format_count(r.errors)} of {format_count(r.requests)} "
                                 f"({share})", first],
                                css="unsupported" if a.error_rate_exceeded else ""))
        blocks.append(Table(["config", "route", "handler", "failed", "first errors"], rows,
                            align="lllrl"))
    if results.crashed_runs:
        blocks.append(Paragraph(
            "Repetitions whose process crashed or was stopped: they have no measurements; "
            "the configuration's figures are over its other repetitions."))
        rows = [Row([r.config, str(r.repetition + 1), r.crashed,
                     " / ".join(line for line in r.crash_log.splitlines()[-4:] if line.strip())
                     or MISSING], css="unsupported") for r in results.crashed_runs]
        blocks.append(Table(["config", "repetition", "how", "last lines it printed"], rows,
                            align="lrll"))
    return blocks


def routes_table(results):
    rows = [Row([r.method, r.path, r.handler, r.kind, r.reason or MISSING,
                 format_count(r.demotions)]) for r in results.routes]
    return Table(["method", "path", "handler", "kind", "reason", "demotions"], rows,
                 align="lllllr")


# -- The document -----------------------------------------------------------------------

def _chart_blocks(chart, alt, caption):
    """An image plus a note naming what the chart had to leave out."""
    blocks = [Image(chart.file, alt, caption)]
    if chart.skipped:
        blocks.append(Paragraph("Skipped in this chart: " + "; ".join(
            f"{', '.join(cfgs)} ({reason})"
            for reason, cfgs in derive.group_by_reason(chart.skipped)) + ".",
            css="note"))
    return blocks


def build(results, charts):
    """Build the Document; ``charts`` maps chart name -> charts.Chart (drawn files)."""
    title = f"fasterbench report: {results.scenario_name}"
    b = [Heading(1, title)]
    scen = f"Scenario {results.scenario_name}"
    if results.scenario_file:
        scen += f" ({results.scenario_file})"
    b.append(Paragraph(f"{scen}; {results.context.date}; git "
                       f"{results.context.git_revision}; results file "
                       f"{results.path}."))

    b.append(Heading(2, "Noise warnings"))
    split = noise.two_populations(results)
    warnings = noise.stability(results)
    if split:
        b.append(Bullets(split, css="bimodal"))
    if warnings:
        b.append(Bullets(warnings, css="warnings"))
    if not split and not warnings:
        b.append(Paragraph("None: repetitions agree and the machine was quiet."))

    if not results.complete:
        b.append(Paragraph("This run was interrupted before every measurement was taken "
                           "(\"complete\": false); finish it with `fasterbench phases "
                           "--resume DIR`.", css="unsupported"))

    b.append(Heading(2, "Summary"))
    b.append(summary_table(results))
    caption = ("Combined impact, measured: total p50 per phase with each step's change "
               "(green saved, red added, grey: no difference measured, the step's 95 % "
               "CI includes 0); diamonds are the plan's predictions (none for P5: "
               "fast-marshal is beyond the plan).")
    if any(a.bimodal is not None for a in results.sequence()):
        caption += (" '⚠ bimodal' under a bar: its repetitions formed two clusters, and "
                    "its median describes neither.")
    b += _chart_blocks(charts["waterfall"], "waterfall of total p50 per phase", caption)

    errors = errors_blocks(results)
    if errors:
        b.append(Heading(2, "Errors and crashes"))
        b += errors

    b.append(Heading(2, "Noise budget"))
    b += noise_blocks(results)

    b.append(Heading(2, "Per-stage breakdown"))
    if results.stamped_ends_only():
        b.append(Paragraph("These runs stamped arrive and response_ready only "
                           "(--stamps ends): total is a measurement, the stage figures "
                           "below are not.", css="unsupported"))
    b += _chart_blocks(charts["stages"], "stacked stage medians per phase",
                       "Median p50 of each stage, stacked, with the measured total p50.")
    for a in results.sequence():
        b.append(Heading(3, f"{a.config} ({config_label(a)})"))
        if a.supported:
            b.append(stage_table(results, a))
        else:
            b.append(Paragraph(unsupported_cell(a), css="unsupported"))

    if any(a.supported and a.load for a in results.sequence()):
        b.append(Heading(2, "Load"))
        b.append(load_table(results))

    if "routes" in charts:
        b.append(Heading(2, "Per-route breakdown"))
        b += _chart_blocks(charts["routes"], "stacked stage medians per route",
                           "Per route, the stage medians (p50) of its own requests, stacked, "
                           "one bar per configuration; the dash is the route's measured total "
                           "p50. The all-requests view is the per-stage breakdown above.")
        b += route_tables(results)

    b.append(Heading(2, "Latency percentiles"))
    b += _chart_blocks(charts["percentiles"], "total latency by percentile",
                       "Total latency from p50 to p99.9, one line per repetition.")

    b.append(Heading(2, "Threads and placement"))
    b += threads_blocks(results)

    if results.ablation is not None or results.others():
        b.append(Heading(2, "Ablation"))
        if "ablation" in charts:
            b += _chart_blocks(charts["ablation"], "ablation heatmap",
                               "Saving of total p50 per optimization, alone and left "
                               "out; grey: no difference measured (the saving's 95 % "
                               "CI includes 0).")
        if results.ablation:
            b.append(ablation_table(results))
        others = others_table(results)
        if others is not None:
            b.append(Heading(3, "Ablation configurations"))
            b.append(others)

    b.append(Heading(2, "Plan predicted vs measured"))
    b.append(plan_table(results))

    b.append(Heading(2, "Environment and method"))
    b.append(environment_table(results))
    b.append(Heading(3, "Method"))
    b.append(method_table(results))
    b.append(Paragraph("Statistics (percentiles, medians across repetitions, "
                       "confidence intervals, spreads, ablation savings) are computed "
                       "by the harness and stored in the results file; this report "
                       "renders them and derives only step differences, shares, sums "
                       "of stored medians and one interval: the bootstrap CI of the "
                       "difference between two configurations (see 'step and Δ "
                       "significance').", css="note"))
    if results.routes:
        b.append(Heading(3, "Routes"))
        b.append(routes_table(results))
    return Document(title, b)
