"""Charts: one function per PNG, matplotlib with the Agg backend (no display needed).

Every chart is FIG_SIZE inches at DPI (900 x 500 px), has labelled axes with units, a
legend (or a colour bar for the heatmap) and a title.  Unsupported configurations are
left out and named in a note at the bottom of the figure; the returned Chart lists
what was drawn and what was skipped, so the report can say so too.

Values plotted are stored values (or the arithmetic in derive.py), as in the tables.
"""

import functools
import math
import textwrap
from dataclasses import dataclass, field
from typing import List

import matplotlib

matplotlib.use("Agg")  # must precede pyplot: no display, deterministic output

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter  # noqa: E402

from . import derive, plan  # noqa: E402
from .model import PART_STAGES, PHASE_ADDS  # noqa: E402
from .significance import Change, saving_change  # noqa: E402
from .units import format_delta_ns, format_delta_pct, format_ns, format_pct  # noqa: E402

#: Figure size in inches and resolution: 900 x 500 px, readable at 100 % zoom.
FIG_SIZE = (9.0, 5.0)
DPI = 100
#: Base font size in points (matplotlib's default 10 is small at 100 dpi on a laptop).
FONT_SIZE = 9.5
#: One colour per stage, the same in every chart.
STAGE_COLORS = {
    "route": "#8c8c8c",
    "dispatch": "#d62728",
    "gil": "#ff7f0e",
    "marshal": "#bcbd22",
    "handler": "#1f77b4",
    "future": "#9467bd",
    "other": "#c7c7c7",
    "queue": "#17becf",
}
#: Colour of measured bars and of the plan's predictions.
MEASURED_COLOR = "#4c72b0"
PLAN_COLOR = "#c0392b"
SAVING_COLOR = "#2ca02c"
REGRESSION_COLOR = "#d62728"
#: A step or saving whose 95 % CI includes 0: neither gained nor lost.
NEUTRAL_COLOR = "#9a9a9a"
#: Marks a configuration whose repetitions formed two clusters.
BIMODAL_COLOR = "#b00000"
#: A heatmap cell with nothing measured (an unsupported configuration).
NOT_MEASURED_COLOR = "#ffffff"
#: Colour and legend words of each significance.Change of a waterfall step.
STEP_STYLE = {
    Change.FASTER: (SAVING_COLOR, "saved by this step"),
    Change.SLOWER: (REGRESSION_COLOR, "added by this step (regression)"),
    Change.NONE: (NEUTRAL_COLOR, "no difference measured (the step's 95 % CI "
                                 "includes 0)"),
}
#: One colour and marker per configuration in line charts (colour-blind-safe order).
SERIES_COLORS = ("#000000", "#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2",
                 "#d55e00", "#f0e442")
SERIES_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Percentiles drawn by percentiles(): p50 .. p99.9 (p99.99 is too noisy per run).
PERCENTILE_MAX = 99.9
#: Tick positions of the percentile axis.
PERCENTILE_TICKS = (50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9)

#: Written into the PNG metadata instead of matplotlib's default (which has a URL).
_PNG_METADATA = {"Software": None}


@dataclass
class Chart:
    """A chart that was drawn: its file name and the configurations in/out of it."""

    file: str
    shown: List[str] = field(default_factory=list)  # config names drawn
    skipped: list = field(default_factory=list)  # unsupported Aggregates left out


#: Style of every chart, applied with rc_context so the caller's rcParams stay as
#: they were (the package may be imported by other code).
_STYLE = {"font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2,
          "axes.titleweight": "bold"}


