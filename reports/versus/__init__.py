"""The ``fasterbench versus`` report: versus.json -> versus.md and versus.png.

``python3 -m reports.versus VERSUS.json --out DIR``. Separate from the phase report
(reports/__init__.py): a different document (schema ``fasterbench-versus``), read by
its own model.
"""
