"""Results model: load a fasterbench results JSON document and validate it.

The harness (harness/results/) writes the document; this module is the only place
in reports/ that looks at raw JSON.  Everything is checked here, once, so the rest of
the package can trust the objects it gets:

* every key the report renders exists and has the right type (numbers are finite);
* every estimate satisfies ``ci_low <= median <= ci_high`` and ``min <= max``;
* every supported configuration has an aggregate with a ``total`` stage and at least
  one supported run whose ``total`` stage carries percentiles;
* every unsupported configuration states its reason;
* configurations are unique, and runs and aggregates name the same configurations.

A violation raises ReportError with a one-line message naming the file and the key,
e.g. ``results.json: missing key 'aggregates[2].stages.total.p50_ns.median'``.

Keys not listed here are ignored, so the harness may add fields freely (DESIGN.md:
"add fields freely, rename none without bumping schema_version").
"""

import json
import math
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

# Results JSON format history (bump SCHEMA_VERSION on any rename or removal; adding
# keys does not need a bump):
#
# 1 - first version: tool, context (host, cpu, kernel, python, compiler, build type,
#     CMake options, git revision, date, steal time, clock), scenario, config, routes,
#     runs (one per configuration and repetition: per-stage percentiles and
#     histograms), aggregates (per configuration across repetitions: median, CI, min,
#     max, spread), and ablation (only with --ablation / --factorial).
SCHEMA_VERSION = 1

#: Stage names in pipeline order; ``other`` is the closure residual, ``total`` the
#: whole request (DESIGN.md "Stages and timestamps").
STAGES = ("route", "dispatch", "gil", "marshal", "handler", "future", "other", "total")
#: The stages that make up a request, stacked in charts (``total`` excluded).
PART_STAGES = STAGES[:-1]

#: Phase names in cumulative order, with the optimization each one adds.  P0..P4 are the
#: plan's; P5 adds fast-marshal, which the plan does not have (no prediction for it).
PHASES = ("P0", "P1", "P2", "P3", "P4", "P5")
PHASE_ADDS = {
    "P0": "baseline",
    "P1": "+direct",
    "P2": "+lockfree",
    "P3": "+subinterp",
    "P4": "+inline-future",
    "P5": "+fast-marshal",
}


class ReportError(Exception):
    """Invalid input: the message is one line and names the file and the key."""


# -- The model --------------------------------------------------------------------------

@dataclass(frozen=True)
class Estimate:
    """A statistic summarised by the harness across repetitions.

    ``min``, ``max`` and ``spread_pct`` are present for aggregates and may be None
    for ablation savings, which only carry ``median`` and its CI.
    """

    median: float
    ci_low: float
    ci_high: float
    min: Optional[float] = None
    max: Optional[float] = None
    spread_pct: Optional[float] = None


@dataclass(frozen=True)
class StageStats:
    """Aggregate of one stage of one configuration: estimates of its p50, p99, mean."""

    p50: Estimate
    p99: Estimate
    mean: Optional[Estimate]


@dataclass(frozen=True)
class Aggregate:
    config: str
    phase: Optional[str]
    opts: Tuple[str, ...]
    supported: bool
    unsupported_reason: str
    repetitions: int
    throughput: Optional[Estimate]  # None only when unsupported
    stages: Dict[str, StageStats]  # empty when unsupported; has "total" otherwise

    @property
    def opts_label(self):
        """``direct+lockfree``, or ``baseline`` for no optimization."""
        return "+".join(self.opts) if self.opts else "baseline"

    def p50(self, stage):
        """The stage's p50 estimate, or None when the stage is absent."""
        s = self.stages.get(stage)
        return s.p50 if s else None


@dataclass(frozen=True)
class RunStage:
    count: int
    mean_ns: float
    p50_ns: float
    p90_ns: float
    p99_ns: float
    p999_ns: float
    max_ns: float
    percentiles: Tuple[Tuple[float, float], ...]  # (q in %, ns), q strictly increasing


