"""Is a difference measured, or inside the noise?  The one statistic the report computes.

Everything else statistical comes from the harness.  The waterfall's steps (P1 vs P0,
P2 vs P1, ...) and the ablation configurations' difference from P0 are not stored with a
confidence interval, so the report bootstraps one from the per-repetition total p50s
stored in ``runs`` -- the same way the harness computes its ablation savings
(harness/stats/aggregate.cpp ``saving``), so the waterfall's P0 -> P1 step and the
ablation's "direct alone" saving are judged alike:

* both sides are resampled independently, RESAMPLES times; each resample gives
  median(after) - median(before); the CI is the nearest-rank CONFIDENCE percentile
  interval of those differences (Efron & Tibshirani, "An Introduction to the Bootstrap",
  ch. 13);
* with fewer than MIN_BOOTSTRAP values on a side a bootstrap only echoes the points, so
  the interval is the range of the differences over all pairs (as the harness does);
* the generator is seeded: the same document always gives the same report.

A difference counts as measured only when its interval excludes zero; otherwise the
report says "no difference measured" and colours it neutral -- the console's ``~``.
(The console decides a phase step by whether the two phases' own CIs overlap, a
stricter test: it may print ``~`` for a step the report shows as measured.)
"""

import enum
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: As the harness (harness/stats/aggregate.h kBootstrapResamples, kConfidence).
RESAMPLES = 2000
CONFIDENCE = 0.95
#: Fewer values on a side than this: the pairwise range instead of a bootstrap.
MIN_BOOTSTRAP = 3
#: Any fixed seed: it only makes the interval reproducible.
SEED = 20261127


class Change(enum.Enum):
    """What a difference says about the configuration compared with its reference."""

    FASTER = "faster"  # the interval lies entirely on the faster side of zero
    SLOWER = "slower"  # entirely on the slower side
    NONE = "no difference measured"  # the interval includes zero


@dataclass(frozen=True)
class Difference:
    """median(after) - median(before) with its CI, in the values' unit (ns)."""

    median: float
    ci_low: float
    ci_high: float
    pct: float  # 100 * median / median(before); nan when median(before) is 0

    @property
    def change(self):
        """FASTER / SLOWER / NONE for a difference of latencies (negative = faster)."""
        return latency_change(self.ci_low, self.ci_high)


def latency_change(ci_low, ci_high):
    """Change of a latency difference new - old: negative = faster."""
    if ci_high < 0:
        return Change.FASTER
    if ci_low > 0:
        return Change.SLOWER
    return Change.NONE


def saving_change(estimate):
    """Change of a stored saving estimate old - new: positive = faster."""
    if estimate.ci_low > 0:
        return Change.FASTER
    if estimate.ci_high < 0:
        return Change.SLOWER
    return Change.NONE


def _quantile_sorted(sorted_values, q):
    """Nearest-rank quantile, as the harness's quantile_sorted."""
    n = len(sorted_values)
    rank = math.ceil(min(max(q, 0.0), 1.0) * n)
    return float(sorted_values[min(max(rank - 1, 0), n - 1)])


def difference(before: Sequence[float], after: Sequence[float]) -> Difference:
    """median(after) - median(before) with a CI (see the module docstring).

    ``before`` and ``after`` are per-repetition values (total p50s), each non-empty.
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.size == 0 or a.size == 0:
        raise ValueError("difference() needs at least one value on each side")
    mb, ma = float(np.median(b)), float(np.median(a))
    point = ma - mb
    pct = 100.0 * point / mb if mb else math.nan
    if b.size < MIN_BOOTSTRAP or a.size < MIN_BOOTSTRAP:
        pairs = (a[None, :] - b[:, None]).ravel()
        return Difference(point, float(pairs.min()), float(pairs.max()), pct)
    rng = np.random.default_rng(SEED)
    mb_s = np.median(b[rng.integers(0, b.size, size=(RESAMPLES, b.size))], axis=1)
    ma_s = np.median(a[rng.integers(0, a.size, size=(RESAMPLES, a.size))], axis=1)
    diffs = np.sort(ma_s - mb_s)
    tail = (1.0 - CONFIDENCE) / 2.0
    return Difference(point, _quantile_sorted(diffs, tail),
                      _quantile_sorted(diffs, 1.0 - tail), pct)
