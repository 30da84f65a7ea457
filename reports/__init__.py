"""fasterbench report generator: results JSON -> report.md, report.html and PNG charts.

Usage: ``python3 -m reports RESULTS.json --out DIR`` (see __main__.py), or::

    from reports import render
    files, warnings = render("results.json", "out/")

Modules by role (after psf/pyperf): model (load + validate the JSON), derive (the only
arithmetic on stored values), significance (the one interval the report computes: is a
step between two configurations a measured difference?), noise (stability and
bimodality warnings), plan (the plan's predicted figures), units (number formatting),
document (the report as data), charts, markdown, html (renderers) and output (atomic
write of the directory).
"""

from .model import SCHEMA_VERSION, ReportError, load

__version__ = "0.1.0"


def render(results_path, out_dir):
    """Load and validate results_path, then write the report into out_dir.

    Returns (list of written Paths, list of noise warnings).  Raises ReportError for
    invalid input or an unwritable output; out_dir is then left untouched.
    """
    from .output import write_report

    return write_report(load(results_path), out_dir)


__all__ = ["render", "load", "ReportError", "SCHEMA_VERSION", "__version__"]