@dataclass(frozen=True)
class Run:
    config: str
    phase: Optional[str]
    opts: Tuple[str, ...]
    repetition: int
    supported: bool
    unsupported_reason: str
    requests: int
    errors: int
    duration_s: float
    throughput_rps: float
    allocations_per_request: Optional[float]  # None: not measured
    demotions: int
    steal_pct: Optional[float]  # None: not measured
    stages: Dict[str, RunStage]
    probe_backend: str
    stamp_cost_ns: float


@dataclass(frozen=True)
class Ablation:
    """Saving of one optimization, alone (vs P0) and left out (vs all); None = n/a."""

    optimization: str
    alone_saving_ns: Optional[Estimate]
    alone_saving_pct: Optional[Estimate]
    leave_out_saving_ns: Optional[Estimate]
    leave_out_saving_pct: Optional[Estimate]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str
    kind: str
    reason: str
    demotions: int


@dataclass(frozen=True)
class Context:
    host: str
    cpu_model: str
    cpus: int
    kernel: str
    python_version: str
    python_executable: str
    subinterpreters_supported: Optional[bool]
    compiler: str
    build_type: str
    options: Dict[str, object]
    git_revision: str
    date: str
    steal_pct: Optional[float]  # None: not measured
    clock_source: str
    stamp_cost_ns: float


@dataclass(frozen=True)
class RunConfig:
    requests: int
    warmup: int
    clients: int
    workers: int
    repetitions: int
    seed: int
    probes: str
    probe_sample: int


@dataclass(frozen=True)
class Results:
    path: str
    schema_version: int
    tool_name: str
    tool_version: str
    tool_command: str
    context: Context
    scenario_name: str
    scenario_file: str
    config: RunConfig
    routes: Tuple[Route, ...]
    runs: Tuple[Run, ...]
    aggregates: Tuple[Aggregate, ...]
    ablation: Optional[Tuple[Ablation, ...]]  # None when the run had no ablation

    def aggregate(self, config):
        """The aggregate of a configuration, or None."""
        for a in self.aggregates:
            if a.config == config:
                return a
        return None

    def runs_of(self, config):
        """The runs of one configuration, in repetition order."""
        return sorted((r for r in self.runs if r.config == config),
                      key=lambda r: r.repetition)

    def sequence(self):
        """The configurations compared step by step (waterfall, stage tables).

        The phases P0..P4 in cumulative order when the document has phases;
        otherwise (a single ``run`` or a custom set) every configuration in file order.
        """
        phased = [a for a in self.aggregates if a.phase is not None]
        if phased:
            return sorted(phased, key=lambda a: PHASES.index(a.phase))
        return list(self.aggregates)

    def others(self):
        """Configurations outside the sequence (ablation alone / leave-one-out)."""
        seq = {a.config for a in self.sequence()}
        return [a for a in self.aggregates if a.config not in seq]


# -- Validation helpers -----------------------------------------------------------------

