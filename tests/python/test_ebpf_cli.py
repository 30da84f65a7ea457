"""`fasterbench run --probes inproc|ebpf|both`: the results contract of the eBPF backend, and
the fallback without privileges. Registered in ctest with label `bpf` too (tests/CMakeLists.txt).
Tests that need the backend skip, with the reason, when this process cannot use it."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import _binary

from reports.model import PIPELINE_STAGES as STAGES  # the eBPF programs see the pipeline's stages

SMALL = ["--requests", "4000", "--warmup", "400", "--no-progress"]
NO_BPF_CAPS = "cap_bpf,cap_perfmon,cap_sys_admin"


def ebpf_skip_reason():
    """Why the eBPF backend cannot run for a child of this process, or None."""
    if os.geteuid() != 0:
        # Capabilities of a non-root user are not inherited by the fasterbench child.
        return "not root: the eBPF backend needs CAP_BPF and CAP_PERFMON"
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        return "the kernel has no BTF"
    return None


needs_ebpf = pytest.mark.skipif(ebpf_skip_reason() is not None, reason=str(ebpf_skip_reason()))


def ebpf_compiled_in(fasterbench, tmp_path):
    out = tmp_path / "probe.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--requests", "10", "--warmup", "0",
                    "--no-progress", "--out", out)
    assert p.returncode == 0, p.stderr
    return json.loads(out.read_text())["context"]["ebpf"]["compiled_in"]


@needs_ebpf
def test_both_on_mixed_carries_histograms_offcpu_and_cross_validation(fasterbench, tmp_path):
    if not ebpf_compiled_in(fasterbench, tmp_path):
        pytest.skip("this build has no eBPF backend")
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", *SMALL, "--probe-sample", "20",
                    "--probes", "both", "--out", out)
    assert p.returncode == 0, p.stderr
    assert "eBPF probes" in p.stdout and "cross-validation" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["config"]["probes"] == "both" and doc["config"]["probe_sample"] == 20
    assert doc["context"]["ebpf"]["available"] is True
    assert doc["context"]["ebpf"]["calibration"]["hit_ns"] > 0
    run = doc["runs"][0]
    probes = run["probes"]
    assert probes["backend"] == "both"
    assert probes["sampled_requests"] == 4000 // 20
    # Sampled requests carry the probes' cost: they are kept out of runs[].stages.
    assert run["stages"]["total"]["count"] == 4000 - 200
    assert probes["sampled_stages"]["total"]["count"] == 200
    ebpf = probes["ebpf"]
    assert ebpf["requests"] == 200 and ebpf["records"] == 200 and ebpf["ring_drops"] == 0
    assert ebpf["usdt_hits"] == 200 * 14
    assert ebpf["primes"] == 200 * 14  # each point's probe fires once more as a prime
    assert ebpf["hit_cost_ns"] > 0 and ebpf["prime_cost_ns"] > 0 and ebpf["point_cost_ns"] > 0
    assert set(ebpf["point_skew"]) == set(POINTS_ON_EVERY_PATH) | set(EXECUTOR_POINTS)
    assert all(skew["count"] == 200 for skew in ebpf["point_skew"].values())
    assert probes["overhead_ns_per_request"] > 0
    for name in STAGES:
        stage = ebpf["stages"][name]
        for key in ["count", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "histogram"]:
            assert key in stage, (name, key)
        assert stage["count"] == 200
        assert sum(c for _, c in stage["histogram"]["buckets"]) == 200
        split = ebpf["offcpu"][name]
        # The on-CPU part of a span is what is left of it once the off-CPU intervals are taken
        # out: within the span, and together all of it. A request's stages never run on more
        # CPUs than the machine has, so over the sampled requests the on-CPU time is within
        # the run's wall time on every CPU.
        assert split["on_cpu_total_ns"] <= run["duration_s"] * 1e9 * os.cpu_count(), (name, split)
        if name in ("handler", "marshal", "total"):  # never negative spans, on one thread
            spans_ns = stage["mean_ns"] * stage["count"]
            assert split["on_cpu_total_ns"] <= spans_ns + 1, (name, split, stage["mean_ns"])
            assert split["on_cpu_total_ns"] + split["off_cpu_total_ns"] >= spans_ns - 1, (name, split, stage["mean_ns"])
            assert split["on_cpu_ns"] > 0, (name, split)  # each runs Python or C++ code on a CPU
    assert ebpf["wakeup"]["worker"]["count"] > 0
    table = probes["cross_validation"]
    assert set(table) == set(STAGES)
    for name, row in table.items():
        assert {"inproc_p50_ns", "ebpf_p50_ns", "agree"} <= set(row), name
        # The verdict follows from the figures beside it: the p50s less the probes' cost, within
        # 10 % of the in-process one or 200 ns, whichever is larger.
        assert row["inproc_p50_ns"] == pytest.approx(row["inproc_p50_raw_ns"] - row["probe_ns"]), name
        assert row["ebpf_p50_ns"] == pytest.approx(row["ebpf_p50_raw_ns"] - row["probe_ns"]), name
        assert row["tolerance_ns"] == pytest.approx(max(0.10 * abs(row["inproc_p50_ns"]), 200.0)), name
        assert row["agree"] is (abs(row["ebpf_p50_ns"] - row["inproc_p50_ns"]) <= row["tolerance_ns"]), (name, row)
        assert row["matched"] == 200
    assert table["total"]["checked"] and table["dispatch"]["checked"]


# Points every request stamps; the executor path adds enqueue, dequeue and the four future
# points, the direct path (optimization #1) skips them.
POINTS_ON_EVERY_PATH = ["arrive", "route_matched", "gil_request", "gil_acquired", "handler_call",
                        "handler_return", "marshal_done", "response_ready"]
EXECUTOR_POINTS = ["future_create", "future_created", "enqueue", "dequeue", "future_set", "future_observed"]


@needs_ebpf
@pytest.mark.parametrize("opts", [["--opt", "direct"], ["--opt", "lockfree,inline-future", "--wait", "park"]],
                         ids=["direct", "lockfree-inline-future"])
def test_every_path_fires_a_probe_at_each_point_it_stamps(fasterbench, tmp_path, opts):
    """The direct path and the lock-free queue with the inline future stamp their points through
    stage_point too: each sampled request fires one probe per point it reaches and the eBPF side
    sees the same stages as the in-process clock."""
    if not ebpf_compiled_in(fasterbench, tmp_path):
        pytest.skip("this build has no eBPF backend")
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *opts, *SMALL, "--probe-sample", "20",
                    "--probes", "both", "--out", out)
    assert p.returncode == 0, p.stderr
    probes = json.loads(out.read_text())["runs"][0]["probes"]
    ebpf = probes["ebpf"]
    assert probes["sampled_requests"] == 200
    assert ebpf["requests"] == 200 and ebpf["records"] == 200
    assert ebpf["missing_requests"] == 0 and ebpf["ring_drops"] == 0
    hits = ebpf["point_hits"]
    assert sum(hits.values()) == ebpf["usdt_hits"]
    for point in POINTS_ON_EVERY_PATH:
        assert hits[point] == 200, (point, hits)
    # Requests that took the executor: all of them without direct; with it, those of a route the
    # demotion guard moved there (none, unless the machine stalled 3 hello calls in a row).
    executor = hits["enqueue"]
    if "direct" not in opts[1].split(","):
        assert executor == 200
    assert ebpf["usdt_hits"] == 200 * len(POINTS_ON_EVERY_PATH) + executor * len(EXECUTOR_POINTS)
    assert ebpf["primes"] == ebpf["usdt_hits"]
    for name in STAGES:
        assert ebpf["stages"][name]["count"] == probes["sampled_stages"][name]["count"], name


@needs_ebpf
def test_require_ebpf_passes_when_privileged(fasterbench, tmp_path):
    if not ebpf_compiled_in(fasterbench, tmp_path):
        pytest.skip("this build has no eBPF backend")
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--probes", "ebpf", "--require-ebpf")
    assert p.returncode == 0, p.stderr
    assert "eBPF probes" in p.stdout


@needs_ebpf
def test_probe_ab_alternates_attached_and_detached(fasterbench, tmp_path):
    if not ebpf_compiled_in(fasterbench, tmp_path):
        pytest.skip("this build has no eBPF backend")
    out = tmp_path / "ab.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--probes", "ebpf", "--probe-ab",
                    "--repetitions", "2", "--out", out)
    assert p.returncode == 0, p.stderr
    runs = json.loads(out.read_text())["runs"]
    assert [r["config"] for r in runs] == ["P0", "P0/ebpf"]
    assert "ebpf" not in runs[0]["probes"] and runs[0]["probes"]["overhead_ns_per_request"] == 0
    assert runs[1]["probes"]["ebpf"]["requests"] == runs[1]["probes"]["sampled_requests"] > 0
    assert "attached vs detached" in p.stdout


def capsh_or_skip():
    if shutil.which("capsh") is None:
        pytest.skip("capsh (libcap2-bin) is not installed")
    if os.geteuid() != 0:
        pytest.skip("dropping capabilities is only meaningful from root here")


def run_without_bpf_capabilities(repo, arguments):
    """`fasterbench run ARGUMENTS` in a child whose capability sets lack CAP_BPF, CAP_PERFMON and
    CAP_SYS_ADMIN."""
    capsh_or_skip()
    return subprocess.run(["capsh", f"--drop={NO_BPF_CAPS}", "--", "-c", f"{_binary()} run {arguments}"],
                          capture_output=True, text=True, timeout=300, cwd=repo, stdin=subprocess.DEVNULL)


def test_without_capabilities_ebpf_falls_back_to_inproc(repo, tmp_path):
    out = tmp_path / "fallback.json"
    p = run_without_bpf_capabilities(repo, "--scenario scenarios/hello.toml --requests 2000 --warmup 200 "
                                           f"--no-progress --probes ebpf --out {out}")
    assert p.returncode == 0, p.stderr
    assert "eBPF backend unavailable" in p.stderr
    assert "CAP_BPF" in p.stderr or "no eBPF backend" in p.stderr
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert run["probes"]["backend"] == "inproc"
    assert run["probes"]["requested"] == "ebpf"
    assert run["probes"]["ebpf_unavailable"]
    assert "ebpf" not in run["probes"]
    assert run["stages"]["total"]["count"] == 2000  # nothing sampled: the in-process run is whole
    assert doc["context"]["ebpf"]["available"] is False


def test_without_capabilities_require_ebpf_exits_2(repo, tmp_path):
    out = tmp_path / "never.json"
    p = run_without_bpf_capabilities(repo, "--scenario scenarios/hello.toml --requests 200 --no-progress "
                                           f"--probes both --require-ebpf --out {out}")
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "--require-ebpf" in p.stderr
    assert "CAP_BPF" in p.stderr or "no eBPF backend" in p.stderr
    assert not out.exists()


def test_inproc_is_the_default_and_unchanged(fasterbench, tmp_path):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert doc["config"]["probes"] == "inproc" and doc["config"]["probe_sample"] == 0
    assert run["probes"]["backend"] == "inproc" and run["probes"]["sampled_requests"] == 0
    assert run["probes"]["overhead_ns_per_request"] is None
    assert "ebpf" not in run["probes"] and "cross_validation" not in run["probes"]
    assert "eBPF" not in p.stdout


@needs_ebpf
def test_probe_sample_auto_is_the_default_and_says_how_it_chose(fasterbench, tmp_path):
    if not ebpf_compiled_in(fasterbench, tmp_path):
        pytest.skip("this build has no eBPF backend")
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, "--probes", "ebpf", "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["config"]["probe_sample_mode"] == "auto" and doc["config"]["probe_sample"] == 0
    probes = doc["runs"][0]["probes"]
    assert probes["sample"] >= 1
    assert probes["sample_reason"].startswith(f"auto: 1 in {probes['sample']} keeps the probes within 2 %")
    assert probes["sampled_requests"] == -(-4000 // probes["sample"])  # tickets 0, N, 2N, ...


@pytest.mark.parametrize("args, message", [
    (["--probes", "dtrace"], "--probes"),
    (["--probes", "ebpf", "--probe-sample", "often"], "--probe-sample must be >= 1"),
    (["--probes", "both", "--stamps", "ends"], "--stamps ends cannot go with --probes both"),
    (["--probes", "ebpf", "--probe-sample", "0"], "--probe-sample must be >= 1"),
    (["--probe-ab", "--repetitions", "2"], "--probe-ab needs --probes ebpf or both"),
    (["--probes", "ebpf", "--probe-ab"], "--probe-ab needs --repetitions >= 2"),
])
def test_bad_probe_arguments_exit_2(fasterbench, args, message):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--no-progress", *args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert message in p.stderr
