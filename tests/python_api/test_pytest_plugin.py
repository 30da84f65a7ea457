"""The pytest plugin, as a user runs it: pytest in a child process (the embedded interpreter,
`build/fasterbench-python -m pytest -p fasterbench.pytest_plugin`) on small test files written
here. A passing budget, a failing one and its message, save then compare, and the errors."""

import json
import pathlib
import re
import subprocess
import textwrap

import pytest

import fasterbench as fb
from fasterbench import _build_info
from cli_documents import REPO, cli_ok

FASTERBENCH_PYTHON = pathlib.Path(_build_info.FASTERBENCH_EXE).parents[1] / "fasterbench-python"
HELLO = str(REPO / "scenarios" / "hello.toml")


def pytest_in(directory, *arguments, env=None):
    """Runs pytest with the plugin on `directory` (its cwd too); returns the CompletedProcess."""
    command = [str(FASTERBENCH_PYTHON), "-m", "pytest", "-p", "fasterbench.pytest_plugin", "-p", "no:cacheprovider",
               "-W", "ignore::DeprecationWarning", "-rA", *arguments]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, env=env)


def write_test(directory, body):
    path = directory / "test_budget.py"
    path.write_text(textwrap.dedent(body).replace("HELLO", repr(HELLO)))
    return path


