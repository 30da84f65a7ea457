"""The command line shared by the one-document side reports (``reports.versus``,
``reports.sweep``): ``python3 -m reports.NAME NAME.json --out DIR`` writes DIR/NAME.md and
DIR/NAME.png, each through a temporary file and a rename. Exit status 0 on success, 2 when the
document is missing, unreadable or invalid (one line on stderr, DIR untouched).
"""

import argparse
import os
import sys
import tempfile

from .model import ReportError

EXIT_INPUT_ERROR = 2


def _write_atomically(path, write, prefix):
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run(name, load, draw, render, argv=None):
    """Parse argv, load the document with ``load(path)``, write ``draw(doc, png_path)`` and
    ``render(doc)`` (Markdown text) as NAME.png and NAME.md."""
    p = argparse.ArgumentParser(prog=f"python3 -m reports.{name}",
                                description=f"Render a fasterbench {name}.json as {name}.md and {name}.png.")
    p.add_argument("document", metavar=f"{name.upper()}.json")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        doc = load(args.document)
    except ReportError as e:
        print(f"reports.{name}: error: {str(e).splitlines()[0]}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    os.makedirs(args.out, exist_ok=True)
    prefix = f".{name}-"
    _write_atomically(os.path.join(args.out, f"{name}.png"), lambda tmp: draw(doc, tmp), prefix)
    text = render(doc)

    def write_md(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _write_atomically(os.path.join(args.out, f"{name}.md"), write_md, prefix)
    if not args.quiet:
        print(f"reports.{name}: wrote {name}.png, {name}.md to {args.out}")
    return 0
