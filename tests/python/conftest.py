"""Shared fixtures: where the built fasterbench binary and the repository are."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # tests import the reports package (e.g. reports.model.STAGES)


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

    def run(*args, timeout=300, cwd=REPO, env=None):
        return subprocess.run([str(binary), *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)

    return run


@pytest.fixture()
def repo():
    return REPO


# The gate's statistical validation (test_gate_validation.py) takes minutes of measurements:
# it runs only with FASTERBENCH_GATE_VALIDATION=1, e.g.
#     FASTERBENCH_GATE_VALIDATION=1 ctest --test-dir build -L gate-validation --output-on-failure
# (or FASTERBENCH_GATE_VALIDATION=1 /usr/bin/python3 -m pytest -q -m gate_validation tests/python).
def pytest_configure(config):
    config.addinivalue_line("markers", "gate_validation: slow statistical validation of `fasterbench gate` "
                                       "(runs with FASTERBENCH_GATE_VALIDATION=1)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("FASTERBENCH_GATE_VALIDATION") == "1":
        return
    skip = pytest.mark.skip(reason="gate validation is slow: set FASTERBENCH_GATE_VALIDATION=1 "
                                   "(FASTERBENCH_GATE_VALIDATION=1 ctest -L gate-validation)")
    for item in items:
        if "gate_validation" in item.keywords:
            item.add_marker(skip)
