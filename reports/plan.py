"""The optimization plan's predicted figures: HYPOTHESES, not measurements.

Source: the FasterAPI optimization plan (seed document of this project; its figures are
tabulated in docs/plan.md, which these constants must match).  None of these
numbers was measured end to end where the plan came from: dispatch and GIL costs were
constants printed by scripts, and the plan's own stage shares add up to 124 % of its
6.5 µs total (1 + 2 + 5 µs of stages > 6.5 µs).  The report sets every figure here
beside what the harness measured, and renders the ratio measured / predicted.

Each prediction names the stage (or sum of stages) and the configuration that
measures it, so the comparison is explicit and easy to dispute.
"""

from dataclasses import dataclass
from typing import Optional

# -- Combined impact (plan section "Combined Impact"), total per request ---------------
#: Plan's predicted total per request for each phase, in ns.
#: P0 "Current Request: 6.5µs" -> #1 3.0 -> #2 2.2 -> #3 1.2 -> #4 0.7 µs.
PLAN_TOTAL_NS = {
    "P0": 6500.0,
    "P1": 3000.0,
    "P2": 2200.0,
    "P3": 1200.0,
    "P4": 700.0,
}

# -- Per-stage figures ------------------------------------------------------------------
#: "Executor dispatch: 1µs" (current) and "Cost: ~200ns" after #2 (lock-free queue).
PLAN_DISPATCH_BEFORE_NS = 1000.0
PLAN_DISPATCH_AFTER_NS = 200.0
#: "GIL acquire: 2µs" (current) and "~100ns context switch" after #3 (sub-interpreters).
PLAN_GIL_BEFORE_NS = 2000.0
PLAN_GIL_AFTER_NS = 100.0
#: "560ns future overhead" (current) and "100ns (no allocation)" after #4.
PLAN_FUTURE_BEFORE_NS = 560.0
PLAN_FUTURE_AFTER_NS = 100.0
#: "Python handler: 5µs".
PLAN_HANDLER_NS = 5000.0
#: #1: "Request → Handler (direct, ~0.5µs)", "GILGuard gil; // Quick acquire",
#: "PyObject_Call(...)  // Total: ~500ns instead of 3µs" (3 µs = dispatch + GIL).
#: The direct path has no dispatch stage, so its counterpart is what surrounds the
#: handler body on P1: GIL acquire + marshal (build the request object, convert the
#: result).  Their medians are summed; no CI exists for a sum of medians.
PLAN_DIRECT_CALL_NS = 500.0
# (The plan also claims "0.7µs framework overhead (down from 4.1µs)", which contradicts
# its own 6.5 µs -> 0.7 µs total chain; the report compares the total chain only.)


@dataclass(frozen=True)
class Prediction:
    """One figure of the plan and where the harness measures its counterpart."""

    label: str  # row label in the "Plan predicted vs measured" table
    predicted_ns: Optional[float]  # None: the plan has no figure (P5 is beyond the plan)
    config: str  # configuration (phase) whose aggregate holds the measurement
    stages: tuple  # stage medians (p50) summed for the measured value


#: Rows of the "Plan predicted vs measured" table, in reading order.
PREDICTIONS = (
    Prediction("total, P0 (current)", PLAN_TOTAL_NS["P0"], "P0", ("total",)),
    Prediction("total, P1 (after #1 direct)", PLAN_TOTAL_NS["P1"], "P1", ("total",)),
    Prediction("total, P2 (after #2 lock-free)", PLAN_TOTAL_NS["P2"], "P2", ("total",)),
    Prediction("total, P3 (after #3 sub-interp)", PLAN_TOTAL_NS["P3"], "P3", ("total",)),
    Prediction("total, P4 (after #4 inline future)", PLAN_TOTAL_NS["P4"], "P4", ("total",)),
    Prediction("dispatch, P0 (mutex queue)", PLAN_DISPATCH_BEFORE_NS, "P0", ("dispatch",)),
    Prediction("dispatch, P2 (after #2 lock-free)", PLAN_DISPATCH_AFTER_NS, "P2", ("dispatch",)),
    Prediction("gil, P0 (shared GIL)", PLAN_GIL_BEFORE_NS, "P0", ("gil",)),
    Prediction("gil, P3 (after #3 sub-interp)", PLAN_GIL_AFTER_NS, "P3", ("gil",)),
    Prediction("future, P0 (heap future)", PLAN_FUTURE_BEFORE_NS, "P0", ("future",)),
    Prediction("future, P4 (after #4 inline future)", PLAN_FUTURE_AFTER_NS, "P4", ("future",)),
    Prediction("handler, P0", PLAN_HANDLER_NS, "P0", ("handler",)),
    Prediction("direct-call path, P1 (gil + marshal)", PLAN_DIRECT_CALL_NS, "P1",
               ("gil", "marshal")),
    # Optimization #5 (fast-marshal) is not in the plan: measured, with nothing to compare.
    Prediction("total, P5 (after #5 fast-marshal)", None, "P5", ("total",)),
    Prediction("marshal, P5 (after #5 fast-marshal)", None, "P5", ("marshal",)),
)

#: The cell shown where the plan has no figure.
NO_PREDICTION = "none: P5 (fast-marshal) is beyond the plan"