def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class _Checker:
    """Typed accessors over raw JSON that raise ReportError naming file and key."""

    _MISSING = object()

    def __init__(self, src):
        self.src = src

    def fail(self, msg):
        raise ReportError(f"{self.src}: {msg}")

    @staticmethod
    def join(path, key):
        if isinstance(key, int):
            return f"{path}[{key}]"
        return f"{path}.{key}" if path else key

    def get(self, obj, path, key, optional=False):
        full = self.join(path, key)
        if not isinstance(obj, dict):
            self.fail(f"'{path or '<top level>'}' must be an object, "
                      f"got {_type_name(obj)}")
        if key not in obj:
            if optional:
                return self._MISSING
            self.fail(f"missing key '{full}'")
        return obj[key]

    def _typed(self, obj, path, key, ok, what, optional, default):
        value = self.get(obj, path, key, optional)
        if value is self._MISSING:
            return default
        if not ok(value):
            self.fail(f"'{self.join(path, key)}' must be {what}, got {_type_name(value)}"
                      + (f" {value!r}" if isinstance(value, (int, float, str)) else ""))
        return value

    def obj(self, obj, path, key, optional=False, default=None):
        return self._typed(obj, path, key, lambda v: isinstance(v, dict), "an object",
                           optional, default)

    def array(self, obj, path, key, optional=False, default=None):
        return self._typed(obj, path, key, lambda v: isinstance(v, list), "an array",
                           optional, default)

    def string(self, obj, path, key, optional=False, default=""):
        return self._typed(obj, path, key, lambda v: isinstance(v, str), "a string",
                           optional, default)

    def boolean(self, obj, path, key, optional=False, default=None):
        return self._typed(obj, path, key, lambda v: isinstance(v, bool), "true or false",
                           optional, default)

    def number(self, obj, path, key, optional=False, default=None, minimum=None,
               nullable=False):
        """A finite number; with ``nullable``, JSON null is accepted and read as None
        (the harness writes null for a quantity it could not measure)."""
        if nullable and self.get(obj, path, key, optional=True) is None:
            return None
        value = self._typed(obj, path, key, _is_number, "a finite number", optional,
                            default)
        if value is not default and minimum is not None and value < minimum:
            self.fail(f"'{self.join(path, key)}' must be >= {minimum}, got {value!r}")
        return None if value is None else float(value)

    def integer(self, obj, path, key, optional=False, default=None, minimum=None):
        value = self._typed(obj, path, key, _is_integer, "an integer", optional, default)
        if value is not default and minimum is not None and value < minimum:
            self.fail(f"'{self.join(path, key)}' must be >= {minimum}, got {value!r}")
        return None if value is None else int(value)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_integer(v):
    return _is_number(v) and float(v).is_integer()


#: Tolerance for ``ci_low <= median <= ci_high`` (the harness writes doubles).
_ORDER_EPS = 1e-6


def _estimate(ck, obj, path, key, full, optional=False):
    """Read an estimate object; ``full`` requires min/max/spread_pct too."""
    raw = ck.get(obj, path, key, optional)
    if raw is ck._MISSING or (optional and raw is None):
        return None
    p = ck.join(path, key)
    if not isinstance(raw, dict):
        ck.fail(f"'{p}' must be an object, got {_type_name(raw)}")
    median = ck.number(raw, p, "median")
    lo = ck.number(raw, p, "ci_low")
    hi = ck.number(raw, p, "ci_high")
    if not (lo - _ORDER_EPS <= median <= hi + _ORDER_EPS):
        ck.fail(f"'{p}' must satisfy ci_low <= median <= ci_high, "
                f"got {lo!r} <= {median!r} <= {hi!r}")
    mn = ck.number(raw, p, "min", optional=not full)
    mx = ck.number(raw, p, "max", optional=not full)
    spread = ck.number(raw, p, "spread_pct", optional=not full, minimum=0)
    if mn is not None and mx is not None and mn > mx + _ORDER_EPS:
        ck.fail(f"'{p}' must satisfy min <= max, got {mn!r} > {mx!r}")
    return Estimate(median, lo, hi, mn, mx, spread)


def _phase(ck, obj, path):
    phase = ck.get(obj, path, "phase", optional=True)
    if phase is ck._MISSING or phase is None:
        return None
    if phase not in PHASES:
        ck.fail(f"'{ck.join(path, 'phase')}' must be null or one of "
                f"{', '.join(PHASES)}, got {phase!r}")
    return phase


def _opts(ck, obj, path):
    opts = ck.array(obj, path, "opts")
    for i, o in enumerate(opts):
        if not isinstance(o, str):
            ck.fail(f"'{ck.join(ck.join(path, 'opts'), i)}' must be a string, "
                    f"got {_type_name(o)}")
    return tuple(opts)


