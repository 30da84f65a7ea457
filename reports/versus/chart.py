"""versus.png: requests/s per server with its 95 % interval, the plan's 17-83x band drawn at
17 and 83 times FastAPI's median, and p50/p99 latency beside it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Bar colours by server kind.
COLOURS = {"fasterbench": "#1f77b4", "fastapi": "#d62728", "asgi": "#7f7f7f"}


def draw(versus, path):
    shown = [s for s in versus.servers if s.measured]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    names = [s.name for s in shown]
    x = range(len(shown))
    rps = [s.requests_per_s.median for s in shown]
    err = [[s.requests_per_s.median - s.requests_per_s.ci_low for s in shown],
           [s.requests_per_s.ci_high - s.requests_per_s.median for s in shown]]
    left.bar(x, rps, yerr=err, capsize=4, color=[COLOURS.get(s.kind, "#2ca02c") for s in shown])
    for i, s in enumerate(shown):
        label = f"{s.requests_per_s.median:,.0f}"
        if s.vs_fastapi is not None and s.kind != "fastapi":
            label += f"\n{s.vs_fastapi.ratio:.1f}× FastAPI"
        left.annotate(label, (i, s.requests_per_s.median), textcoords="offset points", xytext=(0, 4),
                      ha="center", va="bottom", fontsize=8)
    fastapi = versus.fastapi
    if fastapi is not None:
        lo = versus.plan_low * fastapi.requests_per_s.median
        hi = versus.plan_high * fastapi.requests_per_s.median
        left.axhspan(lo, hi, color="#ff7f0e", alpha=0.15,
                     label=f"the plan's claim: {versus.plan_low:.0f}-{versus.plan_high:.0f}× FastAPI")
        left.set_yscale("log")
        left.set_ylim(min(rps) / 2, hi * 1.5)
        left.legend(loc="upper right", fontsize=8)
    left.set_xticks(list(x), names, rotation=15, ha="right", fontsize=8)
    left.set_ylabel("requests/s (median, 95 % CI)" + (", log scale" if fastapi is not None else ""))
    left.set_title(f"{versus.scenario}: throughput under {versus.tool} "
                   f"({versus.connections} connections, {versus.repetitions}×{versus.duration_s:.0f} s)", fontsize=10)

    width = 0.38
    p50 = [s.p50_us.median / 1000 for s in shown]
    p99 = [s.p99_us.median / 1000 for s in shown]
    right.bar([i - width / 2 for i in x], p50, width, label="p50", color="#1f77b4")
    right.bar([i + width / 2 for i in x], p99, width, label="p99", color="#aec7e8")
    right.set_xticks(list(x), names, rotation=15, ha="right", fontsize=8)
    right.set_ylabel("latency, ms (wrk; median over repetitions)")
    right.set_title("latency", fontsize=10)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
