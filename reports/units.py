"""Unit formatting: the one place that decides how a number reads in a report.

Every table cell, chart label and warning goes through these functions, so a number in
report.md can be checked against the JSON by formatting the stored value the same way.

Latencies keep three significant digits (``812 ns``, ``6.51 µs``, ``14.0 µs``,
``1.20 ms``): the histograms behind them have ~1 % relative error, so a fourth digit
would be noise.  A value is rounded *before* its unit is chosen, so 999.6 ns reads
``1.00 µs`` rather than ``1000 ns``.
"""

import math

#: (divisor, suffix) from the smallest unit up; a value uses the largest unit whose
#: divisor it reaches after rounding.
_TIME_UNITS = ((1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s"))
_RATE_UNITS = ((1.0, "req/s"), (1e3, "k req/s"), (1e6, "M req/s"))

#: Shown where a value does not exist (stage not on the path, unsupported config).
MISSING = "—"


def _sig3(value):
    """Round a non-negative value to three significant digits."""
    if value == 0:
        return 0.0
    return round(value, 2 - int(math.floor(math.log10(value))))


def _digits3(value):
    """Format a non-negative value already rounded to 3 significant digits."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _scaled(value, units):
    """A non-negative value at three significant digits in the largest of `units`
    ((divisor, suffix), the base unit first) that it reaches: whole base units below the
    second."""
    rounded = _sig3(value)
    divisor, suffix = units[0]
    for d, s in units:
        if rounded >= d:
            divisor, suffix = d, s
    if divisor == 1.0:
        return f"{rounded:.0f} {suffix}"
    return f"{_digits3(_sig3(rounded / divisor))} {suffix}"


def format_ns(ns):
    """Format a duration in nanoseconds: ``812 ns``, ``6.51 µs``, ``1.20 ms``.

    Below 10 ns one decimal is kept (``9.8 ns``, probe stamp costs live there).
    Negative values get a leading ``-`` (deltas use format_delta_ns for an explicit +).
    """
    if ns is None or (isinstance(ns, float) and math.isnan(ns)):
        return MISSING
    if ns < 0:
        return "-" + format_ns(-ns)
    if ns < 10:
        return f"{ns:.1f} ns"
    return _scaled(ns, _TIME_UNITS)


def _signed(value, fmt, zero):
    """``+`` or ``-`` before fmt(|value|); ``zero`` for 0."""
    if value == 0:
        return zero
    return ("+" if value > 0 else "-") + fmt(abs(value))


def format_delta_ns(ns):
    """Format a signed difference: ``+1.20 µs``, ``-812 ns``, ``0 ns``."""
    return _signed(ns, format_ns, "0 ns")


def format_pct(pct):
    """Format a percentage: ``4.2 %`` below 10, ``23 %`` from 10 on."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return MISSING
    if abs(pct) < 10:
        return f"{pct:.1f} %"
    return f"{pct:.0f} %"


def format_delta_pct(pct):
    """Format a signed percentage change: ``-23 %``, ``+4.2 %``."""
    return _signed(pct, format_pct, "0.0 %")


def format_rate(rps):
    """Format a throughput: ``812 req/s``, ``71.2 k req/s``, ``1.20 M req/s``."""
    if rps is None:
        return MISSING
    if rps < 0:
        return "-" + format_rate(-rps)
    return _scaled(rps, _RATE_UNITS)


def format_ratio(ratio):
    """Format a ratio such as measured/predicted: ``2.15×``, ``0.48×``."""
    if ratio is None or math.isnan(ratio) or math.isinf(ratio):
        return MISSING
    return f"{ratio:.2f}×"


def format_count(n):
    """Format an integer count with thousands separators: ``20,000``."""
    return f"{int(n):,}"


def format_allocs(a):
    """Format allocations per request: ``3.00``."""
    return f"{a:.2f}"


def format_cpus(cpus):
    """Format a list of CPU numbers as the kernel does: ``0``, ``0,1``, ``0-3,6``.

    An empty list reads ``none``."""
    cpus = sorted(set(cpus))
    if not cpus:
        return "none"
    parts, start = [], cpus[0]
    for prev, cur in zip(cpus, cpus[1:] + [None]):
        if cur is not None and cur == prev + 1:
            continue
        parts.append(str(start) if start == prev else
                     f"{start},{prev}" if prev == start + 1 else f"{start}-{prev}")
        start = cur
    return ",".join(parts)


def format_ms(ms):
    """Format a duration given in milliseconds, as format_ns does: ``125 ms``."""
    return format_ns(ms * 1e6)
