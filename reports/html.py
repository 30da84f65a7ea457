"""Render a document.Document as one self-contained HTML file (report.html).

Self-contained means it opens offline and can be mailed or archived alone: the PNGs
are embedded as ``data:image/png;base64`` URIs, the CSS is inline, and there is no
script, font, stylesheet or image fetched from anywhere.
"""

import base64
import html as _html  # the standard library module (this file is reports.html)
import re

from .document import Bullets, Heading, Image, Paragraph, Table

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1b1b1b;
       line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #4c72b0; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; margin-top: 1.3em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
th, td { border: 1px solid #d0d0d0; padding: .25em .6em; vertical-align: top; }
th { background: #f0f3f8; text-align: left; }
td.r { text-align: right; font-variant-numeric: tabular-nums; }
tr.unsupported td { background: #fdf1e6; color: #7f3b00; font-style: italic;
                   white-space: normal; }
tr.derived td { color: #555; font-style: italic; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
p.note, p.tnote { color: #555; font-size: .85em; }
p.unsupported { color: #7f3b00; font-style: italic; }
ul.warnings li { color: #8a4b00; }
ul.warnings li::marker { content: "⚠ "; }
ul.bimodal { list-style: none; padding: .5em .9em; margin: .6em 0;
             border: 1px solid #d62728; border-left: 6px solid #d62728;
             background: #fdecea; color: #7f0000; font-weight: 600; }
ul.bimodal li::before { content: "⚠ bimodal: "; }
tr.alert td { background: #fdecea; color: #7f0000; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { color: #444; font-size: .9em; }
"""


def _e(text):
    return _html.escape(str(text), quote=True)


#: A number and its unit ("5.06 µs", "80.4 k req/s", "26 %") are never split across
#: lines; a wide table wraps between a value and its CI instead of overflowing the page.
_NUMBER_UNIT = re.compile(r"(\d) (?=(?:[kM] )?req/s|ns\b|µs\b|ms\b|s\b|%|×)")
_PREFIX_UNIT = re.compile(r"(\d&nbsp;[kM]) (?=req/s)")
#: A confidence interval "[a, b]" stays on one line too.
_INTERVAL = re.compile(r"\[[^\]]*\]")


def _cell(text):
    """Escaped table cell text with non-breaking spaces inside each quantity (and after
    a leading '~', which belongs to the figure it marks)."""
    text = _PREFIX_UNIT.sub(r"\1&nbsp;", _NUMBER_UNIT.sub(r"\1&nbsp;", _e(text)))
    text = _INTERVAL.sub(lambda m: m.group(0).replace(" ", "&nbsp;"), text)
    return "~&nbsp;" + text[2:] if text.startswith("~ ") else text


def _table(t):
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{_e(h)}</th>" for h in t.headers]
    out.append("</tr></thead><tbody>")
    for row in t.rows:
        cls = f' class="{_e(row.css)}"' if row.css else ""
        cells = "".join(
            f'<td class="{t.column_align(i)}">{_cell(c)}</td>' for i, c in enumerate(row.cells))
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    out += [f'<p class="tnote">{_e(n)}</p>' for n in t.notes]
    return "\n".join(out)


def _image(img, out_dir):
    data = (out_dir / img.file).read_bytes()
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    cap = f"<figcaption>{_e(img.caption)}</figcaption>" if img.caption else ""
    return f'<figure><img src="{uri}" alt="{_e(img.alt)}">{cap}</figure>'


def render(doc, out_dir):
    """Return the HTML text of a Document; images are read from out_dir (a Path)."""
    body = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            body.append(f"<h{b.level}>{_e(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            cls = f' class="{_e(b.css)}"' if b.css else ""
            body.append(f"<p{cls}>{_e(b.text)}</p>")
        elif isinstance(b, Bullets):
            cls = f' class="{_e(b.css)}"' if b.css else ""
            body.append(f"<ul{cls}>" + "".join(f"<li>{_e(i)}</li>" for i in b.items)
                        + "</ul>")
        elif isinstance(b, Table):
            body.append(_table(b))
        elif isinstance(b, Image):
            body.append(_image(b, out_dir))
        else:  # pragma: no cover - a new block type must be rendered here
            raise TypeError(f"unknown block {type(b).__name__}")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(doc.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
