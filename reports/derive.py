"""The only numbers the report derives from stored values, all in one place.

The harness computes every statistic (percentiles, medians across repetitions, CIs,
spreads, ablation savings); reports/ renders them and must not recompute them another
way.  What is derived here is arithmetic on stored values, nothing statistical:

* a waterfall step: difference and percentage change between two stored medians;
* a stacked bar or "sum of stage medians": a sum of stored stage medians (medians are
  not additive, so this sum is shown beside the stored total, never instead of it);
* a stage's share: its stored median divided by the stored total median;
* the fraction of requests through a stage: a ratio of stored counts;
* errors and demotions over a configuration: sums of stored per-run counts;
* where a run's hand-offs went: a classification of its threads' stored CPUs.

The one statistic the report adds -- whether a step between two configurations is a
measured difference -- lives in significance.py; steps() attaches it here.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Optional

from . import significance
from .model import PART_STAGES


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a supported configuration of the sequence."""

    config: str
    total_ns: float  # stored median of total p50
    ci_low_ns: float
    ci_high_ns: float
    prev_config: Optional[str]  # previous supported configuration; None for the first
    delta_ns: Optional[float]  # total_ns - previous total_ns
    delta_pct: Optional[float]  # 100 * delta / previous total
    #: The step's CI (significance.difference of the two configurations' per-repetition
    #: total p50s); None for the first step.
    difference: Optional[significance.Difference] = None

    @property
    def change(self):
        """significance.Change of the step; None for the first (the reference)."""
        return None if self.difference is None else self.difference.change


def delta(new_ns, old_ns):
    """(difference, percentage change) from old to new; pct is None when old is 0."""
    d = new_ns - old_ns
    return d, (100.0 * d / old_ns if old_ns else None)


def steps(results):
    """Waterfall steps over the supported configurations of results.sequence().

    An unsupported configuration is skipped: the next step is taken against the last
    supported one (P4 vs P2 when P3 is unsupported), and says so via prev_config.
    """
    out = []
    prev = None  # previous supported Aggregate
    for a in results.sequence():
        if not a.supported:
            continue
        t = a.stages["total"].p50
        if prev is None:
            out.append(Step(a.config, t.median, t.ci_low, t.ci_high, None, None, None))
        else:
            d, pct = delta(t.median, prev.stages["total"].p50.median)
            out.append(Step(a.config, t.median, t.ci_low, t.ci_high, prev.config, d, pct,
                            difference_between(results, prev.config, a.config)))
        prev = a
    return out


def total_p50s(results, config):
    """The stored total p50 of each supported repetition of ``config``."""
    return [r.stages["total"].p50_ns for r in results.runs_of(config) if r.supported]


def difference_between(results, before, after):
    """significance.Difference of total p50, configuration ``after`` vs ``before``."""
    return significance.difference(total_p50s(results, before),
                                   total_p50s(results, after))


def stage_medians(aggregate):
    """{stage: stored median of p50} for the part stages present (total excluded)."""
    return {s: aggregate.stages[s].p50.median for s in PART_STAGES
            if s in aggregate.stages}


def stage_sum_ns(aggregate, stages=PART_STAGES):
    """Sum of the stored p50 medians of ``stages``; None if one of them is absent."""
    if not all(s in aggregate.stages for s in stages):
        return None
    return sum(aggregate.stages[s].p50.median for s in stages)


def share_pct(part_ns, total_ns):
    """A stored median as a percentage of the stored total median."""
    return 100.0 * part_ns / total_ns if total_ns else None


def stage_count(results, config, stage):
    """Requests that went through ``stage`` over all runs of ``config`` (stored counts)."""
    return sum(r.stages[stage].count for r in results.runs_of(config)
               if stage in r.stages)


def through_pct(results, config, stage):
    """Percentage of requests that went through ``stage`` (ratio of stored counts)."""
    total = stage_count(results, config, "total")
    return 100.0 * stage_count(results, config, stage) / total if total else None


def on_path(results, aggregate, stage):
    """True when the stage exists in the aggregate and some request went through it."""
    return stage in aggregate.stages and stage_count(results, aggregate.config, stage) > 0


def run_sum(results, config, attr):
    """Sum of a per-run count (errors, demotions, requests) over a configuration."""
    return sum(getattr(r, attr) for r in results.runs_of(config))


def run_range(results, config, attr):
    """(min, max) of a per-run value over the supported runs of a configuration;
    (None, None) when no run measured it."""
    values = [getattr(r, attr) for r in results.runs_of(config)
              if r.supported and getattr(r, attr) is not None]
    return (min(values), max(values)) if values else (None, None)


def group_by_reason(aggregates):
    """[(reason, [config, ...]), ...] for aggregates without figures ("unsupported: ..."
    or "crashed: ..."), in first-seen order
    (P3 and P4 usually share one reason: P4 includes sub-interpreters too)."""
    groups = {}
    for a in aggregates:
        groups.setdefault(a.not_measured_text, []).append(a.config)
    return list(groups.items())


#: Hand-off roles: a request passes from a client thread to a worker (P0's executor).
_HANDOFF_ROLES = ("client", "worker")


def handoff_placement(run):
    """Where a run's client -> worker hand-offs went, from its threads' cpus_seen.

    The same classification as the harness's (harness/placement/placement.h
    handoff_placement), so the report's counts match the bimodality message:
    "same CPU", "different CPUs", "moved" (a client or worker ran on more than one
    CPU), "mixed", "no worker ran" (the direct path: no hand-off), or None when the run
    recorded no threads.
    """
    if run.threads is None:
        return None
    cpus = {role: set() for role in _HANDOFF_ROLES}
    for t in run.threads:
        if t.role not in _HANDOFF_ROLES or not t.cpus_seen:
            continue  # not a hand-off thread, or it did not run in the measured part
        if len(t.cpus_seen) > 1:
            return "moved"
        cpus[t.role].add(t.cpus_seen[0])
    if not cpus["worker"]:
        return "no worker ran"
    if len(cpus["client"]) == 1 and cpus["client"] == cpus["worker"]:
        return "same CPU"
    return "mixed" if cpus["client"] & cpus["worker"] else "different CPUs"


def handoff_counts(results, config):
    """Counter {placement: repetitions} over the supported runs that recorded threads."""
    return Counter(p for p in (handoff_placement(r) for r in results.runs_of(config)
                               if r.supported) if p is not None)
