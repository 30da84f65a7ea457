"""fasterbench.results: documents written by the real CLI as typed objects, their accessors, the
errors for files that are not results, and a byte-identical round trip."""

import json

import pytest

import fasterbench as fb
from fasterbench.results import FLOORS, Nanoseconds, Results, ResultsError, format_ns
from cli_documents import phases_document, run_document  # noqa: F401 (fixtures)


def median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def test_a_run_document_reads_as_typed_objects(run_document):
    path, doc = run_document
    results = Results.load(path)
    assert results.schema_version == 1 and results.command == "run"
    assert results.scenario_name == "hello" and results.scenario_file == "scenarios/hello.toml"
    assert results.config["requests"] == 600 and results.config["repetitions"] == 3
    assert [r.handler for r in results.routes] == ["handlers.basic:hello"]
    assert results.routes[0].kind == doc["routes"][0]["kind"]
    assert [(r.config, r.repetition) for r in results.runs] == [("P1", 0), ("P1", 1), ("P1", 2)]
    assert all(r.requests == 600 and r.measured for r in results.runs)
    assert [a.config for a in results.aggregates] == ["P1"]
    assert results.context.python_version == doc["context"]["python"]["version"]
    assert results.context.date == doc["context"]["date"]


def test_stage_is_the_aggregate_median_with_its_spread(run_document):
    path, doc = run_document
    results = Results.load(path)
    total = results.stage("total")
    estimate = doc["aggregates"][0]["stages"]["total"]["p50_ns"]
    assert total.p50 == estimate["median"]
    assert (total.p50.low, total.p50.high, total.p50.n) == (estimate["min"], estimate["max"], 3)
    assert total.p99 == doc["aggregates"][0]["stages"]["total"]["p99_ns"]["median"]
    assert total.p50_estimate.ci_low <= total.p50 <= total.p50_estimate.ci_high
    assert total.count == 600
    # Each run's own distribution, from its histogram.
    run = results.runs[1]
    assert run.stage("total").p50_ns == doc["runs"][1]["stages"]["total"]["p50_ns"]
    assert run.stage("total").count == 600
    assert run.stage("total").percentiles[0][0] < run.stage("total").percentiles[-1][0]
    assert sum(count for _, count in run.stage("total").histogram) == 600


def test_floor_is_the_median_call_floor_over_the_runs(run_document):
    path, doc = run_document
    floors = [run["call_floor_ns"] for run in doc["runs"]]
    floor = Results.load(path).floor("attach_call")
    assert isinstance(floor, Nanoseconds)
    assert floor == median(floors) and (floor.low, floor.high, floor.n) == (min(floors), max(floors), 3)
    assert set(FLOORS) == {"attach_call"}
    with pytest.raises(KeyError, match="no floor 'dispatch' .*attach_call"):
        Results.load(path).floor("dispatch")


def test_unknown_stage_and_configuration_name_what_there_is(run_document):
    results = Results.load(run_document[0])
    with pytest.raises(KeyError, match="configuration P1 has no stage 'totl' .*dispatch, future, gil"):
        results.stage("totl")
    with pytest.raises(KeyError, match="has no configuration 'P2' .*it has: P1"):
        results.configuration("P2")


def test_a_phases_document_needs_a_configuration_name(phases_document):
    path, doc = phases_document
    results = fb.load_results(path)
    assert results.command == "phases"
    assert list(results.configurations) == [a["config"] for a in doc["aggregates"]]
    assert {"P0", "P1", "P0/ends", "P1/ends"} <= set(results.configurations)
    with pytest.raises(KeyError, match=r"2 configurations \(P0, P1\): name one"):
        results.stage("total")
    p1 = results.configuration("P1")
    assert p1.repetitions == 2 and [r.repetition for r in p1.runs] == [0, 1]
    assert p1.stage("dispatch").p50 == doc["aggregates"][[a["config"] for a in doc["aggregates"]].index("P1")][
        "stages"]["dispatch"]["p50_ns"]["median"]
    assert results.stage("handler", config="P0").p50.what == "P0 handler p50"
    assert len(results.routes) > 1


