"""The stage vocabulary has one source: the X-macro tables of probes/stage_ids.h. The reports'
Python list must name the same stages in the same order (the tests import it too)."""

import re

from reports.model import FRONT_END_STAGES, LOAD_STAGES, PART_STAGES, PIPELINE_STAGES, STAGES


def header_tables(repo):
    text = (repo / "probes" / "stage_ids.h").read_text()

    def table(macro):
        body = re.search(rf"#define {macro}\(X\)(.*?)\n\n", text, re.S).group(1)
        return re.findall(r"X\((\w+), (\w+), (\w+)", body)

    return table("FB_POINTS"), table("FB_STAGES")


def test_python_stage_list_is_the_header_table(repo):
    _, stages = header_tables(repo)
    assert tuple(name for _, name, _ in stages) == STAGES
    assert PIPELINE_STAGES[-1] == "total" and PART_STAGES == PIPELINE_STAGES[:-1]
    assert [kind for _, name, kind in stages if name == "other"] == ["RESIDUAL"]
    # The front end's stages follow total; nothing else is of their kind.
    assert tuple(name for _, name, kind in stages if kind == "FRONT_END") == FRONT_END_STAGES
    # The load generator's (queue) come last.
    assert tuple(name for _, name, kind in stages if kind == "LOAD") == LOAD_STAGES == ("queue",)
    assert STAGES == PIPELINE_STAGES + FRONT_END_STAGES + LOAD_STAGES


def test_points_and_stages_are_spelled_alike(repo):
    points, stages = header_tables(repo)
    for table in (points, stages):
        for ident, name, _ in table:
            assert ident.lower() == name, (ident, name)
    assert len({name for _, name, _ in points}) == len(points)