def _styled(draw):
    """Run a chart function inside the package's matplotlib style."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        with plt.rc_context(_STYLE):
            return draw(*args, **kwargs)
    return wrapper


def _figure():
    return plt.subplots(figsize=FIG_SIZE, dpi=DPI)


def _skip_text(skipped):
    """``P3, P4: <reason>`` -- configurations grouped by their (shared) reason."""
    return "Not shown: " + "; ".join(
        f"{', '.join(cfgs)}: {reason}" for reason, cfgs in derive.group_by_reason(skipped))


#: Characters per line of the bottom note, and the figure height (fraction) per line.
_NOTE_WRAP = 140
_NOTE_LINE = 0.032


def _layout(fig, skipped):
    """tight_layout leaving room at the bottom for the note on skipped configs."""
    lines = textwrap.wrap(_skip_text(skipped), _NOTE_WRAP) if skipped else []
    fig.tight_layout(rect=(0, _NOTE_LINE * len(lines) + 0.01 if lines else 0, 1, 1))
    if lines:
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=FONT_SIZE - 1.5,
                 color="#7f0000", va="bottom", ha="left")


def _save(fig, path):
    fig.savefig(path, dpi=DPI, format="png", metadata=_PNG_METADATA)
    plt.close(fig)


def _xlabel(a):
    return f"{a.config}\n{PHASE_ADDS[a.phase] if a.phase else a.opts_label}"


def _seq_words(shown):
    """(x-axis label, title noun) for the sequence: phases or plain configurations."""
    if shown and all(a.phase is not None for a in shown):
        return "phase (optimizations added cumulatively)", "phase"
    return "configuration", "configuration"


def _label_sequence_axes(ax, shown, ylabel, title):
    """A bar chart over the configurations `shown`: µs on the y axis with its grid, the x
    axis named for the sequence, and the title ended with its noun ("... per phase")."""
    ax.yaxis.set_major_formatter(_us_formatter())
    xlabel, noun = _seq_words(shown)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.set_title(f"{title} {noun}")
    ax.grid(axis="y", alpha=0.3, zorder=0)


def _nothing_to_plot(ax):
    ax.text(0.5, 0.5, "nothing to plot: no supported configuration",
            transform=ax.transAxes, ha="center", va="center", fontsize=FONT_SIZE + 2,
            color="#7f0000")


def _legend(ax, shown, *args, **kwargs):
    """A legend, unless nothing was drawn (matplotlib would warn on stderr)."""
    if shown:
        ax.legend(*args, **kwargs)
    else:
        _nothing_to_plot(ax)


def _us(ns):
    return ns / 1000.0


def _us_formatter():
    return FuncFormatter(lambda v, _pos: f"{v:g}")


def _split_supported(results):
    """The phase sequence's configurations as (measured, unsupported): only the first are
    drawn; the second are named in the figure's note."""
    seq = results.sequence()
    return [a for a in seq if a.supported], [a for a in seq if not a.supported]


