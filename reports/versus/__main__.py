"""Command line: ``python3 -m reports.versus VERSUS.json --out DIR``.

Writes DIR/versus.md and DIR/versus.png (each through a temporary file and a rename).
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
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".versus-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m reports.versus",
                                description="Render a fasterbench versus.json as versus.md and versus.png.")
    p.add_argument("versus", metavar="VERSUS.json")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        v = model.load(args.versus)
    except ReportError as e:
        print(f"reports.versus: error: {str(e).splitlines()[0]}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    os.makedirs(args.out, exist_ok=True)
    png = os.path.join(args.out, "versus.png")
    md = os.path.join(args.out, "versus.md")
    _write_atomically(png, lambda tmp: chart.draw(v, tmp))
    text = markdown.render(v)

    def write_md(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _write_atomically(md, write_md)
    if not args.quiet:
        print(f"reports.versus: wrote versus.png, versus.md to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
