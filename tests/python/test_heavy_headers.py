"""Build time: the heavy third-party headers stay in the few files that need them.

Each of these headers costs a translation unit from 1 to 10 s on the 2-vCPU machine the
project is built on; included from a header, it is paid by every file that includes that
header (docs/build.md). A new use goes into a .cpp file and into the list below.
"""

import re

from conftest import REPO

# Header (as in `#include <...>`, by prefix) -> the files allowed to include it.
ALLOWED = {
    "CLI/": {"harness/cli/cli.cpp"},
    "toml++/": {"harness/scenario/scenario.cpp"},
    "boost/": {"framework/http/request_parser.cpp", "harness/micro/queue_benchmarks.cpp"},
    "simdjson": {"framework/python/json_decoder.cpp"},
    "benchmark/benchmark.h": {"harness/micro/" + name for name in (
        "main.cpp", "python_floors.cpp", "handoff_floors.cpp", "future_benchmarks.cpp",
        "queue_benchmarks.cpp", "marshal_benchmarks.cpp", "http_parser_benchmarks.cpp")},
}
SOURCE_DIRS = ("framework", "harness", "probes", "tests/cpp")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)


def includes_by_file():
    for top in SOURCE_DIRS:
        for path in sorted((REPO / top).rglob("*")):
            if path.suffix in (".h", ".hpp", ".cpp", ".cc"):
                yield path.relative_to(REPO).as_posix(), INCLUDE.findall(path.read_text(encoding="utf-8"))


def test_heavy_headers_only_in_their_files():
    misplaced = []
    for name, includes in includes_by_file():
        for header in includes:
            for prefix, allowed in ALLOWED.items():
                if header.startswith(prefix) and name not in allowed:
                    misplaced.append(f"{name}: #include <{header}>")
    assert not misplaced, "heavy headers outside their files (see docs/build.md):\n" + "\n".join(misplaced)


def test_every_allowed_file_exists():
    # A file moved or renamed must be renamed here too, or the list allows nothing.
    missing = [name for allowed in ALLOWED.values() for name in allowed if not (REPO / name).is_file()]
    assert not missing, f"files in ALLOWED that do not exist: {missing}"
