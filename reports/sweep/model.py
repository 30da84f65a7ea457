"""Load and validate a sweep.json document (harness/results/sweep_json.cpp).

Everything the report renders is checked here once; a violation raises ReportError naming
the file and the key. Keys not listed are ignored (the harness may add some).
"""

import json
import math
from dataclasses import dataclass
from typing import List, Optional

from ..model import ReportError

# sweep.json format history (bump on any rename or removal):
#
# 1 - first version: scenario, context, rules (stop and knee multiples), rates, the load
#     generator's limit, phases[] with steps[] (offered and achieved rate, corrected p50/p99,
#     late sends, saturated, Little's law) and the knee.
SCHEMA_VERSION = 1
SCHEMA = "fasterbench-sweep"


@dataclass(frozen=True)
class Step:
    offered_rps: float
    achieved_rps: float
    p50_ns: float
    p99_ns: float
    late_sends: int
    saturated: bool
    saturated_by: List[str]
    steal_pct: Optional[float]
    little_checked: bool
    little_holds: bool
    little_relative_difference: Optional[float]


@dataclass(frozen=True)
class Phase:
    phase: str
    supported: bool
    unsupported_reason: str
    stopped: str
    baseline_p99_ns: Optional[float]
    best_p99_ns: Optional[float]
    knee_step: Optional[int]
    steps: List[Step]

    @property
    def knee(self):
        return None if self.knee_step is None else self.steps[self.knee_step]


@dataclass(frozen=True)
class Sweep:
    scenario: str
    stop_multiple: float
    knee_multiple: float
    generator_limit_rps: Optional[float]
    arrival: str
    load_plan: str
    phases: List[Phase]


def _number(obj, key, where, optional=False):
    value = obj.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ReportError(f"{where}: '{key}' must be a finite number, got {value!r}")
    return float(value)


def _bool(obj, key, where):
    value = obj.get(key)
    if not isinstance(value, bool):
        raise ReportError(f"{where}: '{key}' must be true or false, got {value!r}")
    return value


def _step(s, where):
    if not isinstance(s, dict):
        raise ReportError(f"{where}: a step must be an object")
    little = s.get("little") or {}
    if not isinstance(little, dict):
        raise ReportError(f"{where}: 'little' must be an object or null")
    return Step(offered_rps=_number(s, "offered_rps", where), achieved_rps=_number(s, "achieved_rps", where),
                p50_ns=_number(s, "p50_ns", where), p99_ns=_number(s, "p99_ns", where),
                late_sends=int(_number(s, "late_sends", where)), saturated=_bool(s, "saturated", where),
                saturated_by=[str(x) for x in s.get("saturated_by") or []],
                steal_pct=_number(s, "steal_pct", where, optional=True),
                little_checked=bool(little.get("checked", False)), little_holds=bool(little.get("holds", True)),
                little_relative_difference=little.get("relative_difference"))


def _phase(p, where):
    if not isinstance(p, dict) or not isinstance(p.get("phase"), str):
        raise ReportError(f"{where}: a phase must be an object with a 'phase' name")
    where = f"{where} {p['phase']}"
    steps_json = p.get("steps")
    if not isinstance(steps_json, list):
        raise ReportError(f"{where}: 'steps' must be a list")
    steps = [_step(s, f"{where} step {i}") for i, s in enumerate(steps_json)]
    knee = p.get("knee")
    knee_step = None
    if knee is not None:
        if not isinstance(knee, dict) or not isinstance(knee.get("step"), int) or not 0 <= knee["step"] < len(steps):
            raise ReportError(f"{where}: 'knee.step' must index one of its {len(steps)} steps")
        knee_step = knee["step"]
    return Phase(phase=p["phase"], supported=_bool(p, "supported", where),
                 unsupported_reason=str(p.get("unsupported_reason", "")), stopped=str(p.get("stopped", "")),
                 baseline_p99_ns=_number(p, "baseline_p99_ns", where, optional=True),
                 best_p99_ns=_number(p, "best_p99_ns", where, optional=True), knee_step=knee_step,
                 steps=steps)


def parse(doc, where="sweep.json"):
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ReportError(f"{where}: not a fasterbench sweep document (schema must be '{SCHEMA}')")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ReportError(f"{where}: schema_version {version!r} is not one this report reads (<= {SCHEMA_VERSION})")
    rules = doc.get("rules")
    if not isinstance(rules, dict):
        raise ReportError(f"{where}: 'rules' must be an object")
    phases = doc.get("phases")
    if not isinstance(phases, list) or not phases:
        raise ReportError(f"{where}: 'phases' must be a non-empty list")
    scenario = doc.get("scenario") or {}
    return Sweep(scenario=str(scenario.get("name", "?")),
                 stop_multiple=_number(rules, "stop_p99_multiple", f"{where} rules"),
                 knee_multiple=_number(rules, "knee_p99_multiple", f"{where} rules"),
                 generator_limit_rps=_number(doc, "generator_limit_rps", where, optional=True),
                 arrival=str(doc.get("arrival", "")), load_plan=str(doc.get("load_plan", "")),
                 phases=[_phase(p, f"{where} phases[{i}]") for i, p in enumerate(phases)])


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not JSON: {e}") from e
    return parse(doc, path)
