"""Command line: ``python3 -m reports.sweep SWEEP.json --out DIR`` (reports/chart_and_markdown_cli.py).

Writes DIR/sweep.md and DIR/sweep.png (each through a temporary file and a rename).
Exit status 0 on success, 2 when the document is missing, unreadable or invalid (one
line on stderr, DIR untouched).
"""

import sys

from .. import chart_and_markdown_cli
from . import chart, markdown, model


def main(argv=None):
    return chart_and_markdown_cli.run("sweep", model.load, chart.draw, markdown.render, argv)


if __name__ == "__main__":
    sys.exit(main())