def _supported(ck, obj, path):
    supported = ck.boolean(obj, path, "supported", optional=True, default=True)
    reason = ck.string(obj, path, "unsupported_reason", optional=True, default="")
    if not supported and not reason.strip():
        ck.fail(f"'{ck.join(path, 'unsupported_reason')}' must say why "
                f"'{ck.join(path, 'config')}' is unsupported, got an empty reason")
    return supported, reason.strip()


# -- Sections ---------------------------------------------------------------------------

def _context(ck, doc):
    p = "context"
    c = ck.obj(doc, "", p)
    py = ck.obj(c, p, "python")
    clock = ck.obj(c, p, "clock")
    pp, cp = ck.join(p, "python"), ck.join(p, "clock")
    return Context(
        host=ck.string(c, p, "host"),
        cpu_model=ck.string(c, p, "cpu_model"),
        cpus=ck.integer(c, p, "cpus", minimum=1),
        kernel=ck.string(c, p, "kernel"),
        python_version=ck.string(py, pp, "version"),
        python_executable=ck.string(py, pp, "executable"),
        subinterpreters_supported=ck.boolean(py, pp, "subinterpreters_supported",
                                             optional=True),
        compiler=ck.string(c, p, "compiler"),
        build_type=ck.string(c, p, "build_type"),
        options=dict(ck.obj(c, p, "options")),
        git_revision=ck.string(c, p, "git_revision"),
        date=ck.string(c, p, "date"),
        steal_pct=ck.number(c, p, "steal_pct", minimum=0, nullable=True),
        clock_source=ck.string(clock, cp, "source"),
        stamp_cost_ns=ck.number(clock, cp, "stamp_cost_ns", minimum=0),
    )


def _run_config(ck, doc):
    p = "config"
    c = ck.obj(doc, "", p)
    return RunConfig(
        requests=ck.integer(c, p, "requests", minimum=0),
        warmup=ck.integer(c, p, "warmup", minimum=0),
        clients=ck.integer(c, p, "clients", minimum=0),
        workers=ck.integer(c, p, "workers", minimum=0),
        repetitions=ck.integer(c, p, "repetitions", minimum=0),
        seed=ck.integer(c, p, "seed"),
        probes=ck.string(c, p, "probes"),
        probe_sample=ck.integer(c, p, "probe_sample", minimum=0),
    )


def _routes(ck, doc):
    out = []
    for i, r in enumerate(ck.array(doc, "", "routes")):
        p = ck.join("routes", i)
        out.append(Route(
            method=ck.string(r, p, "method"),
            path=ck.string(r, p, "path"),
            handler=ck.string(r, p, "handler"),
            kind=ck.string(r, p, "kind"),
            reason=ck.string(r, p, "reason", optional=True),
            demotions=ck.integer(r, p, "demotions", optional=True, default=0, minimum=0),
        ))
    return tuple(out)


def _run_stage(ck, s, p):
    pcts = []
    raw = ck.array(s, p, "percentiles")
    pp = ck.join(p, "percentiles")
    for j, pair in enumerate(raw):
        q_path = ck.join(pp, j)
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(_is_number(v) for v in pair)):
            ck.fail(f"'{q_path}' must be a [percentile, ns] pair of numbers")
        q, ns = float(pair[0]), float(pair[1])
        if not 0 < q < 100 or ns < 0:
            ck.fail(f"'{q_path}' must have 0 < percentile < 100 and ns >= 0, "
                    f"got {pair!r}")
        if pcts and q <= pcts[-1][0]:
            ck.fail(f"'{pp}' percentiles must be strictly increasing")
        pcts.append((q, ns))
    return RunStage(
        count=ck.integer(s, p, "count", minimum=0),
        mean_ns=ck.number(s, p, "mean_ns", minimum=0),
        p50_ns=ck.number(s, p, "p50_ns", minimum=0),
        p90_ns=ck.number(s, p, "p90_ns", minimum=0),
        p99_ns=ck.number(s, p, "p99_ns", minimum=0),
        p999_ns=ck.number(s, p, "p999_ns", minimum=0),
        max_ns=ck.number(s, p, "max_ns", minimum=0),
        percentiles=tuple(pcts),
    )


