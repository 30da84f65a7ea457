"""The results document as typed Python objects (docs/python.md, docs/results-schema.md).

A results document is what `fasterbench run --out FILE`, `fasterbench phases` (DIR/results.json)
and `fasterbench serve --out FILE` write: one JSON object with the machine (`context`), the load
(`config`), the scenario's `routes`, one entry per configuration and repetition (`runs`) and the
statistics over the repetitions of each configuration (`aggregates`).

    import fasterbench as fb
    results = fb.load_results("results.json")
    p1 = results.configuration("P1")          # or results.stage(...) when there is one
    p1.stage("total").p50                      # ns: median over the repetitions of each run's p50
    p1.floor("attach_call")                    # ns: the call floor, median over the runs

The objects are read-only views of the document: `to_document()` gives it back unchanged and
`save(path)` writes it byte for byte as the harness does. Times are nanoseconds. A figure that
is a median over repetitions is a `Nanoseconds` (a float) that keeps its spread, so a budget
such as `p1.stage("total").p50 < 2 * p1.floor("attach_call")` prints both sides with their
units and spread when it fails.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._core import ConfigError

__all__ = [
    "SCHEMA_VERSION", "FLOORS", "ResultsError", "Nanoseconds", "Estimate", "StageSummary",
    "StageStatistics", "Run", "Aggregate", "Configuration", "Route", "Context", "Results",
    "format_ns",
]

# The results schema this package reads (docs/results-schema.md: renaming or removing a key
# bumps it; added keys do not).
SCHEMA_VERSION = 1

# The floors a configuration can be compared with: name -> the key of runs[] that holds it.
# attach_call: attach + call + detach of a trivial handler, measured after each repetition in
# the same process (docs/measurement.md, "The call floor").
FLOORS = {"attach_call": "call_floor_ns"}

Document = dict[str, Any]


class ResultsError(ConfigError):
    """A file or document that is not a results document this fasterbench reads: the message
    names the file (when there is one) and the reason. A ConfigError, hence a ValueError."""


def format_ns(ns: float) -> str:
    """A duration in nanoseconds with a readable unit, three significant digits (at least the
    whole ns): '66.4 ns', '850 ns', '12.3 µs', '1.25 ms', '2.04 s'."""
    if ns is None or (isinstance(ns, float) and math.isnan(ns)):
        return "n/a"
    magnitude = abs(ns)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if magnitude >= scale:
            value = ns / scale
            return f"{value:.3g} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
    return f"{ns:.1f} ns" if magnitude < 100 else f"{ns:.0f} ns"


class Nanoseconds(float):
    """A time in ns (a float) with what it is and its spread over repetitions.

    `what` names the figure ("P1 total p50"); `low` and `high` are the smallest and largest
    per-repetition values (equal to the value when there is one); `n` counts the repetitions.
    Multiplying or dividing by a number, and adding or subtracting another Nanoseconds, keep
    the description, so `2 * floor` reads "2 × P1 attach_call floor" in a failed assertion.
    """

    what: str
    low: float
    high: float
    n: int

    def __new__(cls, value: float, what: str = "", low: Optional[float] = None,
                high: Optional[float] = None, n: int = 1) -> "Nanoseconds":
        self = super().__new__(cls, value)
        self.what = what
        self.low = float(value) if low is None else float(low)
        self.high = float(value) if high is None else float(high)
        self.n = n
        return self

    @property
    def spread_pct(self) -> float:
        """(high - low) / value × 100: how far apart the repetitions were; 0 for one."""
        return 0.0 if float(self) == 0 else (self.high - self.low) / abs(float(self)) * 100

    def spread(self) -> str:
        """'5 repetitions 12.1 µs to 12.6 µs, spread 3.9 %', '5 repetitions, all 281 ns', or
        '1 repetition, no spread'."""
        if self.n <= 1:
            return "1 repetition, no spread"
        if self.low == self.high:
            return f"{self.n} repetitions, all {format_ns(self.low)}"
        return f"{self.n} repetitions {format_ns(self.low)} to {format_ns(self.high)}, spread {self.spread_pct:.1f} %"

    def describe(self) -> str:
        """'12.3 µs (P1 total p50; 5 repetitions 12.1 µs to 12.6 µs, spread 3.9 %)'."""
        what = f"{self.what}; " if self.what else ""
        return f"{format_ns(float(self))} ({what}{self.spread()})"

    def __repr__(self) -> str:
        return self.describe()

    __str__ = __repr__

    def _scaled(self, factor: float, what: str) -> "Nanoseconds":
        low, high = sorted((self.low * factor, self.high * factor))
        return Nanoseconds(float(self) * factor, what, low, high, self.n)

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, (int, float)) and not isinstance(other, Nanoseconds):
            return self._scaled(float(other), f"{_number(other)} × {self.what}")
        return float(self) * other

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Any:
        if isinstance(other, (int, float)) and not isinstance(other, Nanoseconds) and other != 0:
            return self._scaled(1 / float(other), f"{self.what} / {_number(other)}")
        return float(self) / other

    def _combined(self, other: "Nanoseconds", sign: int) -> "Nanoseconds":
        op = "+" if sign > 0 else "-"
        low = self.low + (other.low if sign > 0 else -other.high)
        high = self.high + (other.high if sign > 0 else -other.low)
        return Nanoseconds(float(self) + sign * float(other), f"{self.what} {op} {other.what}", low, high,
                           min(self.n, other.n))

    def __add__(self, other: Any) -> Any:
        return self._combined(other, 1) if isinstance(other, Nanoseconds) else float(self) + other

    def __radd__(self, other: Any) -> Any:
        return float(self) + other

    def __sub__(self, other: Any) -> Any:
        return self._combined(other, -1) if isinstance(other, Nanoseconds) else float(self) - other

    def __rsub__(self, other: Any) -> Any:
        return other - float(self)

    def __reduce__(self):
        return (Nanoseconds, (float(self), self.what, self.low, self.high, self.n))


def _number(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Estimate:
    """A statistic over the repetitions of one configuration (aggregates[]): the median with its
    95 % bootstrap interval, the extremes, and spread_pct = (max - min) / median × 100."""

    n: int
    median: float
    ci_low: float
    ci_high: float
    min: float
    max: float
    spread_pct: float

    @classmethod
    def from_document(cls, d: Mapping[str, Any]) -> "Estimate":
        return cls(n=d["n"], median=d["median"], ci_low=d["ci_low"], ci_high=d["ci_high"],
                   min=d["min"], max=d["max"], spread_pct=d["spread_pct"])

    def nanoseconds(self, what: str) -> Nanoseconds:
        """The median as a Nanoseconds carrying this estimate's extremes."""
        return Nanoseconds(self.median, what, self.min, self.max, self.n)


