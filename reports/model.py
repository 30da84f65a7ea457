"""Results model: load a fasterbench results JSON document and validate it.

The harness (harness/results/) writes the document; this module is the only place
in reports/ that looks at raw JSON.  Everything is checked here, once, so the rest of
the package can trust the objects it gets:

* every key the report renders exists and has the right type (numbers are finite);
* every estimate satisfies ``ci_low <= median <= ci_high`` and ``min <= max``;
* every supported configuration has an aggregate with a ``total`` stage and at least
  one supported run whose ``total`` stage carries percentiles;
* every unsupported configuration states its reason;
* configurations are unique, and runs and aggregates name the same configurations;
* the runs of one configuration agree on their ``stamps``; a configuration stamped at
  ``arrive``/``response_ready`` only beside configurations stamped at every point (the
  ``<config>/ends`` twins that ``phases`` measures for the instrumentation tax) is kept
  apart from the plan's configurations (Results.twins), so no table or chart of the
  plan ever shows it;
* every instrumentation tax names a configuration of the plan.

A violation raises ReportError with a one-line message naming the file and the key,
e.g. ``results.json: missing key 'aggregates[2].stages.total.p50_ns.median'``.

Keys not listed here are ignored, so the harness may add fields freely (adding fields
needs no new schema version; renaming or removing one does).  Keys added after the
first version are optional: a document written before them reads as "not recorded"
(None) and the report says so.
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
#   Added later within version 1 (all optional here; older documents lack them):
#   - context.placement {policy: off|shared|split, cpus, roles {client, worker, loop}} and
#     context.process {hash_seed: int | "random", hash_seed_source, aslr: on|off,
#     environment: fixed|inherited, arg_env_bytes, reexecuted};
#   - config.isolation ("process" under `phases`: every repetition its own process);
#   - runs[].stamps ("all" | "ends"; absent = "all"), runs[].threads[] {role, index, name,
#     tid, cpus_seen, affinity, migrations (null: not exposed), voluntary_switches,
#     involuntary_switches, run_ms, runqueue_ms}, runs[].blocks[] {requests, total_p50_ns};
#   - aggregates[].noise {repetitions, blocks_per_repetition, within_pct, between_pct,
#     between_share} and aggregates[].bimodal (null, or {low, high: {repetitions,
#     median_ns, placements}, ashman_d (null: infinite), separation_pct, message});
#   - instrumentation_tax[] {config, repetitions [all, ends], total_p50_ns {all, ends},
#     tax_ns, tax_pct (median, ci_low, ci_high)}.
#   - errors a user can act on: runs[].routes[] {route, method, path, requests, errors
#     {count, messages[] {type, message, handler, count}}}, aggregates[].error_rate,
#     .error_rate_exceeded and .route_errors[] {route, method, path, requests, errors,
#     messages[]}, config.max_error_rate (null: no limit);
#   - crash isolation (`phases`): runs[].crashed (how the child died) and .crash_log (its
#     last lines), without measurements; aggregates[].crashed and .crashed_repetitions;
#   - "complete" (false: `phases` was interrupted; "resume" says how to finish it).
#   - context.measure {metric: time|instructions, tool, ...}, config.measure, config.inject_work;
#     a run with measure "instructions" has instructions_per_request, instructions {closure,
#     ...} and stages.<stage> {count, instructions_per_request} and no times: such a document
#     is read into InstructionResults (docs/instructions.md).
SCHEMA_VERSION = 1

#: Stage names in the order of probes/stage_ids.h; ``other`` is the closure residual, ``total``
#: the whole request; ``recv`` and ``send`` are the HTTP front end's, beside ``total``
#: (``fasterbench serve``; count 0 elsewhere); ``queue`` is the load generator's (open loop and
#: replay: intended send time -> arrive, inside ``total``; count 0 in a closed loop).
STAGES = ("route", "dispatch", "gil", "marshal", "handler", "future", "other", "total", "recv", "send",
          "queue")
#: The pipeline's stages, the ones stage points delimit (``total`` last).
PIPELINE_STAGES = STAGES[:STAGES.index("total") + 1]
#: The stages that make up a request, stacked in charts (``total`` excluded).
PART_STAGES = PIPELINE_STAGES[:-1]
#: The HTTP front end's stages, outside ``total``.
FRONT_END_STAGES = ("recv", "send")
#: The load generator's stages: ``queue`` (open loop, replay), a part of ``total``.
LOAD_STAGES = STAGES[len(PIPELINE_STAGES) + len(FRONT_END_STAGES):]

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

#: runs[].stamps: every stage point, or only arrive and response_ready (tax twins).
STAMPS = ("all", "ends")
#: context.placement.policy (``--pin``) and the roles it places.
PIN_POLICIES = ("off", "shared", "split")
PLACEMENT_ROLES = ("client", "worker", "loop")
#: runs[].threads[].role.
THREAD_ROLES = ("main", "client", "worker", "loop", "other")


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
class NoiseBudget:
    """Where a configuration's spread of total p50 comes from (harness/stats/noise_budget.h).

    Each repetition's measured requests are split into blocks with their own total p50;
    ``within_pct`` is the block-to-block coefficient of variation inside one repetition,
    ``between_pct`` that of the repetitions' means beyond what block noise explains, and
    ``between_share`` the between part of the variance, in [0, 1].  None = not enough
    blocks or repetitions to tell.
    """

    repetitions: int
    blocks_per_repetition: int
    within_pct: Optional[float]
    between_pct: Optional[float]
    between_share: Optional[float]


@dataclass(frozen=True)
class Cluster:
    """One of two clusters of repetitions: which, their median total p50, and how many
    had each hand-off placement (``{"same CPU": 3, ...}``)."""

    repetitions: Tuple[int, ...]
    median_ns: float
    placements: Dict[str, int]


@dataclass(frozen=True)
class Bimodal:
    """The repetitions of a configuration form two separate populations."""

    low: Cluster
    high: Cluster
    ashman_d: Optional[float]  # None: infinite (both clusters without spread)
    separation_pct: float
    message: str  # the harness's one-line warning, shown as is


@dataclass(frozen=True)
class RouteStage:
    """One stage of one route: medians over the repetitions (aggregates[].routes[].stages)."""

    count: float
    p50_ns: float
    p99_ns: float


@dataclass(frozen=True)
class RouteAggregate:
    """One scenario route of one configuration, its stages from its own requests only."""

    method: str
    path: str
    requests: float
    share: float  # of the configuration's requests
    errors: float
    stages: Dict[str, RouteStage]


@dataclass(frozen=True)
class LoadAggregate:
    """An open-loop or replayed configuration: rate medians, saturated repetitions."""

    mode: str  # open | replay
    offered_rps: float
    achieved_rps: float
    saturated_repetitions: int


@dataclass(frozen=True)
class ErrorMessage:
    """One distinct error of a route: the exception type and message, and how often."""

    type: str
    message: str
    handler: str
    count: int


@dataclass(frozen=True)
class RouteErrors:
    """The failed requests (5xx) of one route of a configuration, over its repetitions."""

    route: int
    method: str
    path: str
    requests: int
    errors: int
    messages: Tuple[ErrorMessage, ...]  # the first distinct ones; counts may sum to less


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
    noise: Optional[NoiseBudget] = None  # None: not recorded (older harness)
    bimodal: Optional[Bimodal] = None  # None: one population, or not checked
    bimodal_checked: bool = False  # False: the document predates the check
    routes: Tuple[RouteAggregate, ...] = ()  # empty: one route, or an older document
    load: Optional[LoadAggregate] = None  # None: closed loop, or an older document
    error_rate: Optional[float] = None  # None: not recorded
    error_rate_exceeded: bool = False  # over config.max_error_rate
    route_errors: Tuple[RouteErrors, ...] = ()
    #: Repetitions whose process crashed (``phases``) and how the first one did.  A
    #: configuration whose every repetition crashed reads as not supported (nothing was
    #: measured), with ``unsupported_reason`` "crashed: ...".
    crashed_repetitions: int = 0
    crashed: Optional[str] = None

    @property
    def not_measured_text(self):
        """Why an unsupported (or entirely crashed) configuration has no figures."""
        if self.crashed is not None and not self.supported:
            return self.unsupported_reason
        return f"unsupported: {self.unsupported_reason}"

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
class ThreadStats:
    """One thread of a run over its measured part (/proc/self/task/*)."""

    role: str  # one of THREAD_ROLES
    index: Optional[int]  # N of fb-worker-N; None for main and unnamed threads
    name: str
    tid: int
    cpus_seen: Tuple[int, ...]  # empty: it did not run in the measured part
    affinity: Tuple[int, ...]
    migrations: Optional[int]  # None: the kernel does not expose it
    voluntary_switches: int
    involuntary_switches: int
    run_ms: float  # on a CPU
    runqueue_ms: float  # runnable, waiting for a CPU


@dataclass(frozen=True)
class Block:
    """One of the consecutive blocks a run's measured requests were split into."""

    requests: int
    total_p50_ns: float


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
    stamps: str = "all"  # one of STAMPS; absent in older documents = "all"
    threads: Optional[Tuple[ThreadStats, ...]] = None  # None: not recorded
    blocks: Optional[Tuple[Block, ...]] = None  # None: not recorded
    crashed: Optional[str] = None  # how its process died (then it has no measurements)
    crash_log: str = ""  # the last lines the crashed process printed


@dataclass(frozen=True)
class Ablation:
    """Saving of one optimization, alone (vs P0) and left out (vs all); None = n/a."""

    optimization: str
    alone_saving_ns: Optional[Estimate]
    alone_saving_pct: Optional[Estimate]
    leave_out_saving_ns: Optional[Estimate]
    leave_out_saving_pct: Optional[Estimate]


@dataclass(frozen=True)
class InstrumentationTax:
    """What the stage points cost one configuration: total p50 stamped at every point
    minus total p50 stamped at arrive and response_ready only (its ``/ends`` twin),
    measured in the same invocation; positive = the points make a request slower."""

    config: str
    repetitions_all: int
    repetitions_ends: int
    total_all_ns: float  # median total p50, every point stamped
    total_ends_ns: float  # median total p50, ends only
    tax_ns: Estimate  # median and CI only
    tax_pct: Estimate  # of total_all_ns


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
    placement: Optional["Placement"] = None  # None: not recorded (older harness)
    process: Optional["ProcessHygiene"] = None  # None: not recorded


@dataclass(frozen=True)
class Placement:
    """Where the pipeline's threads were allowed to run (``--pin``, ``--cpus``)."""

    policy: str  # one of PIN_POLICIES
    cpus: Tuple[int, ...]  # the list the policy worked within
    roles: Dict[str, Tuple[int, ...]]  # "client", "worker", "loop" -> CPUs


@dataclass(frozen=True)
class ProcessHygiene:
    """What was fixed about the measured processes (hash seed, ASLR, environment)."""

    hash_seed: object  # an int, or "random"
    hash_seed_source: str  # "--hash-seed", "PYTHONHASHSEED" or "default"
    aslr: str  # "on" or "off"
    environment: str  # "fixed" or "inherited"
    arg_env_bytes: int
    reexecuted: bool


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
    isolation: str = ""  # "process": every repetition its own process; "": one process
    max_error_rate: Optional[float] = None  # None: no limit, or not recorded


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
    #: The ``<config>/ends`` twins (stamps "ends"): measured only for the instrumentation
    #: tax, never part of the plan's tables and charts.  Not in ``aggregates``.
    twins: Tuple[Aggregate, ...] = ()
    #: None: not recorded (older harness); () when no configuration had a twin.
    instrumentation_tax: Optional[Tuple[InstrumentationTax, ...]] = None
    #: Repetitions whose process crashed (``phases``): not in ``runs``.
    crashed_runs: Tuple[Run, ...] = ()
    complete: bool = True  # False: an interrupted ``phases`` (resume it to finish)

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

    def stamped_ends_only(self):
        """True when the reported configurations themselves stamped only arrive and
        response_ready (``run --stamps ends``): their stages are not measured."""
        return any(r.stamps == "ends" for a in self.aggregates
                   for r in self.runs_of(a.config))

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

    def records(self, obj, path, key, read):
        """An optional array of objects, each made a record by read(element, its path):
        a tuple, or None when the key is absent."""
        raw = self.array(obj, path, key, optional=True)
        if raw is None:
            return None
        at = self.join(path, key)
        return tuple(read(e, self.join(at, i)) for i, e in enumerate(raw))

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

    def choice(self, obj, path, key, choices, optional=False, default=None):
        """A string that must be one of ``choices``."""
        value = self.string(obj, path, key, optional, default)
        if value is not default and value not in choices:
            self.fail(f"'{self.join(path, key)}' must be one of {', '.join(choices)}, "
                      f"got {value!r}")
        return value

    def cpu_list(self, obj, path, key):
        """An array of CPU numbers (integers >= 0), as a tuple."""
        values = self.array(obj, path, key)
        p = self.join(path, key)
        for i, v in enumerate(values):
            if not _is_integer(v) or v < 0:
                self.fail(f"'{self.join(p, i)}' must be a CPU number (an integer >= 0), "
                          f"got {_type_name(v)} {v!r}")
        return tuple(int(v) for v in values)

    def section(self, obj, path, key):
        """An optional object added after the first format: None when absent."""
        value = self.get(obj, path, key, optional=True)
        if value is self._MISSING:
            return None
        if not isinstance(value, dict):
            self.fail(f"'{self.join(path, key)}' must be an object, "
                      f"got {_type_name(value)}")
        return value


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

def _placement(ck, c):
    p = "context.placement"
    raw = ck.section(c, "context", "placement")
    if raw is None:
        return None
    roles = ck.obj(raw, p, "roles")
    rp = ck.join(p, "roles")
    return Placement(
        policy=ck.choice(raw, p, "policy", PIN_POLICIES),
        cpus=ck.cpu_list(raw, p, "cpus"),
        roles={role: ck.cpu_list(roles, rp, role) for role in PLACEMENT_ROLES},
    )


def _process(ck, c):
    p = "context.process"
    raw = ck.section(c, "context", "process")
    if raw is None:
        return None
    seed = ck.get(raw, p, "hash_seed")
    if seed != "random" and not (_is_integer(seed) and seed >= 0):
        ck.fail(f"'{p}.hash_seed' must be an integer >= 0 or \"random\", "
                f"got {_type_name(seed)} {seed!r}")
    return ProcessHygiene(
        hash_seed=seed if seed == "random" else int(seed),
        hash_seed_source=ck.string(raw, p, "hash_seed_source"),
        aslr=ck.choice(raw, p, "aslr", ("on", "off")),
        environment=ck.choice(raw, p, "environment", ("fixed", "inherited")),
        arg_env_bytes=ck.integer(raw, p, "arg_env_bytes", minimum=0),
        reexecuted=ck.boolean(raw, p, "reexecuted"),
    )


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
        placement=_placement(ck, c),
        process=_process(ck, c),
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
        isolation=ck.string(c, p, "isolation", optional=True),
        max_error_rate=ck.number(c, p, "max_error_rate", optional=True, minimum=0,
                                 nullable=True),
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


def _threads(ck, r, p):
    return ck.records(r, p, "threads", lambda t, tp: _thread(ck, t, tp))


def _thread(ck, t, tp):
    index = ck.get(t, tp, "index")
    if index is not None and not (_is_integer(index) and index >= 0):
        ck.fail(f"'{tp}.index' must be null or an integer >= 0, got {index!r}")
    migrations = ck.get(t, tp, "migrations")
    if migrations is not None and not (_is_integer(migrations) and migrations >= 0):
        ck.fail(f"'{tp}.migrations' must be null or an integer >= 0, "
                f"got {migrations!r}")
    return ThreadStats(
        role=ck.choice(t, tp, "role", THREAD_ROLES),
        index=None if index is None else int(index),
        name=ck.string(t, tp, "name"),
        tid=ck.integer(t, tp, "tid", minimum=0),
        cpus_seen=ck.cpu_list(t, tp, "cpus_seen"),
        affinity=ck.cpu_list(t, tp, "affinity"),
        migrations=None if migrations is None else int(migrations),
        voluntary_switches=ck.integer(t, tp, "voluntary_switches", minimum=0),
        involuntary_switches=ck.integer(t, tp, "involuntary_switches", minimum=0),
        run_ms=ck.number(t, tp, "run_ms", minimum=0),
        runqueue_ms=ck.number(t, tp, "runqueue_ms", minimum=0),
    )


def _blocks(ck, r, p):
    return ck.records(r, p, "blocks", lambda b, bp: Block(
        requests=ck.integer(b, bp, "requests", minimum=0),
        total_p50_ns=ck.number(b, bp, "total_p50_ns", minimum=0)))


def _runs(ck, doc):
    """(runs with measurements or unsupported, crashed runs)."""
    out = []
    crashed = []
    for i, r in enumerate(ck.array(doc, "", "runs")):
        p = ck.join("runs", i)
        supported, reason = _supported(ck, r, p)
        how = ck.string(r, p, "crashed", optional=True, default=None)
        if how is not None:
            if not how.strip():
                ck.fail(f"'{p}.crashed' must say how the run's process died, got an empty text")
            crashed.append(Run(
                config=ck.string(r, p, "config"), phase=_phase(ck, r, p), opts=_opts(ck, r, p),
                repetition=ck.integer(r, p, "repetition", minimum=0), supported=supported,
                unsupported_reason=reason, requests=0, errors=0, duration_s=0,
                throughput_rps=0, allocations_per_request=None, demotions=0, steal_pct=None,
                stages={}, probe_backend="", stamp_cost_ns=0,
                stamps=ck.choice(r, p, "stamps", STAMPS, optional=True, default="all"),
                crashed=how.strip(), crash_log=ck.string(r, p, "crash_log", optional=True)))
            continue
        # An unsupported run never ran: its numbers may be absent (read as 0).
        opt = not supported
        stages = _stage_map(ck, r, p, _run_stage, optional=opt)
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
            steal_pct=ck.number(r, p, "steal_pct", optional=True, default=None, minimum=0,
                                nullable=True),  # absent (older documents): unknown, not 0
            stages=stages,
            probe_backend=ck.string(probes, pp, "backend", optional=opt),
            stamp_cost_ns=ck.number(probes, pp, "stamp_cost_ns", optional=opt, default=0,
                                    minimum=0),
            stamps=ck.choice(r, p, "stamps", STAMPS, optional=True, default="all"),
            threads=_threads(ck, r, p),
            blocks=_blocks(ck, r, p),
        ))
    return tuple(out), tuple(crashed)


def _noise(ck, a, p):
    raw = ck.section(a, p, "noise")
    if raw is None:
        return None
    np_ = ck.join(p, "noise")
    share = ck.number(raw, np_, "between_share", minimum=0, nullable=True)
    if share is not None and share > 1 + _ORDER_EPS:
        ck.fail(f"'{np_}.between_share' must be a fraction in [0, 1], got {share!r}")
    return NoiseBudget(
        repetitions=ck.integer(raw, np_, "repetitions", minimum=0),
        blocks_per_repetition=ck.integer(raw, np_, "blocks_per_repetition", minimum=0),
        within_pct=ck.number(raw, np_, "within_pct", minimum=0, nullable=True),
        between_pct=ck.number(raw, np_, "between_pct", minimum=0, nullable=True),
        between_share=share,
    )


def _cluster(ck, b, bp, key):
    raw = ck.obj(b, bp, key)
    cp = ck.join(bp, key)
    reps = ck.array(raw, cp, "repetitions")
    for i, r in enumerate(reps):
        if not (_is_integer(r) and r >= 0):
            ck.fail(f"'{ck.join(ck.join(cp, 'repetitions'), i)}' must be a repetition "
                    f"number (an integer >= 0), got {r!r}")
    placements = ck.obj(raw, cp, "placements")
    pl = ck.join(cp, "placements")
    return Cluster(
        repetitions=tuple(int(r) for r in reps),
        median_ns=ck.number(raw, cp, "median_ns", minimum=0),
        placements={k: ck.integer(placements, pl, k, minimum=0) for k in placements},
    )


def _bimodal(ck, a, p):
    """(Bimodal or None, checked): null means checked and one population."""
    raw = ck.get(a, p, "bimodal", optional=True)
    if raw is ck._MISSING:
        return None, False
    if raw is None:
        return None, True
    bp = ck.join(p, "bimodal")
    if not isinstance(raw, dict):
        ck.fail(f"'{bp}' must be null or an object, got {_type_name(raw)}")
    low, high = _cluster(ck, raw, bp, "low"), _cluster(ck, raw, bp, "high")
    if low.median_ns > high.median_ns:
        ck.fail(f"'{bp}' must have low.median_ns <= high.median_ns, "
                f"got {low.median_ns!r} > {high.median_ns!r}")
    message = ck.string(raw, bp, "message")
    if not message.strip():
        ck.fail(f"'{bp}.message' must not be empty")
    return Bimodal(
        low=low, high=high,
        ashman_d=ck.number(raw, bp, "ashman_d", minimum=0, nullable=True),
        separation_pct=ck.number(raw, bp, "separation_pct", minimum=0),
        message=message.strip(),
    ), True


def _stage_map(ck, obj, p, parse, optional):
    """``obj.stages`` as {stage name: parse(ck, stage object, its path)}."""
    raw = ck.obj(obj, p, "stages", optional=optional, default={})
    return {name: parse(ck, s, ck.join(ck.join(p, "stages"), name)) for name, s in raw.items()}


def _aggregate_stage(ck, s, sp):
    return StageStats(
        p50=_estimate(ck, s, sp, "p50_ns", full=True),
        p99=_estimate(ck, s, sp, "p99_ns", full=True),
        mean=_estimate(ck, s, sp, "mean_ns", full=True, optional=True),
    )


def _aggregate_routes(ck, a, p):
    out = []
    for i, r in enumerate(ck.array(a, p, "routes", optional=True, default=[])):
        rp = ck.join(ck.join(p, "routes"), i)
        stages = {}
        for name, s in ck.obj(r, rp, "stages").items():
            sp = ck.join(ck.join(rp, "stages"), name)
            stages[name] = RouteStage(count=ck.number(s, sp, "count", minimum=0),
                                      p50_ns=ck.number(s, sp, "p50_ns"),
                                      p99_ns=ck.number(s, sp, "p99_ns"))
        out.append(RouteAggregate(method=ck.string(r, rp, "method"), path=ck.string(r, rp, "path"),
                                  requests=ck.number(r, rp, "requests", minimum=0),
                                  share=ck.number(r, rp, "share", minimum=0),
                                  errors=ck.number(r, rp, "errors", minimum=0), stages=stages))
    return tuple(out)


def _load(ck, a, p):
    raw = ck.section(a, p, "load")
    if raw is None:
        return None
    lp = ck.join(p, "load")
    return LoadAggregate(mode=ck.string(raw, lp, "mode"),
                         offered_rps=ck.number(raw, lp, "offered_rps", minimum=0),
                         achieved_rps=ck.number(raw, lp, "achieved_rps", minimum=0),
                         saturated_repetitions=ck.integer(raw, lp, "saturated_repetitions", minimum=0))


def _route_errors(ck, a, p):
    raw = ck.array(a, p, "route_errors", optional=True, default=[])
    out = []
    for i, r in enumerate(raw):
        rp = ck.join(ck.join(p, "route_errors"), i)
        messages = []
        for j, m in enumerate(ck.array(r, rp, "messages")):
            mp = ck.join(ck.join(rp, "messages"), j)
            messages.append(ErrorMessage(type=ck.string(m, mp, "type"),
                                         message=ck.string(m, mp, "message"),
                                         handler=ck.string(m, mp, "handler"),
                                         count=ck.integer(m, mp, "count", minimum=0)))
        out.append(RouteErrors(route=ck.integer(r, rp, "route", minimum=0),
                               method=ck.string(r, rp, "method"), path=ck.string(r, rp, "path"),
                               requests=ck.integer(r, rp, "requests", minimum=0),
                               errors=ck.integer(r, rp, "errors", minimum=0),
                               messages=tuple(messages)))
    return tuple(out)


def _aggregates(ck, doc):
    out = []
    for i, a in enumerate(ck.array(doc, "", "aggregates")):
        p = ck.join("aggregates", i)
        supported, reason = _supported(ck, a, p)
        crashed_reps = ck.integer(a, p, "crashed_repetitions", optional=True, default=0,
                                  minimum=0)
        crashed = ck.string(a, p, "crashed", optional=True, default=None)
        if supported and crashed is not None and \
                ck.integer(a, p, "repetitions", minimum=0) == 0:
            # Every repetition crashed: nothing was measured, as for an unsupported one.
            supported, reason = False, f"crashed: {crashed}"
        opt = not supported
        stages = _stage_map(ck, a, p, _aggregate_stage, optional=True)
        if supported and "total" not in stages:
            ck.fail(f"missing key '{ck.join(p, 'stages')}.total'")
        bimodal, checked = _bimodal(ck, a, p)
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
            noise=_noise(ck, a, p),
            bimodal=bimodal,
            bimodal_checked=checked,
            routes=_aggregate_routes(ck, a, p),
            load=_load(ck, a, p),
            error_rate=ck.number(a, p, "error_rate", optional=True, minimum=0),
            error_rate_exceeded=ck.boolean(a, p, "error_rate_exceeded", optional=True,
                                           default=False),
            route_errors=_route_errors(ck, a, p),
            crashed_repetitions=crashed_reps,
            crashed=crashed,
        ))
    return tuple(out)


def _ablation(ck, doc):
    return ck.records(doc, "", "ablation", lambda e, p: Ablation(
        optimization=ck.string(e, p, "optimization"),
        alone_saving_ns=_estimate(ck, e, p, "alone_saving_ns", False, optional=True),
        alone_saving_pct=_estimate(ck, e, p, "alone_saving_pct", False, optional=True),
        leave_out_saving_ns=_estimate(ck, e, p, "leave_out_saving_ns", False, optional=True),
        leave_out_saving_pct=_estimate(ck, e, p, "leave_out_saving_pct", False, optional=True),
    ))


def _instrumentation_tax(ck, doc):
    return ck.records(doc, "", "instrumentation_tax", lambda t, p: _tax(ck, t, p))


def _tax(ck, t, p):
    reps = ck.get(t, p, "repetitions")
    if (not isinstance(reps, list) or len(reps) != 2
            or not all(_is_integer(n) and n >= 1 for n in reps)):
        ck.fail(f"'{p}.repetitions' must be [repetitions with every point, with the "
                f"ends only], two integers >= 1, got {reps!r}")
    totals = ck.obj(t, p, "total_p50_ns")
    tp = ck.join(p, "total_p50_ns")
    return InstrumentationTax(
        config=ck.string(t, p, "config"),
        repetitions_all=int(reps[0]),
        repetitions_ends=int(reps[1]),
        total_all_ns=ck.number(totals, tp, "all", minimum=0),
        total_ends_ns=ck.number(totals, tp, "ends", minimum=0),
        tax_ns=_estimate(ck, t, p, "tax_ns", full=False),
        tax_pct=_estimate(ck, t, p, "tax_pct", full=False),
    )


def _stamps_of(ck, runs, aggregates):
    """{config: "all" | "ends"}: what the runs of each configuration stamped.

    A configuration's runs must agree; an aggregate without runs (unsupported) is
    taken as stamped at every point."""
    stamps = {}
    for i, r in enumerate(runs):
        first = stamps.setdefault(r.config, (r.stamps, i))
        if first[0] != r.stamps:
            ck.fail(f"'runs[{i}].stamps' is {r.stamps!r} but 'runs[{first[1]}].stamps' "
                    f"of the same configuration {r.config!r} is {first[0]!r}")
    return {a.config: stamps.get(a.config, ("all", None))[0] for a in aggregates}


def _check_tax(ck, taxes, plan_configs):
    for i, t in enumerate(taxes or ()):
        if t.config not in plan_configs:
            ck.fail(f"'instrumentation_tax[{i}].config' {t.config!r} is not a "
                    f"configuration of 'aggregates' stamped at every point")


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


@dataclass(frozen=True)
class InstructionRun:
    """A run measured with ``--measure instructions``: counts, no times."""
    config: str
    repetition: int
    requests: int
    instructions_per_request: float
    stages: Dict[str, float]      # stage -> instructions per request (route .. total)
    closure: float


@dataclass(frozen=True)
class InstructionResults:
    """A document measured in instructions (docs/instructions.md): the report shows its
    counts and says that it has no times."""
    path: str
    scenario_name: str
    tool: str
    tool_version: str
    slowdown: Optional[float]
    hash_seed: Optional[str]
    aslr: Optional[str]
    inject_work: Optional[str]
    runs: Tuple[InstructionRun, ...]


def is_instruction_document(doc):
    runs = doc.get("runs") if isinstance(doc, dict) else None
    return isinstance(runs, list) and any(
        isinstance(r, dict) and r.get("measure") == "instructions" for r in runs)


def _instruction_results(ck, doc, src):
    runs = []
    for i, r in enumerate(ck.array(doc, "", "runs")):
        p = ck.join("runs", i)
        if not ck.boolean(r, p, "supported", optional=True, default=True):
            continue
        if r.get("measure") != "instructions":
            ck.fail(f"'{p}.measure' must be 'instructions' like the other runs")
        stages = {}
        sp = ck.join(p, "stages")
        for name, s in ck.obj(r, p, "stages").items():
            stages[name] = ck.number(s, ck.join(sp, name), "instructions_per_request",
                                     minimum=0)
        ip = ck.join(p, "instructions")
        runs.append(InstructionRun(
            config=ck.string(r, p, "config"),
            repetition=ck.integer(r, p, "repetition", minimum=0),
            requests=ck.integer(r, p, "requests", minimum=0),
            instructions_per_request=ck.number(r, p, "instructions_per_request", minimum=0),
            stages=stages,
            closure=ck.number(ck.obj(r, p, "instructions"), ip, "closure", minimum=0),
        ))
    if not runs:
        ck.fail("'runs' has no run measured in instructions: nothing to report")
    c = ck.obj(doc, "", "context")
    m = ck.obj(c, "context", "measure")
    mp = "context.measure"
    process = c.get("process") if isinstance(c.get("process"), dict) else {}
    work = ck.obj(doc, "", "config").get("inject_work")
    return InstructionResults(
        path=src,
        scenario_name=ck.string(ck.obj(doc, "", "scenario"), "scenario", "name"),
        tool=ck.string(m, mp, "tool"),
        tool_version=ck.string(m, mp, "version", optional=True),
        slowdown=ck.number(m, mp, "slowdown", optional=True, nullable=True),
        hash_seed=None if process.get("hash_seed") is None else str(process.get("hash_seed")),
        aslr=process.get("aslr"),
        inject_work=work.get("spec") if isinstance(work, dict) else None,
        runs=tuple(runs),
    )


def parse(doc, src="<results>"):
    """Validate a decoded JSON document and build Results (InstructionResults for a document
    measured with ``--measure instructions``); ``src`` names it in errors."""
    ck = _Checker(src)
    if not isinstance(doc, dict):
        ck.fail(f"top level must be a JSON object, got {_type_name(doc)}")
    version = ck.get(doc, "", "schema_version")
    if not _is_integer(version):
        ck.fail(f"'schema_version' must be an integer, got {version!r}")
    if int(version) != SCHEMA_VERSION:
        ck.fail(f"unsupported schema_version {version!r} "
                f"(this report generator reads version {SCHEMA_VERSION})")
    if is_instruction_document(doc):
        return _instruction_results(ck, doc, src)
    tool = ck.obj(doc, "", "tool", optional=True, default={})
    scenario = ck.obj(doc, "", "scenario")
    runs, crashed_runs = _runs(ck, doc)
    aggregates = _aggregates(ck, doc)
    if not aggregates:
        ck.fail("'aggregates' is empty: nothing to report")
    _check_cross(ck, runs, aggregates)
    stamps = _stamps_of(ck, runs, aggregates)
    if any(v == "all" for v in stamps.values()):
        plan_aggregates = tuple(a for a in aggregates if stamps[a.config] == "all")
        twins = tuple(a for a in aggregates if stamps[a.config] == "ends")
    else:  # `run --stamps ends`: the ends-only configuration is the subject itself
        plan_aggregates, twins = aggregates, ()
    taxes = _instrumentation_tax(ck, doc)
    _check_tax(ck, taxes, {a.config for a in plan_aggregates})
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
        aggregates=plan_aggregates,
        ablation=_ablation(ck, doc),
        twins=twins,
        instrumentation_tax=taxes,
        crashed_runs=crashed_runs,
        complete=ck.boolean(doc, "", "complete", optional=True, default=True),
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
