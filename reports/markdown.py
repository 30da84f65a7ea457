"""Render a document.Document as GitHub-flavoured Markdown (report.md).

Images are referenced by file name, relative to report.md (the PNGs sit beside it).
Table cells are plain text; ``|`` is escaped so a reason or a handler name cannot break
a row.
"""

from .document import Bullets, Heading, Image, Paragraph, Table


def _cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(t):
    lines = ["| " + " | ".join(_cell(h) for h in t.headers) + " |",
             "|" + "|".join(":---" if t.column_align(i) == "l" else "---:"
                            for i in range(len(t.headers))) + "|"]
    for row in t.rows:
        lines.append("| " + " | ".join(_cell(c) for c in row.cells) + " |")
    out = "\n".join(lines) + "\n"
    for note in t.notes:
        out += f"\n_{note}_\n"
    return out


def render(doc):
    """Return the Markdown text of a Document."""
    parts = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            parts.append("#" * b.level + " " + b.text + "\n")
        elif isinstance(b, Paragraph):
            parts.append((f"_{b.text}_" if b.css == "note" else b.text) + "\n")
        elif isinstance(b, Bullets):
            prefix = {"warnings": "- **warning:** ",
                      "bimodal": "- **⚠ bimodal:** "}.get(b.css, "- ")
            parts.append("\n".join(prefix + item for item in b.items) + "\n")
        elif isinstance(b, Table):
            parts.append(_table(b))
        elif isinstance(b, Image):
            text = f"![{b.alt}]({b.file})"
            if b.caption:
                text += f"\n\n_{b.caption}_"
            parts.append(text + "\n")
        else:  # pragma: no cover - a new block type must be rendered here
            raise TypeError(f"unknown block {type(b).__name__}")
    return "\n".join(parts)
