"""Results documents written by the real CLI for the tests of tests/python_api, measured once per
session (small loads: these tests check the objects and the plumbing, not the figures)."""

import json
import pathlib
import subprocess

import pytest

from fasterbench import _build_info

REPO = pathlib.Path(_build_info.SOURCE_DIR)
HELLO = "scenarios/hello.toml"


def cli(*args, cwd=REPO, timeout=300):
    """Runs the fasterbench CLI of this build; returns the CompletedProcess (text)."""
    return subprocess.run([_build_info.FASTERBENCH_EXE, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def cli_ok(*args, **kwargs):
    p = cli(*args, **kwargs)
    assert p.returncode == 0, f"fasterbench {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}"
    return p


@pytest.fixture(scope="session")
def run_document(tmp_path_factory):
    """`fasterbench run` on hello, P1, 3 repetitions of 600 requests: (path, parsed dict)."""
    path = tmp_path_factory.mktemp("run") / "run.json"
    cli_ok("run", "--scenario", HELLO, "--phase", "P1", "--requests", 600, "--warmup", 100,
           "--repetitions", 3, "--no-progress", "--out", path)
    return path, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def phases_document(tmp_path_factory):
    """`fasterbench phases` on mixed (several routes), P0 and P1, 2 repetitions of 600 requests,
    with the instrumentation tax's /ends twins: (path, parsed dict)."""
    out = tmp_path_factory.mktemp("phases") / "out"
    cli_ok("phases", "--scenario", "scenarios/mixed.toml", "--phases", "P0,P1", "--repetitions", 2,
           "--requests", 600, "--warmup", 100, "--no-progress", "--no-report", "--out", out)
    path = out / "results.json"
    return path, json.loads(path.read_text(encoding="utf-8"))