class StageSummary:
    """One stage of one run (runs[].stages.<stage>): the distribution of that stage's time over
    the run's measured requests. Percentiles come from a log-linear histogram (≤ 1 % error).

    `count` requests went through the stage (0: none; then every figure is 0). A run measured
    with --measure instructions has `instructions_per_request` instead of times (None here)."""

    def __init__(self, name: str, document: Mapping[str, Any]):
        self.name = name
        self.document = document

    count = property(lambda self: self.document.get("count", 0), doc="requests that went through the stage")
    mean_ns = property(lambda self: self.document.get("mean_ns"), doc="mean (can be negative for `other`)")
    p50_ns = property(lambda self: self.document.get("p50_ns"), doc="median")
    p90_ns = property(lambda self: self.document.get("p90_ns"))
    p99_ns = property(lambda self: self.document.get("p99_ns"))
    p999_ns = property(lambda self: self.document.get("p999_ns"))
    max_ns = property(lambda self: self.document.get("max_ns"))
    allocations_per_request = property(lambda self: self.document.get("allocations_per_request"),
                                       doc="C++ operator new calls charged to the stage per request of the run")
    instructions_per_request = property(lambda self: self.document.get("instructions_per_request"))

    @property
    def percentiles(self) -> list[tuple[float, int]]:
        """The percentile curve: (q in percent, ns), q strictly increasing."""
        return [(q, ns) for q, ns in self.document.get("percentiles", [])]

    @property
    def histogram(self) -> list[tuple[int, int]]:
        """The non-empty buckets of the histogram: (upper bound in ns, requests)."""
        return [(upper, count) for upper, count in self.document.get("histogram", {}).get("buckets", [])]

    def __repr__(self) -> str:
        if self.p50_ns is None:
            return f"<StageSummary {self.name}: count {self.count}>"
        return (f"<StageSummary {self.name}: count {self.count}, p50 {format_ns(self.p50_ns)}, "
                f"p99 {format_ns(self.p99_ns)}, mean {format_ns(self.mean_ns)}>")