@_styled
def waterfall(results, path):
    """Median total p50 per phase with each step's change; plan predictions beside."""
    shown, skipped = _split_supported(results)
    steps = derive.steps(results)
    fig, ax = _figure()
    x = np.arange(len(steps))
    med = np.array([_us(s.total_ns) for s in steps])
    err = np.array([[_us(s.total_ns - s.ci_low_ns) for s in steps],
                    [_us(s.ci_high_ns - s.total_ns) for s in steps]])
    ax.bar(x, med, width=0.46, color=MEASURED_COLOR, yerr=err, capsize=4,
           error_kw={"elinewidth": 1, "ecolor": "#222222"},
           label="measured total p50 (median, CI bar)", zorder=2)
    top = max((_us(s.ci_high_ns) for s in steps), default=1.0)
    labelled = set()  # each kind of step gets one legend entry
    for i, s in enumerate(steps):
        ax.text(x[i], med[i] / 2, format_ns(s.total_ns), ha="center", va="center",
                color="white", fontweight="bold", fontsize=FONT_SIZE, zorder=4)
        if s.prev_config is None:
            continue
        prev = med[i - 1]
        lo, hi = min(prev, med[i]), max(prev, med[i])
        # Coloured as gained or lost only when the step's CI excludes 0.
        color, words = STEP_STYLE[s.change]
        label = None if s.change in labelled else words
        labelled.add(s.change)
        # A step down floats above the new (lower) bar; a step up lies inside the new
        # (higher) bar, so it is drawn on top of it.
        down = s.delta_ns <= 0
        step_bar = ax.bar(x[i], hi - lo, bottom=lo, width=0.46, color=color,
                          alpha=0.35 if down else 0.55, hatch="//", edgecolor=color,
                          label=label, zorder=1 if down else 3)
        step_bar.patches[0].set_gid(f"step:{s.config}:{s.change.name}")
        ax.plot([x[i - 1] + 0.23, x[i] - 0.23], [prev, prev], color="#555555",
                linestyle=":", linewidth=1, zorder=1)
        pct = "" if s.delta_pct is None else f" ({format_delta_pct(s.delta_pct)})"
        mark = "~ " if s.change is Change.NONE else ""
        ax.text(x[i], max(hi, _us(s.ci_high_ns)) + top * 0.03,
                f"{mark}{format_delta_ns(s.delta_ns)}{pct}\nvs "
                f"{s.prev_config}", ha="center", va="bottom", fontsize=FONT_SIZE - 1,
                color=color, zorder=4, gid=f"step-label:{s.config}:{s.change.name}")
    px = [i for i, s in enumerate(steps) if s.config in plan.PLAN_TOTAL_NS]
    if px:
        py = [_us(plan.PLAN_TOTAL_NS[steps[i].config]) for i in px]
        ax.plot(np.array(px) + 0.34, py, linestyle="none", color=PLAN_COLOR,
                marker="D", markersize=6, label="plan's prediction (hypothesis)",
                zorder=3)
        for i, v in zip(px, py):
            ax.annotate(format_ns(v * 1000), (i + 0.34, v), xytext=(6, 0),
                        textcoords="offset points", ha="left", va="center",
                        fontsize=FONT_SIZE - 2, color=PLAN_COLOR, zorder=4)
        top = max(top, max(py))
    for i, s in enumerate(steps):  # phases beyond the plan (P5): say why there is no diamond
        if s.config in PHASE_ADDS and s.config not in plan.PLAN_TOTAL_NS:
            ax.text(x[i] + 0.34, _us(s.ci_high_ns), "no plan\nprediction", rotation=90, ha="center",
                    va="bottom", fontsize=FONT_SIZE - 3, color=PLAN_COLOR, zorder=4)
    ax.set_xticks(x)
    # A configuration whose repetitions fell into two clusters is flagged under its bar:
    # its median lies between them and describes neither (the report's warning says more).
    bimodal = [results.aggregate(s.config).bimodal is not None for s in steps]
    ax.set_xticklabels([_xlabel(results.aggregate(s.config))
                        + ("\n⚠ bimodal" if b else "") for s, b in zip(steps, bimodal)])
    for tick, b in zip(ax.get_xticklabels(), bimodal):
        if b:
            tick.set_color(BIMODAL_COLOR)
            tick.set_gid("bimodal-tick")
    ax.set_xlim(-0.6, max(len(steps) - 0.15, 0.85))
    ax.set_ylim(0, top * 1.28)
    _label_sequence_axes(ax, shown, "total latency p50 (µs)",
                         "Combined impact, measured: total p50 per")
    _legend(ax, shown, loc="upper right", fontsize=FONT_SIZE - 1, framealpha=0.95)
    _layout(fig, skipped)
    _save(fig, path)
    return Chart(path.name, [a.config for a in shown], skipped)


#: A stage taken by fewer than this share of requests is hatched in stages(): its
#: median describes those requests only, not the typical request.
PARTIAL_STAGE_PCT = 99.0


