"""Build time: optimization by role (docs/build.md, "Optimization by role").

The code that runs while requests are timed, or that times them, is compiled as the build type
says (-O2 -g in the default RelWithDebInfo build), one file at a time: the framework, HTTP,
probe and eBPF libraries, and the harness directories below. The rest of the harness (command
lines, console tables, JSON, statistics over finished runs, comparisons, reports) compiles at
-Og, one translation unit per directory (a unity build). The compile commands of the build say
how each file was compiled; this test checks them against the rule, so a file moved between
directories, or a change to the list in harness/CMakeLists.txt, cannot go unnoticed.
"""

import json
import os
import pathlib
import re
import shlex

import pytest

from conftest import REPO

# The harness directories on the measured path: the load generator, the measurement loop and
# the stamp-cost and call-floor calibrations, the probe sessions and probe-cost calibration,
# thread placement. The same list as fasterbench_optimize_by_role() in harness/CMakeLists.txt.
MEASURED_PATH = ("load", "measure", "placement", "probes")
# Libraries whose every file is on the measured path.
MEASURED_LIBRARIES = ("framework/", "probes/")
OFF_PATH_LEVEL = "-Og"
UNITY_INCLUDE = re.compile(r'^#include "([^"]+)"', re.MULTILINE)
OPT_FLAG = re.compile(r"^-O[0-3sg]?$|^-Ofast$")


def _build_dir():
    binary = os.environ.get("FASTERBENCH_BIN")
    return pathlib.Path(binary).resolve().parents[1] if binary else REPO / "build"


def _levels():
    """{source relative to the repository: (its last -O flag, compiled in a unity source)}, for
    the measured libraries and the harness library (not the test programs, fasterbench-micro or
    main.cpp). A unity source stands for the files it includes."""
    path = _build_dir() / "compile_commands.json"
    if not path.is_file():
        pytest.skip(f"{path} not found: configure the build first (./setup.sh build)")
    levels = {}
    repo = REPO.resolve()
    for entry in json.loads(path.read_text(encoding="utf-8")):
        source = pathlib.Path(entry["file"]).resolve()
        args = entry.get("arguments") or shlex.split(entry["command"])
        flags = [a for a in args if OPT_FLAG.match(a)]
        level = flags[-1] if flags else "-O0"
        if "/fasterbench_harness.dir/Unity/" in source.as_posix():
            included = UNITY_INCLUDE.findall(source.read_text(encoding="utf-8"))
            names = [pathlib.Path(name).resolve().relative_to(repo).as_posix() for name in included]
            levels.update({name: (level, True) for name in names})
            continue
        try:
            name = source.relative_to(repo).as_posix()
        except ValueError:
            continue  # generated files
        in_harness_library = "/fasterbench_harness.dir/" in " ".join(args)
        if name.startswith(MEASURED_LIBRARIES) or (name.startswith("harness/") and in_harness_library):
            levels[name] = (level, False)
    return levels


def test_measured_path_keeps_the_build_type_level_and_the_rest_is_og_by_directory():
    levels = _levels()
    library = {name: level for name, (level, _) in levels.items() if name.startswith(MEASURED_LIBRARIES)}
    assert library, "no framework or probes sources in compile_commands.json"
    build_levels = set(library.values())
    assert len(build_levels) == 1, f"the measured libraries are compiled at several levels: {build_levels}"
    build_level = build_levels.pop()
    if build_level not in ("-O2", "-O3"):
        pytest.skip(f"not an optimized build type ({build_level}): every file keeps it")

    harness = {name: how for name, how in levels.items() if name.startswith("harness/")}
    assert harness, "no harness library sources in compile_commands.json"
    listed = set(re.findall(r"^\s+(\S+\.cpp)$", (REPO / "harness" / "CMakeLists.txt").read_text(encoding="utf-8"),
                            re.MULTILINE))
    missing = sorted(f"harness/{name}" for name in listed if f"harness/{name}" not in harness)
    assert not missing, f"harness sources missing from the compile commands: {missing}"
    wrong = []
    for name, (level, unity) in sorted(harness.items()):
        measured = name.split("/")[1] in MEASURED_PATH
        expected = build_level if measured else OFF_PATH_LEVEL
        if level != expected:
            wrong.append(f"{name}: {level}, expected {expected}")
        if measured and unity:
            wrong.append(f"{name}: on the measured path but compiled in a unity source")
    assert not wrong, "harness files compiled off the rule (docs/build.md):\n" + "\n".join(wrong)
    assert any(name.split("/")[1] in MEASURED_PATH for name in harness), \
        "no harness source on the measured path: has the layout changed?"


def test_every_measured_path_directory_exists():
    missing = [d for d in MEASURED_PATH if not (REPO / "harness" / d).is_dir()]
    assert not missing, f"MEASURED_PATH names directories that do not exist: {missing}"


def test_the_cmake_rule_names_the_same_directories():
    text = (REPO / "harness" / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"fasterbench_optimize_by_role\(fasterbench_harness MEASURED_PATH ([^)]*)\)", text)
    assert match, "harness/CMakeLists.txt no longer calls fasterbench_optimize_by_role"
    assert tuple(sorted(match.group(1).split())) == tuple(sorted(MEASURED_PATH))
