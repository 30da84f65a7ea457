"""sweep.md: the knee per phase, then every step as measured."""

from ..units import format_ns, format_rate


def _little(step):
    if not step.little_checked:
        return "not checked"
    diff = "" if step.little_relative_difference is None else f" ({100 * step.little_relative_difference:+.0f} %)"
    return ("holds" if step.little_holds else "**does not hold**") + diff


def render(sweep):
    lines = [f"# Saturation sweep: {sweep.scenario}", ""]
    lines.append(f"Open loop ({sweep.arrival} arrivals; {sweep.load_plan or 'schedule as the harness reported it'}), one "
                 "fresh `fasterbench run --rate R` per step, phases interleaved at each rate. Latency is `total` from "
                 "the intended send time (coordinated omission corrected).")
    if sweep.generator_limit_rps is not None:
        lines.append(f"The load generator's own limit, measured at the start: {format_rate(sweep.generator_limit_rps)}.")
    lines += ["", f"**Knee**: the highest achieved rate, short of saturation, whose p99 is within "
                  f"{sweep.knee_multiple:g}x the phase's best p99 (the lowest p99 of its unsaturated steps; at the "
                  f"lowest rates idle threads' wake-ups inflate p99). A phase stops climbing at a step that fell "
                  f"more than 5 % short of its rate or whose p99 exceeded {sweep.stop_multiple:g}x its lowest-rate "
                  f"p99.", "",
              "![latency vs throughput](sweep.png)", "", "## Knee per phase", "",
              "| phase | knee (achieved) | offered | p99 at the knee | best p99 | lowest-rate p99 | stopped |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for p in sweep.phases:
        if not p.supported:
            lines.append(f"| {p.phase} | not supported here: {p.unsupported_reason} | | | | | |")
            continue
        knee = p.knee
        stopped = p.stopped + ("" if p.stopped != "rates exhausted" else " (never saturated: the knee may lie higher)")
        if knee is None:
            lines.append(f"| {p.phase} | none: saturated at the lowest rate | | | | {format_ns(p.baseline_p99_ns)} | "
                         f"{stopped} |")
        else:
            lines.append(f"| {p.phase} | {format_rate(knee.achieved_rps)} | {format_rate(knee.offered_rps)} | "
                         f"{format_ns(knee.p99_ns)} | {format_ns(p.best_p99_ns)} | {format_ns(p.baseline_p99_ns)} | "
                         f"{stopped} |")
    lines += ["", "## Steps", "",
              "| phase | offered | achieved | p50 | p99 | late sends | saturated | steal | Little's law |",
              "|---|---:|---:|---:|---:|---:|---|---:|---|"]
    failing = []
    for p in sweep.phases:
        for i, s in enumerate(p.steps):
            saturated = "no" if not s.saturated else "yes (" + ", ".join(s.saturated_by) + ")"
            knee = " ← knee" if p.knee_step == i else ""
            lines.append(f"| {p.phase}{knee} | {format_rate(s.offered_rps)} | {format_rate(s.achieved_rps)} | "
                         f"{format_ns(s.p50_ns)} | {format_ns(s.p99_ns)} | {s.late_sends} | {saturated} | "
                         f"{'-' if s.steal_pct is None else f'{s.steal_pct:.1f} %'} | {_little(s)} |")
            if s.little_checked and not s.little_holds:
                failing.append(f"{p.phase} at {format_rate(s.offered_rps)}")
    if failing:
        lines += ["", "**Warning**: Little's law (mean in system = achieved rate x mean latency) does not hold at "
                      + ", ".join(failing) + ": those runs were not in a steady state."]
    return "\n".join(lines) + "\n"