@_styled
def stages(results, path):
    """Stacked medians of p50 per stage, per phase, with the stored total p50."""
    from matplotlib.patches import Patch

    shown, skipped = _split_supported(results)
    fig, ax = _figure()
    x = np.arange(len(shown))
    width = 0.5
    bottom = np.zeros(len(shown))
    any_partial = False
    for stage in PART_STAGES:
        vals = np.array([_us(a.stages[stage].p50.median) if stage in a.stages else 0.0
                         for a in shown])
        through = [derive.through_pct(results, a.config, stage) for a in shown]
        partial = [t is not None and 0 < t < PARTIAL_STAGE_PCT and v > 0
                   for t, v in zip(through, vals)]
        any_partial |= any(partial)
        bars = ax.bar(x, vals, bottom=bottom, width=width, color=STAGE_COLORS[stage],
                      edgecolor="white", linewidth=0.6, label=stage, zorder=2)
        for bar, part in zip(bars, partial):
            if part:
                bar.set_hatch("xx")
        # Label segments tall enough to hold text (in axis units, µs).
        for i, v in enumerate(vals):
            if v >= 0.9:
                text = format_ns(v * 1000)
                if partial[i] and v >= 1.4:
                    text += f"\n({format_pct(through[i])} of req.)"
                ax.text(x[i], bottom[i] + v / 2, text, ha="center", va="center",
                        fontsize=FONT_SIZE - 2, color="black", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                              "alpha": 0.7, "linewidth": 0} if partial[i] else None)
        bottom += vals
    totals = np.array([_us(a.stages["total"].p50.median) for a in shown])
    # The stored total p50, as a pointer at the bar's right edge (medians are not
    # additive: the stack need not reach it).
    tot = ax.scatter(x + width / 2 + 0.04, totals, marker="<", s=60, color="black",
                     zorder=4)
    for i in range(len(shown)):
        ax.annotate(format_ns(totals[i] * 1000), (x[i] + width / 2 + 0.04, totals[i]),
                    xytext=(8, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=FONT_SIZE - 1.5, zorder=4)
    top = max(max(bottom, default=0), max(totals, default=0)) or 1.0
    ax.set_xticks(x)
    ax.set_xticklabels([_xlabel(a) for a in shown])
    ax.set_xlim(-0.6, max(len(shown) - 0.25, 0.8))
    ax.set_ylim(0, top * 1.08)
    _label_sequence_axes(ax, shown, "median of p50 per stage (µs), stacked",
                         "Where the time goes: stage medians per")
    # Legend outside the axes, stages listed top-down as they are stacked.
    leg_handles = [tot] + [Patch(facecolor=STAGE_COLORS[st]) for st in PART_STAGES[::-1]]
    leg_labels = ["total p50 (measured)"] + list(PART_STAGES[::-1])
    if any_partial:
        leg_handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="xx"))
        leg_labels.append("taken by only part\nof the requests")
    _legend(ax, shown, leg_handles, leg_labels, loc="center left", bbox_to_anchor=(1.01, 0.5),
              fontsize=FONT_SIZE - 0.5, title="stage", frameon=False)
    _layout(fig, skipped)
    _save(fig, path)
    return Chart(path.name, [a.config for a in shown], skipped)


def _tail_x(q):
    """Percentile axis position -log10(1 - q): p50 -> 0.3, p90 -> 1, p99 -> 2, p99.9 -> 3.

    Equal distance per 'nine', so the tail gets as much room as the body (as in
    HdrHistogram's percentile plots)."""
    return -math.log10(1.0 - q / 100.0)


def _pct_label(q):
    return f"p{q:g}"


@_styled
def percentiles(results, path):
    """Total latency against percentile (p50..p99.9), per phase, one line per run."""
    shown, skipped = _split_supported(results)
    fig, ax = _figure()
    lo_ns, hi_ns = math.inf, 0.0
    for k, a in enumerate(shown):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        marker = SERIES_MARKERS[k % len(SERIES_MARKERS)]
        runs = [r for r in results.runs_of(a.config) if r.supported]
        for j, r in enumerate(runs):
            pts = [(q, ns) for q, ns in r.stages["total"].percentiles
                   if q <= PERCENTILE_MAX + 1e-9]
            if not pts:
                continue
            xs = [_tail_x(q) for q, _ in pts]
            ys = [_us(ns) for _, ns in pts]
            lo_ns, hi_ns = min(lo_ns, min(ys)), max(hi_ns, max(ys))
            ax.plot(xs, ys, color=color, linewidth=1.5, alpha=0.85, marker=marker,
                    markersize=4, label=_xlabel(a).replace("\n", " ") if j == 0 else None)
    ax.set_yscale("log")
    if math.isfinite(lo_ns) and hi_ns > 0:
        ax.set_ylim(lo_ns / 1.3, hi_ns * 1.3)
    ticks = [_tail_x(q) for q in PERCENTILE_TICKS]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([_pct_label(q) for q in PERCENTILE_TICKS])
    ax.set_xlim(ticks[0] - 0.1, ticks[-1] + 0.1)
    ax.yaxis.set_major_formatter(_us_formatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1, 2, 5)))
    ax.set_ylabel("total latency (µs, log scale)")
    ax.set_xlabel("percentile (axis spaced by −log10(1 − q): each 'nine' gets equal room)")
    ax.set_title("Total latency by percentile (one line per repetition)")
    ax.grid(which="major", alpha=0.3)
    _legend(ax, shown, loc="upper left", fontsize=FONT_SIZE - 0.5,
            title=_seq_words(shown)[1], framealpha=0.95)
    _layout(fig, skipped)
    _save(fig, path)
    return Chart(path.name, [a.config for a in shown], skipped)


