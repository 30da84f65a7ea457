"""fasterbench from Python: the framework and the harness for a Python process (docs/python.md).

    import fasterbench as fb
    fb.optimizations("P4")   # ['direct', 'lockfree', 'subinterp', 'inline-future']

Configuration errors raise fasterbench.ConfigError (a ValueError) with the harness's message.
"""

from ._core import ConfigError, __version__, optimizations, unavailable_reason

__all__ = ["ConfigError", "__version__", "optimizations", "unavailable_reason"]
