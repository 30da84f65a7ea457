"""The USDT stage points: every point of the point table (probes/stage_ids.h FB_POINTS) is a
`fasterbench` probe in the built binary's `.note.stapsdt`, with a semaphore (so an unattached
probe is skipped)."""

import re
import shutil
import subprocess

import pytest

from conftest import _binary


def point_names(repo):
    """The point names of FB_POINTS in probes/stage_ids.h (the source of truth)."""
    text = (repo / "probes" / "stage_ids.h").read_text()
    block = re.search(r"#define FB_POINTS\(X\)(.*?)\n\n", text, re.S).group(1)
    return re.findall(r"X\(\w+, (\w+),", block)


def stapsdt_notes(binary):
    """[(provider, name, semaphore address)] parsed from `readelf -n`."""
    out = subprocess.run(["readelf", "-n", "--wide", str(binary)], capture_output=True, text=True,
                         check=True).stdout
    notes = []
    for block in out.split("NT_STAPSDT")[1:]:
        provider = re.search(r"Provider:\s*(\S+)", block).group(1)
        name = re.search(r"Name:\s*(\S+)", block).group(1)
        semaphore = int(re.search(r"Semaphore:\s*(0x[0-9a-f]+)", block).group(1), 16)
        notes.append((provider, name, semaphore))
    return notes


def test_every_stage_point_is_a_usdt_probe_with_semaphore(repo):
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    binary = _binary()
    if not binary.exists():
        pytest.fail(f"{binary} not built")
    points = point_names(repo)
    assert len(points) == 14, points
    notes = [n for n in stapsdt_notes(binary) if n[0] == "fasterbench"]
    names = {name for _, name, _ in notes}
    missing = [p for p in points if p not in names]
    assert not missing, f"stage points without a USDT probe: {missing}"
    assert names == set(points), f"probes that are not stage points: {names - set(points)}"
    for _, name, semaphore in notes:
        assert semaphore != 0, f"probe {name} has no semaphore"