#: Heatmap columns: (title, Ablation attribute for ns, attribute for %).
ABLATION_COLUMNS = (
    ("alone (vs P0)", "alone_saving_ns", "alone_saving_pct"),
    ("left out (vs all)", "leave_out_saving_ns", "leave_out_saving_pct"),
)


def _ablation_cell(e, ns_attr, pct_attr):
    """(Change or None for n/a, saving % median) of one heatmap cell."""
    ns, p = getattr(e, ns_attr), getattr(e, pct_attr)
    if ns is None or p is None:
        return None, math.nan
    return saving_change(ns), p.median


@_styled
def ablation(results, path):
    """Heatmap: rows = optimization, columns = context, cells = stored saving.

    Only a saving whose 95 % CI excludes 0 takes a colour from the scale; the others
    are grey ("no difference measured") and do not stretch the scale.
    """
    from matplotlib.patches import Patch, Rectangle

    entries = list(results.ablation or ())
    fig, ax = _figure()
    shape = (len(entries), len(ABLATION_COLUMNS))
    pct = np.full(shape, np.nan)  # measured savings only; NaN = neutral or n/a
    changes = np.full(shape, None, dtype=object)
    for i, e in enumerate(entries):
        for j, (_t, ns_attr, pct_attr) in enumerate(ABLATION_COLUMNS):
            change, median = _ablation_cell(e, ns_attr, pct_attr)
            changes[i, j] = change
            if change is not None and change is not Change.NONE:
                pct[i, j] = median
    finite = pct[np.isfinite(pct)]
    vmax = max(float(np.max(np.abs(finite))) if finite.size else 1.0, 1.0)
    cmap = plt.get_cmap("RdYlGn").copy()
    cmap.set_bad(NOT_MEASURED_COLOR)
    im = ax.imshow(np.ma.masked_invalid(pct), cmap=cmap, vmin=-vmax, vmax=vmax,
                   aspect="auto")
    for i, e in enumerate(entries):
        for j, (_t, ns_attr, pct_attr) in enumerate(ABLATION_COLUMNS):
            ns, p = getattr(e, ns_attr), getattr(e, pct_attr)
            change = changes[i, j]
            if change is None:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none",
                                       edgecolor="#bbbbbb", hatch="//", linewidth=0,
                                       gid=f"ablation:{e.optimization}:{ns_attr}:NA"))
                text = "n/a"
            else:
                if change is Change.NONE:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1,
                                           facecolor=NEUTRAL_COLOR, alpha=0.55,
                                           linewidth=0, gid=f"ablation:{e.optimization}"
                                           f":{ns_attr}:{change.name}"))
                else:
                    # The colour comes from the image; a marker patch for the tests.
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none",
                                           linewidth=0, gid=f"ablation:{e.optimization}"
                                           f":{ns_attr}:{change.name}"))
                mark = "~ " if change is Change.NONE else ""
                text = (f"{mark}{format_delta_ns(ns.median).lstrip('+')} "
                        f"({format_pct(p.median)})\n"
                        f"CI [{format_ns(ns.ci_low)}, {format_ns(ns.ci_high)}]")
                if change is Change.NONE:
                    text += "\nno difference measured"
            ax.text(j, i, text, ha="center", va="center", fontsize=FONT_SIZE - 0.5,
                    color="black")
    ax.set_xticks(range(len(ABLATION_COLUMNS)))
    ax.set_xticklabels([c[0] for c in ABLATION_COLUMNS])
    ax.set_yticks(range(len(entries)))
    ax.set_yticklabels([e.optimization for e in entries])
    ax.set_xlabel("context (reference configuration)")
    ax.set_ylabel("optimization")
    ax.set_title("Ablation: saving of total p50 per optimization (positive = faster)")
    cbar = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    cbar.set_label("saving (% of reference total p50), 95 % CI excluding 0")
    handles, labels = [], []
    if any(c is Change.NONE for c in changes.flat):
        handles.append(Patch(facecolor=NEUTRAL_COLOR, alpha=0.55, edgecolor="#999999"))
        labels.append("no difference measured (95 % CI includes 0)")
    if any(c is None for c in changes.flat):
        handles.append(Patch(facecolor=NOT_MEASURED_COLOR, edgecolor="#999999",
                             hatch="//"))
        labels.append("n/a: configuration not measured (unsupported or crashed)")
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.11),
                  frameon=False, fontsize=FONT_SIZE - 1, ncol=len(handles))
    fig.tight_layout()
    _save(fig, path)
    return Chart(path.name, [e.optimization for e in entries], [])