class StageStatistics:
    """One stage of one configuration over its repetitions (aggregates[].stages.<stage>).

    `p50`, `p99` and `mean` are the medians over the repetitions of each run's figure, in ns, as
    Nanoseconds carrying the spread; `p50_estimate` etc. add the bootstrap interval."""

    def __init__(self, config: str, name: str, document: Mapping[str, Any]):
        self.config = config
        self.name = name
        self.document = document

    def _estimate(self, key: str) -> Estimate:
        return Estimate.from_document(self.document[key])

    p50_estimate = property(lambda self: self._estimate("p50_ns"))
    p99_estimate = property(lambda self: self._estimate("p99_ns"))
    mean_estimate = property(lambda self: self._estimate("mean_ns"))
    count_estimate = property(lambda self: self._estimate("count"))

    @property
    def p50(self) -> Nanoseconds:
        """Median over the repetitions of the stage's p50, ns."""
        return self.p50_estimate.nanoseconds(f"{self.config} {self.name} p50")

    @property
    def p99(self) -> Nanoseconds:
        """Median over the repetitions of the stage's p99, ns."""
        return self.p99_estimate.nanoseconds(f"{self.config} {self.name} p99")

    @property
    def mean(self) -> Nanoseconds:
        """Median over the repetitions of the stage's mean, ns."""
        return self.mean_estimate.nanoseconds(f"{self.config} {self.name} mean")

    @property
    def count(self) -> float:
        """Median over the repetitions of the requests that went through the stage."""
        return self.count_estimate.median

    def __repr__(self) -> str:
        return (f"<StageStatistics {self.config} {self.name}: p50 {self.p50!r}, "
                f"p99 {format_ns(self.p99)}>")


class Run:
    """One configuration and repetition (runs[]): what one measurement in one process gave."""

    def __init__(self, document: Mapping[str, Any]):
        self.document = document

    config = property(lambda self: self.document["config"], doc="P0..P5, a switch set, with /ends or /ebpf")
    phase = property(lambda self: self.document.get("phase"), doc="P0..P5, or None")
    opts = property(lambda self: list(self.document.get("opts", [])), doc="the switches on")
    repetition = property(lambda self: self.document["repetition"], doc="0-based")
    supported = property(lambda self: self.document.get("supported", True))
    unsupported_reason = property(lambda self: self.document.get("unsupported_reason", ""))
    crashed = property(lambda self: self.document.get("crashed", ""),
                       doc="phases: how the repetition's process died ('' when it did not)")
    requests = property(lambda self: self.document.get("requests", 0), doc="measured requests")
    errors = property(lambda self: self.document.get("errors", 0), doc="responses with status >= 500")
    client_errors = property(lambda self: self.document.get("client_errors", 0))
    duration_s = property(lambda self: self.document.get("duration_s"))
    throughput_rps = property(lambda self: self.document.get("throughput_rps"))
    steal_pct = property(lambda self: self.document.get("steal_pct"), doc="None: unknown")
    call_floor_ns = property(lambda self: self.document.get("call_floor_ns"),
                             doc="attach + call + detach of a trivial handler, ns")

    @property
    def measured(self) -> bool:
        """Whether the run holds measurements (supported and not crashed)."""
        return self.supported and not self.crashed

    @property
    def stages(self) -> dict[str, StageSummary]:
        return {name: StageSummary(name, d) for name, d in self.document.get("stages", {}).items()}

    def stage(self, name: str) -> StageSummary:
        stages = self.document.get("stages", {})
        if name not in stages:
            raise KeyError(_unknown("stage", name, stages, f"run {self.config} #{self.repetition}"))
        return StageSummary(name, stages[name])

    def __repr__(self) -> str:
        if not self.supported:
            return f"<Run {self.config} #{self.repetition}: unsupported ({self.unsupported_reason})>"
        if self.crashed:
            return f"<Run {self.config} #{self.repetition}: crashed ({self.crashed})>"
        total = self.document.get("stages", {}).get("total", {})
        figure = (f", total p50 {format_ns(total['p50_ns'])}" if "p50_ns" in total else "")
        return f"<Run {self.config} #{self.repetition}: {self.requests} requests{figure}>"


