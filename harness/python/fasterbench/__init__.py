"""fasterbench from Python: the framework and the harness for a Python process (docs/python.md).

    import fasterbench as fb
    fb.optimizations("P4")   # ['direct', 'lockfree', 'subinterp', 'inline-future']
    results = fb.load_results("results/hello/results.json")
    results.configuration("P1").stage("total").p50      # ns, median over the repetitions

Configuration errors raise fasterbench.ConfigError (a ValueError) with the harness's message.
"""

from ._core import ConfigError, __version__, optimizations, unavailable_reason
from .results import Results, ResultsError

load_results = Results.load

__all__ = [
    "ConfigError",
    "Results",
    "ResultsError",
    "__version__",
    "load_results",
    "optimizations",
    "unavailable_reason",
]
