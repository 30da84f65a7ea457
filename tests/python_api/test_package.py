"""The fasterbench package as a Python process imports it from the build tree: its version, the
optimization switches it resolves, and C++ configuration errors arriving as ConfigError."""

import subprocess

import pytest

import fasterbench as fb
from fasterbench import _build_info


def test_version_is_the_clis():
    cli = subprocess.run([_build_info.FASTERBENCH_EXE, "--version"], capture_output=True, text=True, check=True)
    assert fb.__version__ == _build_info.VERSION
    assert fb.__version__ in cli.stdout


def test_phases_resolve_to_cumulative_switches():
    assert fb.optimizations("P0") == []
    assert fb.optimizations("P1") == ["direct"]
    assert fb.optimizations("P4") == ["direct", "lockfree", "subinterp", "inline-future"]
    assert fb.optimizations("P5") == fb.optimizations("P4") + ["fast-marshal"]
    assert fb.optimizations("lockfree, direct") == ["direct", "lockfree"]


@pytest.mark.parametrize("spec, message", [
    ("P9", "unknown phase 'P9' (accepted: P0, P1, P2, P3, P4, P5)"),
    ("direct,turbo", "unknown optimization 'turbo' (accepted: direct, lockfree, subinterp, inline-future, fast-marshal)"),
])
def test_a_bad_spec_is_a_config_error_with_the_harness_message(spec, message):
    with pytest.raises(fb.ConfigError) as caught:
        fb.optimizations(spec)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_the_unoptimized_phase_is_always_available():
    assert fb.unavailable_reason("P0") == ""
