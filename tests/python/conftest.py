"""Shared fixtures: where the built fasterbench binary and the repository are."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _binary():
    explicit = os.environ.get("FASTERBENCH_BIN")
    if explicit:
        return pathlib.Path(explicit)
    return REPO / "build" / "harness" / "fasterbench"


@pytest.fixture(scope="session")
def fasterbench():
    """Runs the fasterbench CLI; returns CompletedProcess with text output."""
    binary = _binary()
    if not binary.exists():
        pytest.fail(f"{binary} not built: run ./setup.sh first (or set FASTERBENCH_BIN)")

    def run(*args, timeout=300, cwd=REPO):
        return subprocess.run([str(binary), *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    return run


@pytest.fixture()
def repo():
    return REPO