class Aggregate:
    """One configuration's statistics over its repetitions (aggregates[])."""

    def __init__(self, document: Mapping[str, Any]):
        self.document = document

    config = property(lambda self: self.document["config"])
    phase = property(lambda self: self.document.get("phase"))
    opts = property(lambda self: list(self.document.get("opts", [])))
    supported = property(lambda self: self.document.get("supported", True))
    unsupported_reason = property(lambda self: self.document.get("unsupported_reason", ""))
    repetitions = property(lambda self: self.document.get("repetitions", 0), doc="supported runs aggregated")
    error_rate = property(lambda self: self.document.get("error_rate"))
    noise = property(lambda self: self.document.get("noise"), doc="the noise budget (dict), or None")
    bimodal = property(lambda self: self.document.get("bimodal"), doc="None: one population")

    @property
    def throughput_rps(self) -> Optional[Estimate]:
        d = self.document.get("throughput_rps")
        return Estimate.from_document(d) if d else None

    @property
    def errors(self) -> Optional[Estimate]:
        d = self.document.get("errors")
        return Estimate.from_document(d) if d else None

    @property
    def stages(self) -> dict[str, StageStatistics]:
        return {name: StageStatistics(self.config, name, d) for name, d in self.document.get("stages", {}).items()}

    def stage(self, name: str) -> StageStatistics:
        stages = self.document.get("stages", {})
        if name not in stages:
            why = f" ({self.unsupported_reason})" if not self.supported else ""
            raise KeyError(_unknown("stage", name, stages, f"configuration {self.config}{why}"))
        return StageStatistics(self.config, name, stages[name])

    def __repr__(self) -> str:
        if not self.supported:
            return f"<Aggregate {self.config}: unsupported ({self.unsupported_reason})>"
        total = self.document.get("stages", {}).get("total")
        figure = f", total p50 {self.stage('total').p50!r}" if total else ""
        return f"<Aggregate {self.config}: {self.repetitions} repetitions{figure}>"


class Configuration:
    """One configuration of a document: its aggregate and its runs, with the accessors a budget
    needs (`stage`, `floor`)."""

    def __init__(self, aggregate: Aggregate, runs: list[Run]):
        self.aggregate = aggregate
        self.runs = runs

    name = property(lambda self: self.aggregate.config)
    phase = property(lambda self: self.aggregate.phase)
    opts = property(lambda self: self.aggregate.opts)
    supported = property(lambda self: self.aggregate.supported)
    unsupported_reason = property(lambda self: self.aggregate.unsupported_reason)
    repetitions = property(lambda self: self.aggregate.repetitions)

    def stage(self, name: str) -> StageStatistics:
        """The stage over the repetitions: `.p50`, `.p99`, `.mean` in ns (medians with spread)."""
        return self.aggregate.stage(name)

    def floor(self, name: str = "attach_call") -> Nanoseconds:
        """A floor (FLOORS), in ns: the median over this configuration's measured runs, with
        their extremes. attach_call: attach + call + detach of a trivial handler."""
        if name not in FLOORS:
            raise KeyError(_unknown("floor", name, FLOORS, "fasterbench"))
        key = FLOORS[name]
        values = sorted(run.document[key] for run in self.runs if run.measured and key in run.document)
        if not values:
            raise KeyError(f"configuration {self.name} has no {name} floor: no measured run recorded "
                           f"{key} (an instructions run, or every repetition unsupported or crashed)")
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        return Nanoseconds(median, f"{self.name} {name} floor", values[0], values[-1], len(values))

    def __repr__(self) -> str:
        return f"<Configuration {self.name}: {len(self.runs)} runs, {self.aggregate!r}>"


@dataclass(frozen=True)
class Route:
    """A scenario route (routes[]) as registered: its handler, kind and why."""

    method: str
    path: str
    handler: str
    kind: str
    reason: str
    demotions: int
    interpreter: str

    @classmethod
    def from_document(cls, d: Mapping[str, Any]) -> "Route":
        return cls(method=d["method"], path=d["path"], handler=d["handler"], kind=d["kind"],
                   reason=d["reason"], demotions=d.get("demotions", 0), interpreter=d.get("interpreter", ""))


