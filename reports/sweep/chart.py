"""sweep.png: p50 and p99 (total from the intended send time, log scale) against the achieved
rate, one colour per phase (p99 solid, p50 dashed; the rate axis log too when it spans over 8x), saturated steps hollow and each knee ringed."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..units import format_rate  # noqa: E402


def draw(sweep, path):
    fig, ax = plt.subplots(figsize=(9, 5.4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, phase in enumerate(p for p in sweep.phases if p.steps):
        colour = colours[i % len(colours)]
        x = [s.achieved_rps for s in phase.steps]
        for key, style, label in (("p99_ns", "-", "p99"), ("p50_ns", "--", "p50")):
            y = [getattr(s, key) / 1000.0 for s in phase.steps]
            ax.plot(x, y, style, color=colour, label=f"{phase.phase} {label}")
            ax.scatter([xi for xi, s in zip(x, phase.steps) if not s.saturated],
                       [yi for yi, s in zip(y, phase.steps) if not s.saturated], color=colour, s=18, zorder=3)
            ax.scatter([xi for xi, s in zip(x, phase.steps) if s.saturated],
                       [yi for yi, s in zip(y, phase.steps) if s.saturated], facecolors="none", edgecolors=colour,
                       s=30, zorder=3)
        knee = phase.knee
        if knee is not None:
            ax.scatter([knee.achieved_rps], [knee.p99_ns / 1000.0], s=160, facecolors="none", edgecolors="black",
                       linewidths=1.5, zorder=4)
            ax.annotate(f"{phase.phase} knee {format_rate(knee.achieved_rps)}", (knee.achieved_rps, knee.p99_ns / 1000.0),
                        textcoords="offset points", xytext=(6, 8), fontsize=8)
    ax.set_yscale("log")
    achieved = [s.achieved_rps for p in sweep.phases for s in p.steps if s.achieved_rps > 0]
    if achieved and max(achieved) > 8 * min(achieved):
        ax.set_xscale("log")  # doubling rates (--rates auto) spread evenly
    ax.set_xlabel("achieved rate (requests/s)")
    ax.set_ylabel("latency from the intended send time (µs, log)")
    ax.set_title(f"{sweep.scenario}: latency vs throughput (knee: p99 within {sweep.knee_multiple:g}x the "
                 f"phase's best p99; hollow: saturated)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)
