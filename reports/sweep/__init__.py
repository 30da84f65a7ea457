"""The ``fasterbench sweep`` report: sweep.json -> sweep.md and sweep.png.

``python3 -m reports.sweep SWEEP.json --out DIR``. The knee of each phase and every step's
saturation are judged by the harness (harness/stats/sweep_rule.h) and read from the document;
this package only renders them.
"""
