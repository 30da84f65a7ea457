"""The repository explains itself: nothing in it points outside it, and the docs' links resolve.

A clone of the repository is all a reader has. So no tracked file may cite a document that lives
elsewhere (the design notes or the seed plan this project started from: their content is in
docs/ now), and every relative link in README.md, HACKING.md and docs/*.md must name a file of
the repository and, with a #fragment, a heading of that file; every repository path the docs
name in a code span (`framework/...`, `harness/...`) must exist, so a rename shows up here.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

# Written in two pieces so that this file does not match itself.
OUTSIDE_REFERENCES = ("../" + "shared", "DESIGN" + ".md", "seed/" + "optimization-plan")

# Directories that are outputs, not sources, when the tree is walked without git.
UNTRACKED_DIRS = {".git", "build", "results", ".fasterbench", "__pycache__", ".pytest_cache"}


def tracked_files():
    """Paths (relative to the repository) of every file git tracks, or of every source file
    when this is not a git checkout (an exported tarball)."""
    try:
        out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True,
                             check=True).stdout
        return [pathlib.Path(p.decode()) for p in out.split(b"\0") if p]
    except (OSError, subprocess.CalledProcessError):
        return [p.relative_to(REPO) for p in REPO.rglob("*")
                if p.is_file() and not UNTRACKED_DIRS.intersection(p.relative_to(REPO).parts)]


def text_lines(path):
    """The file's lines, or None for a binary file (an image)."""
    try:
        return (REPO / path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def outside_references(paths):
    """"file:line: ..." for every line of `paths` (relative to REPO) citing an outside document."""
    hits = []
    for path in paths:
        lines = text_lines(path)
        if lines is None:
            continue
        for number, line in enumerate(lines, start=1):
            for needle in OUTSIDE_REFERENCES:
                if needle in line:
                    hits.append(f"{path}:{number}: cites {needle!r}: {line.strip()}")
    return hits


def doc_files():
    docs = sorted((REPO / "docs").glob("*.md"))
    return [REPO / "README.md", REPO / "HACKING.md"] + docs


def test_no_file_points_outside_the_repository():
    hits = outside_references(tracked_files())
    assert not hits, ("files that point outside the repository (say it in docs/ and point "
                      "there instead):\n" + "\n".join(hits))


# -- Markdown links ---------------------------------------------------------------------------

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`+[^`]*`+")
# [text](target) and ![alt](target); the target ends at whitespace or ')'.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks, code spans removed."""
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, CODE_SPAN.sub("", line)


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped (letters, digits,
    '_', '-' and spaces kept), spaces turned into hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    """Every heading anchor of a Markdown file; repeated headings get -1, -2, ... as on GitHub."""
    seen = {}
    out = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        m = None if in_fence else HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def link_problems(path):
    problems = []
    for number, line in prose_lines(path):
        for target in LINK.findall(line):
            where = f"{path.relative_to(REPO)}:{number}: ({target})"
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto: ... (outside by design, not a file)
            file_part, _, fragment = target.partition("#")
            if file_part.startswith("/"):
                problems.append(f"{where}: an absolute path points outside the repository")
                continue
            resolved = (path.parent / file_part).resolve() if file_part else path
            if resolved != REPO and REPO not in resolved.parents:
                problems.append(f"{where}: points outside the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where}: no such file {resolved.relative_to(REPO)}")
                continue
            if fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
                problems.append(f"{where}: {resolved.relative_to(REPO)} has no heading "
                                f"with anchor #{fragment}")
    return problems


def test_docs_exist():
    for path in doc_files()[:2]:
        assert path.is_file(), f"{path.relative_to(REPO)} is missing"
    assert len(doc_files()) > 2, "docs/ has no Markdown files"


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(path):
    problems = link_problems(path)
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_every_doc_is_linked_from_the_readme():
    linked = set()
    readme = REPO / "README.md"
    for _, line in prose_lines(readme):
        for target in LINK.findall(line):
            file_part = target.partition("#")[0]
            if file_part and not re.match(r"^[a-z][a-z0-9+.-]*:", file_part):
                linked.add((readme.parent / file_part).resolve())
    missing = [str(p.relative_to(REPO)) for p in doc_files()[1:] if p.resolve() not in linked]
    assert not missing, "not linked from README.md: " + ", ".join(missing)


# Repository paths named in code spans: `framework/python/python_caller.h`, `harness/stats/`, a
# glob such as `tests/fixtures/results_*.json`.
REPO_PATH = re.compile(r"(?<![\w/.-])(?:framework|probes|harness|reports|scenarios|tests|cmake|docs)/[\w./*-]*")


def missing_paths(path):
    """"file:line: path" for each repository path in a code span of `path` that names nothing."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for span in re.findall(r"`([^`]+)`", line):
            for name in REPO_PATH.findall(span):
                name = name.rstrip(".")
                if not any(REPO.glob(name)) and not (REPO / name).exists():
                    problems.append(f"{path.relative_to(REPO)}:{number}: {name}")
    return problems


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_named_files_exist(path):
    problems = missing_paths(path)
    assert not problems, "files named in the docs that do not exist (renamed?):\n" + \
        "\n".join(problems)


# -- The checker itself -----------------------------------------------------------------------

def test_slug_follows_github():
    assert slug("`fasterbench serve` — the pipeline over HTTP") == \
        "fasterbench-serve--the-pipeline-over-http"
    assert slug("The HTTP front end (`framework/http/`): how it is built") == \
        "the-http-front-end-frameworkhttp-how-it-is-built"
    assert slug("5. fast-marshal") == "5-fast-marshal"


def test_reference_checker_names_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "x.h").write_text("// fine\n// see " + "DESIGN" + ".md, stages\n", encoding="utf-8")
    (tmp_path / "y.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    hits = outside_references([pathlib.Path("x.h"), pathlib.Path("y.png")])
    assert len(hits) == 1 and hits[0].startswith("x.h:2: cites"), hits


def test_link_checker_finds_broken_links(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "a.md").write_text("# Title\n\n## Part one\n", encoding="utf-8")
    doc = tmp_path / "b.md"
    doc.write_text("[ok](a.md#part-one) [self](#b) `[code](nowhere.md)`\n\n# B\n"
                   "[gone](missing.md) [anchor](a.md#part-two) [out](../x.md) [abs](/etc/passwd)\n"
                   "```\n[fenced](nowhere.md)\n```\n[web](https://example.org/x)\n",
                   encoding="utf-8")
    problems = link_problems(doc)
    assert len(problems) == 4, problems
    assert any("no such file missing.md" in p for p in problems)
    assert any("no heading with anchor #part-two" in p for p in problems)
    assert any("(../x.md): points outside" in p for p in problems)
    assert any("(/etc/passwd): an absolute path" in p for p in problems)


def test_path_checker_finds_a_renamed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "framework" / "python").mkdir(parents=True)
    (tmp_path / "framework" / "python" / "python_caller.h").write_text("", encoding="utf-8")
    doc = tmp_path / "a.md"
    doc.write_text("`framework/python/python_caller.h`, `framework/python/`, `build/harness/x`\n"
                   "see `framework/python/python_thread.h`, `framework/python/*.h`.\n",
                   encoding="utf-8")
    assert missing_paths(doc) == ["a.md:2: framework/python/python_thread.h"]


# -- The README's Python example runs as written ---------------------------------------------

def readme_python_example():
    """The ```python block of README.md's "From Python" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, flags=re.M | re.S)
    assert len(blocks) == 1, "README.md's From Python section should hold one ```python block"
    return blocks[0]


def test_the_readme_python_example_runs_as_written():
    binary = pathlib.Path(os.environ.get("FASTERBENCH_BIN") or REPO / "build" / "harness" / "fasterbench")
    build = binary.parents[1]
    interpreter = build / "fasterbench-python"
    if "FASTERBENCH_PYTHON_MODULE:BOOL=OFF" in (build / "CMakeCache.txt").read_text(encoding="utf-8"):
        pytest.skip("this build has no Python package (FASTERBENCH_PYTHON_MODULE=OFF)")
    assert interpreter.exists(), f"{interpreter} not built: run ./setup.sh python -c pass"
    # From the repository's root, as the README says.
    p = subprocess.run([str(interpreter), "-c", readme_python_example()], cwd=REPO, capture_output=True,
                       text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout + p.stderr
    total_p50, total_p99, floor = p.stdout.strip().splitlines()
    # Each figure with its unit, what it is and its spread: "281 ns (P1 total p50; 3 repetitions, ...)".
    for line, what in [(total_p50, "P1 total p50"), (total_p99, "P1 total p99"), (floor, "P1 attach_call floor")]:
        assert line.split()[1] in ("ns", "µs", "ms") and f"({what}; 3 repetitions" in line, line
