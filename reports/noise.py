"""Noise warnings, in the manner of pyperf's "Benchmark may be unstable" checks.

Each check reads stored values only (spreads, repetition counts, steal time, error
counts) and compares them with a named threshold.  The result is a list of one-line
strings; markdown.py and html.py render it, __main__ echoes it on stderr.

These VMs are shared and noisy (docs/measurement.md): the checks exist so a
reader does not take a 3 % difference between two phases at face value.
"""

from .units import format_count, format_pct

#: Fewer repetitions than this make the harness's CIs of medians wide (with 3 samples a
#: bootstrap CI of the median is essentially [min, max]).
MIN_REPETITIONS = 5
#: A spread (as stored by the harness for a statistic across repetitions) above this
#: percentage of the median means repetitions disagree: the results may be unstable.
MAX_SPREAD_PCT = 10.0
#: Steal time (CPU taken by the hypervisor) above this percentage perturbs latencies.
MAX_STEAL_PCT = 2.0
#: The closure residual ``other`` should be small (docs/architecture.md): above this share of the
#: total p50, a stage point is probably missing or misplaced.
MAX_OTHER_SHARE_PCT = 10.0
#: Build types whose timings are representative; anything else gets a warning.
OPTIMIZED_BUILD_TYPES = ("Release", "RelWithDebInfo", "MinSizeRel")


def two_populations(results):
    """The harness's bimodality warnings, one per configuration whose repetitions fell
    into two clusters (its message names both and where each had its hand-offs).

    The instrumentation-tax twins are included: a split there makes the tax unreliable.
    """
    return [a.bimodal.message for a in results.aggregates + results.twins
            if a.bimodal is not None]


def check(results):
    """Every noise warning: two_populations() first, then stability()."""
    return two_populations(results) + stability(results)


def stability(results):
    """The pyperf-like checks of stored spreads, repetitions, steal, residual, errors."""
    warnings = []
    ctx = results.context

    if ctx.build_type not in OPTIMIZED_BUILD_TYPES:
        warnings.append(f"build type {ctx.build_type or '(none)'} is not an optimized "
                        f"build: timings are not representative")

    supported = [a for a in results.aggregates if a.supported]
    reps = min((a.repetitions for a in supported), default=results.config.repetitions)
    if reps < MIN_REPETITIONS:
        warnings.append(f"only {reps} repetition{'s' if reps != 1 else ''}: "
                        f"CIs are wide; use >= {MIN_REPETITIONS}")

    ctx_steal = ctx.steal_pct or 0.0
    if ctx_steal > MAX_STEAL_PCT:
        warnings.append(f"steal time {format_pct(ctx.steal_pct)} during the run "
                        f"(> {format_pct(MAX_STEAL_PCT)}): the VM was losing CPU "
                        f"to other guests")
    worst = max((r for r in results.runs if r.supported and r.steal_pct is not None),
                key=lambda r: r.steal_pct, default=None)
    if worst is not None and worst.steal_pct > MAX_STEAL_PCT \
            and worst.steal_pct > ctx_steal:
        warnings.append(f"{worst.config} repetition {worst.repetition}: steal time "
                        f"{format_pct(worst.steal_pct)} (> {format_pct(MAX_STEAL_PCT)})")

    for a in supported:
        total = a.stages["total"]
        if total.p50.spread_pct > MAX_SPREAD_PCT:
            warnings.append(f"{a.config} total p50 spread is "
                            f"{format_pct(total.p50.spread_pct)} of the median "
                            f"(> {format_pct(MAX_SPREAD_PCT)}): results may be unstable")
        if a.throughput.spread_pct > MAX_SPREAD_PCT:
            warnings.append(f"{a.config} throughput spread is "
                            f"{format_pct(a.throughput.spread_pct)} of the median "
                            f"(> {format_pct(MAX_SPREAD_PCT)}): results may be unstable")
        other = a.p50("other")
        ends_only = any(r.stamps == "ends" for r in results.runs_of(a.config))
        if other is not None and total.p50.median > 0 and not ends_only:
            share = 100.0 * other.median / total.p50.median
            if share > MAX_OTHER_SHARE_PCT:
                warnings.append(f"{a.config} closure residual 'other' is "
                                f"{format_pct(share)} of total p50 "
                                f"(> {format_pct(MAX_OTHER_SHARE_PCT)}): a stage point "
                                f"may be missing")

    for config in dict.fromkeys(r.config for r in results.runs if r.supported):
        runs = results.runs_of(config)
        errors = sum(r.errors for r in runs)
        if errors:
            requests = sum(r.requests for r in runs)
            warnings.append(f"{config}: {format_count(errors)} of "
                            f"{format_count(requests)} requests failed (HTTP 500): "
                            f"latencies include error paths")
    return warnings