@pytest.mark.parametrize("which", ["run_document", "phases_document"])
def test_save_writes_the_document_back_byte_for_byte(which, request, tmp_path):
    path, doc = request.getfixturevalue(which)
    results = Results.load(path)
    assert results.to_document() == doc
    copy = tmp_path / "copy.json"
    results.save(copy)
    assert copy.read_bytes() == path.read_bytes()
    assert Results.load(copy) == results
    # From a dict there is no text to keep: the JSON written parses to the same document.
    rebuilt = tmp_path / "rebuilt.json"
    Results.from_document(json.loads(path.read_text())).save(rebuilt)
    assert json.loads(rebuilt.read_text()) == doc and rebuilt.read_text().endswith("}\n")
    assert Results.load(rebuilt) == results


def test_to_document_is_a_copy(run_document):
    results = Results.load(run_document[0])
    doc = results.to_document()
    doc["runs"].clear()
    assert len(results.runs) == 3


def test_repr_gives_the_figures_with_units(run_document):
    results = Results.load(run_document[0])
    text = repr(results)
    assert text.startswith("<Results run hello (") and "P1 total p50 " in text and "×3" in text
    assert "repetitions" in repr(results.stage("total").p50)
    assert " ns" in repr(results.runs[0]) or " µs" in repr(results.runs[0])


def test_nanoseconds_keep_their_description_through_arithmetic():
    floor = Nanoseconds(800.0, "P1 attach_call floor", 700.0, 900.0, 5)
    doubled = 2 * floor
    assert doubled == 1600 and doubled.what == "2 × P1 attach_call floor"
    assert (doubled.low, doubled.high, doubled.n) == (1400, 1800, 5)
    assert repr(doubled) == "1.6 µs (2 × P1 attach_call floor; 5 repetitions 1.4 µs to 1.8 µs, spread 25.0 %)"
    assert (floor / 2).what == "P1 attach_call floor / 2"
    total = Nanoseconds(1000.0, "P1 total p50", 950.0, 1100.0, 5)
    assert (total - floor) == 200 and (total - floor).low == 50 and (total - floor).high == 400
    assert total / floor == 1.25 and type(total / floor) is float
    assert repr(Nanoseconds(281.0, "x", n=1)) == "281 ns (x; 1 repetition, no spread)"


@pytest.mark.parametrize("ns, text", [(850, "850 ns"), (66.44, "66.4 ns"), (0, "0.0 ns"), (12_345, "12.3 µs"), (1_250_000, "1.25 ms"),
                                      (2_040_000_000, "2.04 s"), (123_456, "123 µs")])
def test_format_ns(ns, text):
    assert format_ns(ns) == text


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(ResultsError, match=r"nothing\.json: cannot read: No such file"):
        Results.load(tmp_path / "nothing.json")


def test_a_file_that_is_not_json_names_it_and_where(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1,\n  "runs": [\n')
    with pytest.raises(ResultsError, match=r"bad\.json: not JSON: .* at line 3"):
        Results.load(bad)


def test_other_documents_and_other_schemas_are_refused_naming_the_file(run_document, tmp_path):
    _, doc = run_document
    cases = {
        "comparison.json": ({"kind": "fasterbench-comparison", "configs": []},
                            "not a results document .*'fasterbench-comparison'"),
        "newer.json": ({**doc, "schema_version": 2}, "written by a newer fasterbench .*schema_version 2"),
        "noruns.json": ({k: v for k, v in doc.items() if k != "runs"}, "missing key 'runs'"),
        "list.json": ([1, 2], r"not a results document \(a JSON list, not an object\)"),
        "noconfig.json": ({**doc, "runs": [{"repetition": 0, "stages": {}}]}, r"missing key 'runs\[0\]\.config'"),
    }
    for name, (document, message) in cases.items():
        path = tmp_path / name
        path.write_text(json.dumps(document))
        with pytest.raises(ResultsError, match=f"{name}: {message}"):
            Results.load(path)
    with pytest.raises(ResultsError, match="^the document: missing key 'runs'"):
        Results.from_document(cases["noruns.json"][0])
    assert issubclass(ResultsError, fb.ConfigError)