def _runs(ck, doc):
    out = []
    for i, r in enumerate(ck.array(doc, "", "runs")):
        p = ck.join("runs", i)
        supported, reason = _supported(ck, r, p)
        # An unsupported run never ran: its numbers may be absent (read as 0).
        opt = not supported
        stages = {}
        raw_stages = ck.obj(r, p, "stages", optional=opt, default={})
        for name, s in raw_stages.items():
            stages[name] = _run_stage(ck, s, ck.join(ck.join(p, "stages"), name))
        if supported:
            if "total" not in stages:
                ck.fail(f"missing key '{ck.join(p, 'stages')}.total'")
            if not stages["total"].percentiles:
                ck.fail(f"'{p}.stages.total.percentiles' must not be empty")
        probes = ck.obj(r, p, "probes", optional=opt, default={})
        pp = ck.join(p, "probes")
        out.append(Run(
            config=ck.string(r, p, "config"),
            phase=_phase(ck, r, p),
            opts=_opts(ck, r, p),
            repetition=ck.integer(r, p, "repetition", minimum=0),
            supported=supported,
            unsupported_reason=reason,
            requests=ck.integer(r, p, "requests", optional=opt, default=0, minimum=0),
            errors=ck.integer(r, p, "errors", optional=opt, default=0, minimum=0),
            duration_s=ck.number(r, p, "duration_s", optional=opt, default=0, minimum=0),
            throughput_rps=ck.number(r, p, "throughput_rps", optional=opt, default=0,
                                     minimum=0),
            allocations_per_request=ck.number(r, p, "allocations_per_request",
                                              optional=opt, default=0, minimum=0,
                                              nullable=True),
            demotions=ck.integer(r, p, "demotions", optional=opt, default=0, minimum=0),
            steal_pct=ck.number(r, p, "steal_pct", optional=True, default=0, minimum=0,
                                nullable=True),
            stages=stages,
            probe_backend=ck.string(probes, pp, "backend", optional=opt),
            stamp_cost_ns=ck.number(probes, pp, "stamp_cost_ns", optional=opt, default=0,
                                    minimum=0),
        ))
    return tuple(out)


def _aggregates(ck, doc):
    out = []
    for i, a in enumerate(ck.array(doc, "", "aggregates")):
        p = ck.join("aggregates", i)
        supported, reason = _supported(ck, a, p)
        opt = not supported
        stages = {}
        raw_stages = ck.obj(a, p, "stages", optional=True, default={})
        for name, s in raw_stages.items():
            sp = ck.join(ck.join(p, "stages"), name)
            stages[name] = StageStats(
                p50=_estimate(ck, s, sp, "p50_ns", full=True),
                p99=_estimate(ck, s, sp, "p99_ns", full=True),
                mean=_estimate(ck, s, sp, "mean_ns", full=True, optional=True),
            )
        if supported and "total" not in stages:
            ck.fail(f"missing key '{ck.join(p, 'stages')}.total'")
        out.append(Aggregate(
            config=ck.string(a, p, "config"),
            phase=_phase(ck, a, p),
            opts=_opts(ck, a, p),
            supported=supported,
            unsupported_reason=reason,
            repetitions=ck.integer(a, p, "repetitions", optional=opt, default=0,
                                   minimum=0 if opt else 1),
            throughput=_estimate(ck, a, p, "throughput_rps", full=True, optional=opt),
            stages=stages,
        ))
    return tuple(out)


