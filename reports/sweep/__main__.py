"""Command line: ``python3 -m reports.sweep SWEEP.json --out DIR``.

Writes DIR/sweep.md and DIR/sweep.png (each through a temporary file and a rename).
Exit status 0 on success, 2 when the document is missing, unreadable or invalid (one
line on stderr, DIR untouched).
"""

import argparse
import os
import sys
import tempfile

from ..model import ReportError
from . import chart, markdown, model

EXIT_INPUT_ERROR = 2


def _write_atomically(path, write):
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sweep-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m reports.sweep",
                                description="Render a fasterbench sweep.json as sweep.md and sweep.png.")
    p.add_argument("sweep", metavar="SWEEP.json")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        v = model.load(args.sweep)
    except ReportError as e:
        print(f"reports.sweep: error: {str(e).splitlines()[0]}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    os.makedirs(args.out, exist_ok=True)
    png = os.path.join(args.out, "sweep.png")
    md = os.path.join(args.out, "sweep.md")
    _write_atomically(png, lambda tmp: chart.draw(v, tmp))
    text = markdown.render(v)

    def write_md(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _write_atomically(md, write_md)
    if not args.quiet:
        print(f"reports.sweep: wrote sweep.png, sweep.md to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