def test_a_budget_that_holds_passes_and_the_summary_gives_the_figures(tmp_path):
    write_test(tmp_path, """
        def test_hello(fasterbench):
            result = fasterbench(HELLO, phase="P1", requests=300, warmup=100, repetitions=2)
            assert result.configuration().name == "P1" and result.command == "phases"
            assert [run.repetition for run in result.runs] == [0, 1]
            assert result.stage("total").p50 < 1_000_000  # 1 ms: far above hello's total
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 passed" in p.stdout
    summary = p.stdout.split("fasterbench")[-1]
    assert "test_budget.py::test_hello: P1 total p50 " in p.stdout
    assert "2 repetitions" in summary and "attach_call floor " in summary


def test_a_failing_budget_fails_with_both_figures_units_and_spread(tmp_path):
    write_test(tmp_path, """
        def test_hello(fasterbench):
            result = fasterbench(HELLO, phase="P1", requests=300, warmup=100, repetitions=3)
            assert result.stage("total").p50 < 0.001 * result.floor("attach_call")
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "1 failed" in p.stdout
    out = p.stdout
    assert "budget: P1 total p50 < 0.001 × P1 attach_call floor" in out, out
    lines = [line.lstrip("E ").strip() for line in out.splitlines()]
    total = next(line for line in lines if line.startswith("P1 total p50: "))
    floor = next(line for line in lines if line.startswith("0.001 × P1 attach_call floor: "))
    for line in (total, floor):
        # "<what>: <value> <unit> (3 repetitions <low> to <high>, spread <x> %)", or "(3 repetitions, all <value>)"
        value = line.split(": ", 1)[1]
        assert value.split()[1] in ("ns", "µs", "ms"), line
        assert re.search(r"\(3 repetitions( .+ to .+, spread [0-9.]+ %|, all .+)\)$", value), line
    assert any(line.startswith("ratio: ") and line.endswith("x") for line in lines), out


def test_a_budget_against_a_plain_number_reads_in_units(tmp_path):
    write_test(tmp_path, """
        def test_hello(fasterbench):
            result = fasterbench(HELLO, phase="P0", requests=300, warmup=100, repetitions=2)
            assert result.stage("total").p99 <= 1000
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "budget: P0 total p99 <= 1 µs" in p.stdout and "P0 total p99: " in p.stdout


SAVE_AND_COMPARE = """
    import os

    def test_hello(fasterbench):
        fasterbench(HELLO, phase="P1", requests=300, warmup=100, repetitions=5, pin="shared",
                    inject_delay=os.environ.get("DELAY"))
"""


def test_save_then_compare_passes_the_same_code_and_fails_a_regression(tmp_path):
    import os
    write_test(tmp_path, SAVE_AND_COMPARE)
    store = tmp_path / "store"
    saved = pytest_in(tmp_path, "--fasterbench-save", "base", "--fasterbench-store", store)
    assert saved.returncode == 0, saved.stdout + saved.stderr
    baseline = store / "pytest" / "base" / "test_budget.py_test_hello.json"
    assert f"saved: {baseline}" in saved.stdout
    doc = json.loads(baseline.read_text())
    assert doc["baseline"]["name"] == "test_budget.py_test_hello" and doc["config"]["repetitions"] == 5
    listed = cli_ok("baseline", "list", "--store", store / "pytest" / "base", "--format", "json").stdout
    assert [b["name"] for b in json.loads(listed)] == ["test_budget.py_test_hello"]

    # The same code: the gate may say PASS or (noise) INCONCLUSIVE, never fail the test.
    same = pytest_in(tmp_path, "--fasterbench-compare", "base", "--fasterbench-store", store)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "gate vs base: PASS" in same.stdout or "gate vs base: INCONCLUSIVE" in same.stdout, same.stdout

    # 20 µs more in every handler call: the gate's REGRESSION fails the test, naming the stage.
    slow = pytest_in(tmp_path, "--fasterbench-compare", "base", "--fasterbench-store", store,
                     env={**os.environ, "DELAY": "handler=20000"})
    assert slow.returncode == 1, slow.stdout + slow.stderr
    assert "fasterbench gate against 'base': REGRESSION" in slow.stdout
    assert "P1 handler REGRESSION: slower by +" in slow.stdout
    assert "the two results differ in config.inject_delay" in slow.stdout
    assert "gate vs base: REGRESSION" in slow.stdout

    # Both options: compared first, then saved, even when the comparison fails the test.
    again = pytest_in(tmp_path, "--fasterbench-compare", "base", "--fasterbench-save", "base", "--fasterbench-store",
                      store, env={**os.environ, "DELAY": "handler=20000"})
    assert again.returncode == 1 and "gate vs base: REGRESSION" in again.stdout, again.stdout
    assert json.loads(baseline.read_text())["config"]["inject_delay"]["spec"] == "handler=20000"


def test_compare_without_a_baseline_warns_and_passes(tmp_path):
    write_test(tmp_path, SAVE_AND_COMPARE.replace("repetitions=5", "repetitions=2"))
    p = pytest_in(tmp_path, "--fasterbench-compare", "nothing", "--fasterbench-store", tmp_path / "store")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "FasterbenchWarning: no baseline 'test_budget.py_test_hello'" in p.stdout
    assert "gate vs nothing: no baseline 'test_budget.py_test_hello'" in p.stdout


@pytest.mark.parametrize("arguments, message", [
    (["--fasterbench-gate", "threshold"], "--fasterbench-gate 'threshold': expected KEY=VALUE"),
    (["--fasterbench-gate", "treshold=5%"], "unknown keyword 'treshold'; did you mean 'threshold'?"),
    (["--fasterbench-save", "no/slash"], "--fasterbench-save 'no/slash': a set name is"),
])
def test_bad_plugin_options_are_usage_errors(tmp_path, arguments, message):
    write_test(tmp_path, "def test_nothing():\n    pass\n")
    p = pytest_in(tmp_path, *arguments)
    assert p.returncode == 4, p.stdout + p.stderr
    assert message in p.stderr


def test_two_unnamed_measurements_in_one_test_are_refused(tmp_path):
    write_test(tmp_path, """
        def test_twice(fasterbench):
            fasterbench(HELLO, phase="P0", requests=200, warmup=50, repetitions=1)
            fasterbench(HELLO, phase="P0", requests=200, warmup=50, repetitions=1)
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 1 and "measures twice under the same name: give each measurement" in p.stdout, p.stdout


def test_an_object_with_bench_is_measured_in_guest_mode(tmp_path):
    # What the fixture does with an fb.App: calls its bench() and types what it returns. Here a
    # stand-in whose bench() returns a `run` document; tests/python_api covers the real App.
    write_test(tmp_path, """
        import fasterbench as fb

        class Stand_in:
            def bench(self, **settings):
                return fb.run(HELLO, **settings).to_document()

        def test_app(fasterbench):
            result = fasterbench(Stand_in(), phase="P1", requests=300, warmup=50)
            assert result.stage("total").p50 > 0 and result.command == "run"
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.skipif(not hasattr(fb, "App"), reason="guest mode (fb.App) is not in this build")
def test_an_app_budget_in_guest_mode(tmp_path):
    (tmp_path / "guest_handlers.py").write_text(textwrap.dedent("""
        import fasterbench as fb

        app = fb.App("P1")

        @app.get("/hello")
        def hello(request):
            return b"hello"
    """))
    write_test(tmp_path, """
        from guest_handlers import app

        def test_app(fasterbench):
            result = fasterbench(app, requests=500, warmup=100, repetitions=2)
            assert result.stage("total").p50 < 1_000_000
            assert result.floor("attach_call") > 0
    """)
    p = pytest_in(tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "test_budget.py::test_app: P1 total p50 " in p.stdout
