"""The gate's decision as typed objects: what `fasterbench gate --format json` prints
(docs/gate.md), returned by fasterbench.gate().

    decision = fb.gate("main", candidate_results)      # a stored baseline vs a Results
    decision.overall                                    # "PASS", "IMPROVEMENT", "REGRESSION", "INCONCLUSIVE"
    for v in decision.regressions: print(v)             # P1 dispatch REGRESSION: slower by +45.2 % ...
    decision.verdict("P1", "total").ratio               # candidate / baseline median
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from .results import ResultsError, format_ns

__all__ = ["GATE_SCHEMA_VERSION", "VERDICTS", "Side", "StageVerdict", "GateResult"]

# The gate document's schema this package reads (kGateSchemaVersion in harness/compare/gate_json.h).
GATE_SCHEMA_VERSION = 1
VERDICTS = ("PASS", "IMPROVEMENT", "REGRESSION", "INCONCLUSIVE")


@dataclass(frozen=True)
class Side:
    """One side of a stage's comparison: the gated value of each repetition (ns; p50 by
    default, see GateResult.metric) and their median and extremes."""

    values: tuple[float, ...]
    median: float
    min: float
    max: float

    @classmethod
    def from_document(cls, d: Optional[Mapping[str, Any]]) -> Optional["Side"]:
        if d is None:
            return None
        return cls(values=tuple(d["values"]), median=d["median"], min=d["min"], max=d["max"])

    def __str__(self) -> str:
        return f"{format_ns(self.median)} ({len(self.values)} repetitions, {format_ns(self.min)} to {format_ns(self.max)})"


@dataclass(frozen=True)
class StageVerdict:
    """The gate's verdict on one stage of one configuration, with the figures it rests on.

    ratio is median(candidate) / median(baseline) with its bootstrap 95 % interval; p_value the
    two-sided Mann-Whitney p over repetitions; limit the stage's relative threshold; reason one
    sentence; repetitions_needed (per side) is set for INCONCLUSIVE. An unexercised stage (no
    request went through it on either side) is a PASS with no figures (None)."""

    config: str
    stage: str
    verdict: str
    reason: str
    limit: float
    repetitions_needed: int
    exercised: bool
    ratio: Optional[float]
    ratio_ci_low: Optional[float]
    ratio_ci_high: Optional[float]
    p_value: Optional[float]
    significant: Optional[bool]
    baseline: Optional[Side]
    candidate: Optional[Side]

    @classmethod
    def from_document(cls, config: str, d: Mapping[str, Any]) -> "StageVerdict":
        test = d.get("mann_whitney") or {}
        return cls(config=config, stage=d["stage"], verdict=d["verdict"], reason=d["reason"], limit=d["limit"],
                   repetitions_needed=d["repetitions_needed"], exercised=d["exercised"], ratio=d.get("ratio"),
                   ratio_ci_low=d.get("ratio_ci_low"), ratio_ci_high=d.get("ratio_ci_high"),
                   p_value=test.get("p_value"), significant=d.get("significant"),
                   baseline=Side.from_document(d.get("baseline")), candidate=Side.from_document(d.get("candidate")))

    def __str__(self) -> str:
        return f"{self.config} {self.stage} {self.verdict}: {self.reason}"


class GateResult:
    """The decision of `fasterbench gate` (fasterbench.gate()): the overall verdict, the exit
    status the CLI gave, each configuration and stage's StageVerdict, the warnings (sides not
    comparable, too few repetitions), the settings, and the full document (`document`)."""

    def __init__(self, document: Mapping[str, Any]):
        self.document = document
        self.verdicts = [StageVerdict.from_document(c["config"], s)
                         for c in document["configs"] for s in c["stages"]]

    @classmethod
    def from_json(cls, text: str) -> "GateResult":
        """Parses `fasterbench gate --format json` output; ResultsError if it is not one."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as e:
            raise ResultsError(f"gate output: not JSON: {e.msg} at line {e.lineno}") from None
        if not isinstance(document, dict) or document.get("kind") != "fasterbench-gate":
            raise ResultsError("gate output: not a 'fasterbench-gate' document")
        if document.get("gate_schema_version", 0) > GATE_SCHEMA_VERSION:
            raise ResultsError(f"gate output: written by a newer fasterbench (gate_schema_version "
                               f"{document['gate_schema_version']}; this package reads {GATE_SCHEMA_VERSION})")
        return cls(document)

    overall = property(lambda self: self.document["overall"], doc="PASS, IMPROVEMENT, REGRESSION or INCONCLUSIVE")
    exit_status = property(lambda self: self.document["exit_status"], doc="0, 1 (regression) or 3 (inconclusive)")
    warnings = property(lambda self: list(self.document["warnings"]))
    metric = property(lambda self: self.document["metric"], doc="p50 or p99")
    threshold = property(lambda self: self.document["threshold"], doc="fraction: 0.05 = 5 %")
    alpha = property(lambda self: self.document["alpha"])
    min_effect_ns = property(lambda self: self.document["min_effect_ns"])
    min_repetitions = property(lambda self: self.document["min_repetitions"],
                               doc="repetitions per side below which no REGRESSION can be shown at alpha")
    baseline = property(lambda self: self.document["baseline"]["label"])
    candidate = property(lambda self: self.document["candidate"]["label"])
    only_in_baseline = property(lambda self: list(self.document["only_in_baseline"]))
    only_in_candidate = property(lambda self: list(self.document["only_in_candidate"]))

    @property
    def passed(self) -> bool:
        """Whether the gate would exit 0 (PASS or IMPROVEMENT)."""
        return self.exit_status == 0

    @property
    def regressions(self) -> list[StageVerdict]:
        return [v for v in self.verdicts if v.verdict == "REGRESSION"]

    @property
    def inconclusive(self) -> list[StageVerdict]:
        return [v for v in self.verdicts if v.verdict == "INCONCLUSIVE"]

    def verdict(self, config: str, stage: str) -> StageVerdict:
        for v in self.verdicts:
            if v.config == config and v.stage == stage:
                return v
        known = ", ".join(f"{v.config} {v.stage}" for v in self.verdicts)
        raise KeyError(f"the gate judged no {config} {stage} (it judged: {known})")

    def describe(self) -> str:
        """The overall verdict, then every non-PASS verdict and every warning, one per line."""
        lines = [f"gate: {self.overall} ({self.candidate} vs {self.baseline}, {len(self.verdicts)} checks)"]
        lines += [f"  {v}" for v in self.verdicts if v.verdict != "PASS"]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        counts = ", ".join(f"{sum(v.verdict == name for v in self.verdicts)} {name}" for name in VERDICTS)
        return f"<GateResult {self.overall}: {counts}>"
