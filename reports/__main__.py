"""Command line: ``python3 -m reports RESULTS.json --out DIR``.

The fasterbench harness runs exactly this (with PYTHONPATH at the repository root).

Exit status:
  0  report written (noise warnings, if any, are printed but do not fail the run);
  2  invalid invocation, or the results file is missing, unreadable, not JSON, or
     fails validation; the message is one line on stderr and DIR is left untouched.
"""

import argparse
import sys

from . import render
from .model import ReportError

#: Exit status for bad input (same as argparse's usage errors).
EXIT_INPUT_ERROR = 2


def _parser():
    p = argparse.ArgumentParser(
        prog="python3 -m reports",
        description="Render a fasterbench results JSON as report.md, a self-contained "
                    "report.html and PNG charts.")
    p.add_argument("results", metavar="RESULTS.json",
                   help="results document written by the fasterbench harness "
                        "(schema_version 1)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output directory; created if missing; report files in it are "
                        "replaced, other files are left alone")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print nothing on success (noise warnings stay in the report)")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        written, warnings = render(args.results, args.out)
    except ReportError as e:
        # One line, always: a key or reason read from the file may hold a newline.
        msg = str(e).replace("\r", "\\r").replace("\n", "\\n")
        print(f"reports: error: {msg}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    if not args.quiet:
        print(f"reports: wrote {', '.join(p.name for p in written)} to {args.out}")
        for w in warnings:
            print(f"reports: warning: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