def _ablation(ck, doc):
    raw = ck.array(doc, "", "ablation", optional=True)
    if raw is None:
        return None
    out = []
    for i, e in enumerate(raw):
        p = ck.join("ablation", i)
        out.append(Ablation(
            optimization=ck.string(e, p, "optimization"),
            alone_saving_ns=_estimate(ck, e, p, "alone_saving_ns", False, optional=True),
            alone_saving_pct=_estimate(ck, e, p, "alone_saving_pct", False, optional=True),
            leave_out_saving_ns=_estimate(ck, e, p, "leave_out_saving_ns", False,
                                          optional=True),
            leave_out_saving_pct=_estimate(ck, e, p, "leave_out_saving_pct", False,
                                           optional=True),
        ))
    return tuple(out)


def _check_cross(ck, runs, aggregates):
    """Invariants between sections: unique configs, runs <-> aggregates agree."""
    seen = {}
    phases = {}
    for i, a in enumerate(aggregates):
        if not a.config:
            ck.fail(f"'aggregates[{i}].config' must not be empty")
        if a.config in seen:
            ck.fail(f"'aggregates[{i}].config' repeats configuration {a.config!r} "
                    f"(first at aggregates[{seen[a.config]}])")
        seen[a.config] = i
        if a.phase is not None:
            if a.phase in phases:
                ck.fail(f"'aggregates[{i}].phase' repeats phase {a.phase!r}")
            phases[a.phase] = i
    by_config = {a.config: a for a in aggregates}
    for i, r in enumerate(runs):
        a = by_config.get(r.config)
        if a is None:
            ck.fail(f"'runs[{i}].config' {r.config!r} has no entry in 'aggregates'")
        if r.supported != a.supported:
            ck.fail(f"'runs[{i}].supported' disagrees with the aggregate of "
                    f"{r.config!r}")
    for a in aggregates:
        if a.supported and not any(r.config == a.config and r.supported for r in runs):
            ck.fail(f"configuration {a.config!r} is supported but has no run "
                    f"in 'runs'")


def parse(doc, src="<results>"):
    """Validate a decoded JSON document and build Results; ``src`` names it in errors."""
    ck = _Checker(src)
    if not isinstance(doc, dict):
        ck.fail(f"top level must be a JSON object, got {_type_name(doc)}")
    version = ck.get(doc, "", "schema_version")
    if not _is_integer(version):
        ck.fail(f"'schema_version' must be an integer, got {version!r}")
    if int(version) != SCHEMA_VERSION:
        ck.fail(f"unsupported schema_version {version!r} "
                f"(this report generator reads version {SCHEMA_VERSION})")
    tool = ck.obj(doc, "", "tool", optional=True, default={})
    scenario = ck.obj(doc, "", "scenario")
    runs = _runs(ck, doc)
    aggregates = _aggregates(ck, doc)
    if not aggregates:
        ck.fail("'aggregates' is empty: nothing to report")
    _check_cross(ck, runs, aggregates)
    return Results(
        path=src,
        schema_version=int(version),
        tool_name=ck.string(tool, "tool", "name", optional=True, default="fasterbench"),
        tool_version=ck.string(tool, "tool", "version", optional=True),
        tool_command=ck.string(tool, "tool", "command", optional=True),
        context=_context(ck, doc),
        scenario_name=ck.string(scenario, "scenario", "name"),
        scenario_file=ck.string(scenario, "scenario", "file", optional=True),
        config=_run_config(ck, doc),
        routes=_routes(ck, doc),
        runs=runs,
        aggregates=aggregates,
        ablation=_ablation(ck, doc),
    )


def load(path):
    """Read, decode and validate a results file; raise ReportError on any problem."""
    src = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ReportError(f"{src}: cannot read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReportError(f"{src}: not UTF-8 text: {e.reason} at byte {e.start}") \
            from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReportError(f"{src}: not valid JSON (truncated or corrupt?): {e.msg} "
                          f"at line {e.lineno} column {e.colno}") from None
    return parse(doc, src)
