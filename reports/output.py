"""Write a report directory without ever leaving it half-written.

Everything is rendered into a temporary directory created next to the output
directory (same file system, so renames are atomic), then each file is renamed into
place: PNGs first, report.html and report.md last, so a reader never finds a report
that points at a missing chart.  On any error the temporary directory is removed and
the output directory is left as it was (or not created at all).

Files in DIR that this package did not write are left alone; only a stale
``ablation.png`` from an earlier run with ablation is removed when the new results
have none, so the directory never shows a chart the report does not describe.
"""

import os
import shutil
import tempfile
from pathlib import Path

from . import document, html, instructions, markdown, noise
from .model import InstructionResults, ReportError

#: Every file the package may write, in the order they are moved into place.
OUTPUT_FILES = ("waterfall.png", "stages.png", "percentiles.png", "ablation.png", "routes.png",
                "report.html", "report.md")


def _first_missing_ancestor(path):
    """The outermost directory of ``path``'s parents that does not exist, or None."""
    missing = None
    for p in [path.parent, *path.parent.parents]:
        if p.exists():
            break
        missing = p
    return missing


def write_report(results, out_dir):
    """Render Results into out_dir; return (list of written Paths, noise warnings)."""
    out = Path(out_dir).absolute()
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out_dir}: output exists and is not a directory")
    created = _first_missing_ancestor(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as e:
        raise ReportError(f"{out_dir}: cannot create output: {e.strerror or e}") \
            from None
    ok = False
    try:
        if isinstance(results, InstructionResults):  # counts only: no charts of times
            doc = instructions.build(results)
        else:
            from . import charts  # matplotlib is imported only when there is work to draw

            drawn = charts.draw_all(results, tmp)
            doc = document.build(results, drawn)
        (tmp / "report.md").write_text(markdown.render(doc), encoding="utf-8")
        (tmp / "report.html").write_text(html.render(doc, tmp), encoding="utf-8")
        produced = [f for f in OUTPUT_FILES if (tmp / f).exists()]
        try:
            out.mkdir(exist_ok=True)
            for f in produced:
                os.replace(tmp / f, out / f)
            for f in OUTPUT_FILES:
                if f not in produced and f.endswith(".png") and (out / f).exists():
                    (out / f).unlink()
        except OSError as e:
            raise ReportError(f"{out_dir}: cannot write output: {e.strerror or e}") \
                from None
        ok = True
        warnings = [] if isinstance(results, InstructionResults) else noise.check(results)
        return [out / f for f in produced], warnings
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not ok and created is not None:
            shutil.rmtree(created, ignore_errors=True)