class Context:
    """Where and how the document was measured (context): machine, build, Python, conditions."""

    def __init__(self, document: Mapping[str, Any]):
        self.document = document

    host = property(lambda self: self.document.get("host"))
    cpu_model = property(lambda self: self.document.get("cpu_model"))
    cpus = property(lambda self: self.document.get("cpus"))
    kernel = property(lambda self: self.document.get("kernel"))
    python_version = property(lambda self: self.document.get("python", {}).get("version"))
    compiler = property(lambda self: self.document.get("compiler"))
    build_type = property(lambda self: self.document.get("build_type"))
    git_revision = property(lambda self: self.document.get("git_revision"))
    date = property(lambda self: self.document.get("date"), doc="ISO 8601, UTC")
    steal_pct = property(lambda self: self.document.get("steal_pct"), doc="None: unknown")

    def __repr__(self) -> str:
        steal = "unknown" if self.steal_pct is None else f"{self.steal_pct:.1f} %"
        return (f"<Context {self.host}: {self.cpus} CPUs {self.cpu_model}, Python {self.python_version}, "
                f"{self.build_type}, rev {self.git_revision}, {self.date}, steal {steal}>")


class Results:
    """A results document (docs/results-schema.md) as typed objects.

    `Results.load(path)` or `Results.from_document(dict)`; `runs`, `aggregates`, `routes`,
    `context`, `config`; `configuration(name)` for one configuration's `stage()` and `floor()`,
    or `stage()` / `floor()` directly when the document measured one configuration."""

    def __init__(self, document: Document, source: str = "the document", text: Optional[str] = None):
        self._document = document
        self.source = source
        # The file's own text when read from one: save() writes it back byte for byte (the
        # harness's float formatting is not always Python's shortest repr).
        self._text = text

    @classmethod
    def from_document(cls, document: Document, source: str = "the document") -> "Results":
        """Checks the keys this package reads (ResultsError naming `source` and the key). The
        objects are views of `document`: do not change it afterwards."""
        _validate(document, source)
        return cls(document, source)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Results":
        """Reads a results JSON: ResultsError naming the file for one that is missing, not
        JSON, or not a results document of this schema."""
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise ResultsError(f"{name}: cannot read: {e.strerror}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as e:
            raise ResultsError(f"{name}: not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
        _validate(document, name)
        return cls(document, name, text)

    def to_document(self) -> Document:
        """The document as a dict (a copy: changing it does not change these objects)."""
        return copy.deepcopy(self._document)

    def to_json(self) -> str:
        """The document as JSON: the text of the file it was loaded from, unchanged; else the
        harness's layout (keys in the document's order, two-space indent, a final newline)."""
        if self._text is not None:
            return self._text
        return json.dumps(self._document, indent=2, ensure_ascii=False) + "\n"

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes to_json() atomically (a temporary file in the same directory, then a rename):
        a loaded document byte for byte as read; one from from_document() as JSON that parses
        to the same document."""
        name = os.fspath(path)
        directory = os.path.dirname(name) or "."
        fd, temporary = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.to_json())
            os.replace(temporary, name)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    schema_version = property(lambda self: self._document["schema_version"])
    command = property(lambda self: self._document.get("tool", {}).get("command"), doc="run, phases or serve")
    scenario_name = property(lambda self: self._document["scenario"]["name"])
    scenario_file = property(lambda self: self._document["scenario"]["file"])
    config = property(lambda self: copy.deepcopy(self._document["config"]),
                      doc="the load and probe settings as resolved (a dict: docs/results-schema.md#config)")
    context = property(lambda self: Context(self._document["context"]))
    routes = property(lambda self: [Route.from_document(r) for r in self._document["routes"]])
    runs = property(lambda self: [Run(r) for r in self._document["runs"]])
    aggregates = property(lambda self: [Aggregate(a) for a in self._document["aggregates"]])
    complete = property(lambda self: self._document.get("complete", True),
                        doc="phases: False when interrupted before every measurement was taken")

    @property
    def configurations(self) -> dict[str, Configuration]:
        """Every configuration, in the document's order: name -> Configuration."""
        runs = self.runs
        return {a.config: Configuration(a, [r for r in runs if r.config == a.config]) for a in self.aggregates}

    def configuration(self, name: Optional[str] = None) -> Configuration:
        """The configuration `name` (P1, lockfree+subinterp, P1/ends, ...); without a name, the
        one measured configuration (KeyError when there are several: name one)."""
        configurations = self.configurations
        if name is not None:
            if name not in configurations:
                raise KeyError(_unknown("configuration", name, configurations, self.source))
            return configurations[name]
        # The instrumentation tax's /ends twins are not what a user means by "the" configuration.
        main = [c for c in configurations.values() if "/" not in c.name]
        if len(main) != 1:
            raise KeyError(f"{self.source} has {len(main)} configurations ({', '.join(c.name for c in main)}): "
                           "name one, e.g. results.configuration('P1').stage('total')")
        return main[0]

    def stage(self, name: str, config: Optional[str] = None) -> StageStatistics:
        """`configuration(config).stage(name)`: p50, p99 and mean over the repetitions, ns."""
        return self.configuration(config).stage(name)

    def floor(self, name: str = "attach_call", config: Optional[str] = None) -> Nanoseconds:
        """`configuration(config).floor(name)`: the median floor over the runs, ns."""
        return self.configuration(config).floor(name)

    def __iter__(self) -> Iterator[Configuration]:
        return iter(self.configurations.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Results) and self._document == other._document

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for c in self.configurations.values():
            if not c.supported:
                parts.append(f"{c.name} unsupported")
            elif "total" in c.aggregate.document.get("stages", {}) and "p50_ns" in c.aggregate.document["stages"]["total"]:
                parts.append(f"{c.name} total p50 {format_ns(c.stage('total').p50)} ×{c.repetitions}")
            else:
                parts.append(f"{c.name} ×{c.repetitions}")
        return (f"<Results {self.command} {self.scenario_name} ({self.source}), "
                f"{self._document['config'].get('requests')} requests: {'; '.join(parts)}>")


def _unknown(kind: str, name: str, known: Any, where: str) -> str:
    return f"{where} has no {kind} {name!r} (it has: {', '.join(known) or 'none'})"


# The keys this package reads without a default, as paths; a document missing one is refused.
_REQUIRED_TOP = ("schema_version", "tool", "context", "scenario", "config", "routes", "runs", "aggregates")


def _validate(document: Any, source: str) -> None:
    def fail(reason: str) -> None:
        raise ResultsError(f"{source}: {reason}")

    if not isinstance(document, dict):
        fail(f"not a results document (a JSON {type(document).__name__}, not an object)")
    if "schema_version" not in document:
        kind = document.get("kind") or document.get("schema")
        fail("not a results document (no 'schema_version'" + (f"; it is a {kind!r} document)" if kind else ")"))
    version = document["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        fail(f"schema_version {version!r} is not an integer")
    if version > SCHEMA_VERSION:
        fail(f"written by a newer fasterbench (schema_version {version}; this package reads {SCHEMA_VERSION})")
    if version < 1:
        fail(f"schema_version {version} is not a results schema (this package reads {SCHEMA_VERSION})")
    for key in _REQUIRED_TOP:
        if key not in document:
            fail(f"missing key '{key}'")
    for key, kind in (("runs", list), ("aggregates", list), ("routes", list), ("config", dict), ("context", dict)):
        if not isinstance(document[key], kind):
            fail(f"'{key}' is a JSON {type(document[key]).__name__}, not {'an array' if kind is list else 'an object'}")
    for key in ("name", "file"):
        if key not in document["scenario"]:
            fail(f"missing key 'scenario.{key}'")
    for i, run in enumerate(document["runs"]):
        for key in ("config", "repetition", "stages"):
            if not isinstance(run, dict) or key not in run:
                fail(f"missing key 'runs[{i}].{key}'")
    for i, aggregate in enumerate(document["aggregates"]):
        for key in ("config", "stages"):
            if not isinstance(aggregate, dict) or key not in aggregate:
                fail(f"missing key 'aggregates[{i}].{key}'")
        for stage, figures in aggregate["stages"].items():
            for key in ("p50_ns", "p99_ns", "mean_ns", "count"):
                if key in figures and "median" not in figures[key]:
                    fail(f"missing key 'aggregates[{i}].stages.{stage}.{key}.median'")
    for i, route in enumerate(document["routes"]):
        for key in ("method", "path", "handler", "kind", "reason"):
            if not isinstance(route, dict) or key not in route:
                fail(f"missing key 'routes[{i}].{key}'")