def routes(results, path):
    """Per route, the stacked stage medians (p50) of each configuration, one panel per route
    (each on its own linear scale: a 300 µs route beside a 3 µs one). A route's stages come from
    its own requests only, so a dispatch taken by one route in ten is not stacked on a
    direct-path total."""
    from matplotlib.patches import Patch

    shown = [a for a in results.sequence() if a.supported and a.routes]
    n = len(shown[0].routes)
    fig, axes = plt.subplots(1, n, figsize=(FIG_SIZE[0] + 1.5, FIG_SIZE[1]), dpi=DPI, squeeze=False)
    stack = list(PART_STAGES) + ["queue"]
    x = np.arange(len(shown))
    for i, ax in enumerate(axes[0]):
        bottom = np.zeros(len(shown))
        for stage in stack:
            vals = np.array([_us(a.routes[i].stages[stage].p50_ns)
                             if stage in a.routes[i].stages and a.routes[i].stages[stage].count > 0
                             else 0.0 for a in shown])
            ax.bar(x, vals, bottom=bottom, width=0.6, color=STAGE_COLORS[stage],
                   edgecolor="white", linewidth=0.5, zorder=2)
            bottom += vals
        totals = np.array([_us(a.routes[i].stages["total"].p50_ns) for a in shown])
        ax.scatter(x, totals, marker="_", s=200, color="black", zorder=4)
        top = float(max(bottom.max(initial=0), totals.max(initial=0))) or 1.0
        ax.set_ylim(0, top * 1.1)
        ax.yaxis.set_major_formatter(_us_formatter())
        ax.set_xticks(x)
        ax.set_xticklabels([a.config for a in shown], rotation=45, ha="right", fontsize=FONT_SIZE - 1.5)
        route = shown[0].routes[i]
        ax.set_title(f"{route.method} {route.path}\n({format_pct(100.0 * route.share)} of requests)",
                     fontsize=FONT_SIZE)
        ax.grid(axis="y", alpha=0.3, zorder=0)
    axes[0][0].set_ylabel("median of p50 per stage (µs), stacked")
    handles = [plt.Line2D([], [], color="black", marker="_", linestyle="", markersize=12)]
    handles += [Patch(facecolor=STAGE_COLORS[st]) for st in stack[::-1]]
    axes[0][-1].legend(handles, ["total p50 (measured)"] + stack[::-1], loc="center left",
                       bbox_to_anchor=(1.02, 0.5), fontsize=FONT_SIZE - 1, title="stage", frameon=False)
    fig.suptitle("Where the time goes, per route: each route's stages from its own requests")
    fig.tight_layout()
    _save(fig, path)
    return Chart(path.name, [a.config for a in shown], [])


def draw_all(results, out_dir):
    """Draw every chart into out_dir (a pathlib.Path); return {name: Chart}."""
    charts = {
        "waterfall": waterfall(results, out_dir / "waterfall.png"),
        "stages": stages(results, out_dir / "stages.png"),
        "percentiles": percentiles(results, out_dir / "percentiles.png"),
    }
    if results.ablation:
        charts["ablation"] = ablation(results, out_dir / "ablation.png")
    if any(a.supported and a.routes for a in results.sequence()):
        charts["routes"] = routes(results, out_dir / "routes.png")
    return charts
