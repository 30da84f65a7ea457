"""The fasterbench pytest plugin (docs/python.md): benchmark inside a test, assert a budget on a
stage, keep baselines and gate against them.

Enable it with `-p fasterbench.pytest_plugin` or `pytest_plugins = ["fasterbench.pytest_plugin"]`
in a conftest.py. Then:

    def test_hello_stays_near_the_call_floor(fasterbench):
        result = fasterbench("scenarios/hello.toml", phase="P1", requests=20_000, repetitions=5)
        assert result.stage("total").p50 < 10 * result.floor("attach_call")

The fixture measures a scenario (host mode: `fasterbench phases` with that one phase, every
repetition in a fresh process, so the gate can judge it) or an `fb.App` (guest mode: the app's
own `bench`), and returns the Results. A failed budget prints both sides with units and the
spread over repetitions.

    --fasterbench-save NAME      store each measurement as a baseline of the set NAME
    --fasterbench-compare NAME   gate each measurement against the set NAME: a REGRESSION fails
                                 the test with the gate's reasons; INCONCLUSIVE is a warning
    --fasterbench-store DIR      where sets live (default: $FASTERBENCH_BASELINES, else
                                 .fasterbench/baselines); set NAME is DIR/pytest/NAME/, one
                                 `fasterbench baseline` per measurement, named after the test
    --fasterbench-gate KEY=VALUE a `fasterbench gate` setting (threshold=10%, stages=total, ...)
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest

from . import scripting
from .gate import GateResult
from .results import Nanoseconds, Results, format_ns

__all__ = ["Benchmark", "FasterbenchWarning"]

# A baseline or set name, as `fasterbench baseline save` accepts it (harness/baselines).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class FasterbenchWarning(UserWarning):
    """A measurement the gate could not judge (INCONCLUSIVE), or one with no baseline to compare."""


@dataclass
class _Record:
    """One measurement of the session: what the summary prints."""

    test: str
    baseline: str
    results: Results
    saved: Optional[str] = None
    decision: Optional[GateResult] = None
    missing_baseline: bool = False


@dataclass
class _Session:
    save: Optional[str]
    compare: Optional[str]
    store: str
    gate_options: dict[str, str] = field(default_factory=dict)
    records: list[_Record] = field(default_factory=list)

    def set_directory(self, name: str) -> str:
        return os.path.join(self.store, "pytest", name)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fasterbench", "fasterbench: benchmarks, budgets and baselines (docs/python.md)")
    group.addoption("--fasterbench-save", metavar="NAME", default=None,
                    help="store every fasterbench measurement as a baseline of the set NAME (replacing it)")
    group.addoption("--fasterbench-compare", metavar="NAME", default=None,
                    help="gate every fasterbench measurement against the set NAME: a REGRESSION fails the test")
    group.addoption("--fasterbench-store", metavar="DIR", default=None,
                    help="baseline store (default: $FASTERBENCH_BASELINES, else .fasterbench/baselines); "
                         "set NAME is DIR/pytest/NAME")
    group.addoption("--fasterbench-gate", metavar="KEY=VALUE", action="append", default=[],
                    help="a `fasterbench gate` setting for --fasterbench-compare, e.g. threshold=10%% or "
                         "stages=dispatch,total (repeatable)")


def pytest_configure(config: pytest.Config) -> None:
    options = {}
    for item in config.getoption("fasterbench_gate"):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise pytest.UsageError(f"--fasterbench-gate {item!r}: expected KEY=VALUE, e.g. threshold=10%")
        options[key.strip().replace("-", "_")] = value.strip()
    try:
        scripting.cli_arguments("gate", **options)
    except TypeError as e:
        raise pytest.UsageError(f"--fasterbench-gate: {e}") from None
    for flag in ("fasterbench_save", "fasterbench_compare"):
        name = config.getoption(flag)
        if name is not None and not _NAME.match(name):
            raise pytest.UsageError(f"--{flag.replace('_', '-')} {name!r}: a set name is 1-100 letters, digits, "
                                    ". _ -, starting with a letter or digit")
    store = config.getoption("fasterbench_store") or os.environ.get("FASTERBENCH_BASELINES") \
        or os.path.join(".fasterbench", "baselines")
    config.stash[_SESSION] = _Session(save=config.getoption("fasterbench_save"),
                                      compare=config.getoption("fasterbench_compare"),
                                      store=store, gate_options=options)


_SESSION = pytest.StashKey[_Session]()


def _baseline_name(nodeid: str, label: Optional[str]) -> str:
    """The test's node id (plus the measurement's name) as a baseline name: other characters
    become '_'; a long one is cut and given a hash of the whole, so it stays unique."""
    text = nodeid + (f"--{label}" if label else "")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_.-") or "test"
    if len(name) > 100 or name.endswith(".json"):
        digest = hashlib.sha1(text.encode()).hexdigest()[:10]
        name = f"{name[:89]}-{digest}"
    return name


class Benchmark:
    """The `fasterbench` fixture: call it to measure, once per test unless each measurement has
    its own name=."""

    def __init__(self, session: _Session, nodeid: str):
        self._session = session
        self._nodeid = nodeid
        self._names: set[Optional[str]] = set()

    def __call__(self, target: Any, *, name: Optional[str] = None, **settings: Any) -> Results:
        """Measures `target` and returns its Results.

        A scenario path runs `fasterbench phases` on it: phase="P1" (one phase; default P0),
        and any `phases` option as a keyword (requests, warmup, repetitions, pin, ...). An
        object with a bench() method (fb.App, guest mode) is measured by
        `target.bench(**settings)`. With --fasterbench-save / --fasterbench-compare the result
        is stored or gated under the test's name (plus name=, needed for a second measurement
        in one test)."""
        if name in self._names:
            raise ValueError(f"{self._nodeid} measures twice under the same name: give each measurement "
                             "its own name=, e.g. fasterbench(app, name='cold', ...)")
        self._names.add(name)
        results = self._measure(target, settings)
        record = _Record(test=self._nodeid, baseline=_baseline_name(self._nodeid, name), results=results)
        self._session.records.append(record)
        if self._session.compare:
            self._compare(record)
        if self._session.save:  # after the comparison: the set compared against may be the one saved
            record.saved = scripting.save_baseline(record.baseline, results,
                                                   store=self._session.set_directory(self._session.save), force=True)
        if record.decision is not None and record.decision.overall == "REGRESSION":
            pytest.fail(f"fasterbench gate against {self._session.compare!r}: REGRESSION\n"
                        f"{record.decision.describe()}", pytrace=False)
        return results

    @staticmethod
    def _measure(target: Any, settings: dict[str, Any]) -> Results:
        if hasattr(target, "bench") and callable(target.bench):
            results = target.bench(**settings)
            return results if isinstance(results, Results) else Results.from_document(results, f"{target!r}.bench()")
        if isinstance(target, (str, os.PathLike)):
            phase = settings.pop("phase", "P0")
            settings.setdefault("no_instrumentation_tax", True)  # one configuration: no /ends twins
            return scripting.phases(target, phases=[phase], **settings)
        raise TypeError(f"fasterbench fixture: cannot measure {target!r}: pass a scenario path or an fb.App")

    def _compare(self, record: _Record) -> None:
        directory = self._session.set_directory(self._session.compare)
        if not os.path.exists(os.path.join(directory, f"{record.baseline}.json")):
            record.missing_baseline = True
            warnings.warn(FasterbenchWarning(f"no baseline {record.baseline!r} in {directory}: nothing to compare "
                                             f"(save one with --fasterbench-save {self._session.compare})"),
                          stacklevel=3)
            return
        decision = scripting.gate(record.baseline, record.results, store=directory, **self._session.gate_options)
        record.decision = decision
        if decision.overall == "INCONCLUSIVE":
            warnings.warn(FasterbenchWarning(decision.describe()), stacklevel=3)


@pytest.fixture
def fasterbench(request: pytest.FixtureRequest) -> Benchmark:
    """Measures a scenario or an fb.App inside a test: `result = fasterbench(target, ...)`."""
    return Benchmark(request.config.stash[_SESSION], request.node.nodeid)


_COMPARISONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: Any, right: Any) -> Optional[list[str]]:
    """A budget on Nanoseconds reads with both figures, their units and spread."""
    if op not in _COMPARISONS or not (isinstance(left, Nanoseconds) or isinstance(right, Nanoseconds)):
        return None
    if not all(isinstance(x, (int, float)) for x in (left, right)):
        return None

    def label(x: Any) -> str:
        return x.what if isinstance(x, Nanoseconds) and x.what else format_ns(float(x))

    def line(x: Any) -> str:
        if isinstance(x, Nanoseconds):
            return f"{label(x)}: {format_ns(float(x))} ({x.spread()})"
        return f"{label(x)}: {format_ns(float(x))}"

    lines = [f"budget: {label(left)} {op} {label(right)}", line(left), line(right)]
    if float(right) != 0:
        lines.append(f"ratio: {float(left) / float(right):.2f}x")
    return lines


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is None or not session.records:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fasterbench")
    for record in session.records:
        write(f"{record.test}: {_figures(record.results)}")
        if record.decision is not None:
            write(f"  gate vs {session.compare}: {record.decision.overall}"
                  + "".join(f"; {v}" for v in record.decision.verdicts if v.verdict != "PASS"))
        if record.missing_baseline:
            write(f"  gate vs {session.compare}: no baseline {record.baseline!r}")
        if record.saved:
            write(f"  saved: {record.saved}")


def _figures(results: Results) -> str:
    parts = []
    for c in results:
        if "/" in c.name:
            continue
        if not c.supported:
            parts.append(f"{c.name} unsupported ({c.unsupported_reason})")
            continue
        try:
            p50 = c.stage("total").p50
            text = f"{c.name} total p50 {format_ns(p50)} ({p50.spread()})"
        except KeyError:
            text = f"{c.name}"
        try:
            text += f", attach_call floor {format_ns(c.floor('attach_call'))}"
        except KeyError:
            pass
        parts.append(text)
    return "; ".join(parts) or repr(results)
