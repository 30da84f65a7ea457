"""Placement (--pin, --cpus) and process hygiene (--hash-seed, --aslr, --env) of `run` and
`phases`: they really happen, they are recorded, and impossible requests fail cleanly."""

import glob
import json
import os

import pytest

SMALL = ["--requests", "2000", "--warmup", "200", "--no-progress"]
ADDR_NO_RANDOMIZE = 0x0040000
PIPELINE_ROLES = {"client", "worker", "loop"}


def allowed_cpus():
    return sorted(os.sched_getaffinity(0))


def system_aslr_off():
    with open("/proc/sys/kernel/randomize_va_space") as f:
        return f.read().strip() == "0"


def pipeline_threads(run):
    return [t for t in run["threads"] if t["role"] in PIPELINE_ROLES]


def test_pin_shared_puts_every_pipeline_thread_on_one_cpu(fasterbench, tmp_path):
    out = tmp_path / "r.json"
    # mixed has an async route: the workers' event-loop threads exist too.
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--pin", "shared", "--workers", "2", *SMALL,
                    "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    cpu = allowed_cpus()[0]
    placement = doc["context"]["placement"]
    assert placement["policy"] == "shared"
    assert placement["roles"] == {"client": [cpu], "worker": [cpu], "loop": [cpu]}
    threads = pipeline_threads(doc["runs"][0])
    assert {t["role"] for t in threads} == PIPELINE_ROLES, threads
    for t in threads:
        assert t["affinity"] == [cpu], t
        assert set(t["cpus_seen"]) <= {cpu}, t
    assert any(t["role"] == "worker" and t["cpus_seen"] == [cpu] for t in threads)
    assert any(t["role"] == "client" and t["cpus_seen"] == [cpu] for t in threads)
    assert "placement shared" in p.stdout and "fb-client-0" in p.stdout


def test_pin_split_separates_clients_from_workers(fasterbench, tmp_path):
    cpus = allowed_cpus()
    if len(cpus) < 2:
        pytest.skip(f"split needs 2 CPUs; this process may use {cpus}")
    clients, workers = cpus[:len(cpus) // 2], cpus[len(cpus) // 2:]
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--pin", "split", *SMALL, "--out", out)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    assert doc["context"]["placement"]["roles"] == {"client": clients, "worker": workers, "loop": workers}
    threads = pipeline_threads(doc["runs"][0])
    for t in threads:
        expected = clients if t["role"] == "client" else workers
        assert t["affinity"] == expected, t
        assert set(t["cpus_seen"]) <= set(expected), t
    assert any(t["role"] == "worker" and t["cpus_seen"] for t in threads)


def bad_placements():
    cpus = allowed_cpus()
    return [
        (["--cpus", str(cpus[-1] + 1)], "is not in this process's allowed set"),
        (["--pin", "split", "--cpus", str(cpus[0])], "needs at least 2"),
        (["--cpus", "1-0"], "a range must go upwards"),
        (["--cpus", "4096"], "CPU numbers go up to"),
        (["--cpus", "zero"], "not a CPU number"),
        (["--pin", "everywhere"], "--pin"),
        (["--hash-seed", "-3"], "--hash-seed"),
    ]


@pytest.mark.parametrize("args, message", bad_placements())
def test_bad_placement_exits_2_and_writes_nothing(fasterbench, tmp_path, args, message):
    out = tmp_path / "r.json"
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", *SMALL, *args, "--out", out)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert not out.exists()
    out_dir = tmp_path / "phases"
    p = fasterbench("phases", "--scenario", "scenarios/hello.toml", *SMALL, *args, "--out", out_dir, "--no-report")
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert not out_dir.exists()


@pytest.fixture()
def hygiene_scenario(tmp_path, repo):
    scenario = tmp_path / "hygiene.toml"
    scenario.write_text(f'name = "hygiene"\npython_path = ["{repo / "tests" / "fixtures" / "python"}"]\n'
                        '[[route]]\npath = "/report"\nhandler = "fb_hygiene_handlers:report"\n')
    return scenario


def handler_reports(prefix):
    return [json.loads(open(f).read()) for f in sorted(glob.glob(f"{prefix}.*"))]


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env.update(extra)
    return env


def test_run_reexecutes_without_aslr_with_the_seed_and_a_fixed_environment(fasterbench, tmp_path, hygiene_scenario):
    out, report = tmp_path / "r.json", tmp_path / "report"
    p = fasterbench("run", "--scenario", hygiene_scenario, *SMALL, "--aslr", "off", "--hash-seed", "0",
                    "--env", "fixed", "--out", out, env=environment(FASTERBENCH_TEST_REPORT=str(report),
                                                                    UNRELATED_VARIABLE="x"))
    assert p.returncode == 0, p.stderr
    [seen] = handler_reports(report)
    assert seen["personality"] & ADDR_NO_RANDOMIZE
    assert seen["hash_randomization"] == 0
    assert seen["PYTHONHASHSEED"] == "0"
    assert "UNRELATED_VARIABLE" not in seen["environ"] and "FASTERBENCH_ENV_PAD" in seen["environ"]
    process = json.loads(out.read_text())["context"]["process"]
    assert process["aslr"] == "off"
    assert process["hash_seed"] == 0 and process["hash_seed_source"] == "--hash-seed"
    assert process["environment"] == "fixed"
    assert process["arg_env_bytes"] % 16384 == 0
    assert process["reexecuted"] is True


def test_a_fixed_hash_seed_fixes_str_hashes(fasterbench, tmp_path, hygiene_scenario):
    hashes = []
    for i in range(2):
        report = tmp_path / f"report{i}"
        p = fasterbench("run", "--scenario", hygiene_scenario, *SMALL, "--hash-seed", "123",
                        env=environment(FASTERBENCH_TEST_REPORT=str(report)))
        assert p.returncode == 0, p.stderr
        [seen] = handler_reports(report)
        assert seen["PYTHONHASHSEED"] == "123" and seen["hash_randomization"] == 1
        hashes.append(seen["hash"])
    assert hashes[0] == hashes[1]


def test_run_defaults_leave_the_process_as_started(fasterbench, tmp_path, hygiene_scenario):
    out, report = tmp_path / "r.json", tmp_path / "report"
    p = fasterbench("run", "--scenario", hygiene_scenario, *SMALL, "--out", out,
                    env=environment(FASTERBENCH_TEST_REPORT=str(report)))
    assert p.returncode == 0, p.stderr
    [seen] = handler_reports(report)
    assert seen["hash_randomization"] == 1
    process = json.loads(out.read_text())["context"]["process"]
    assert process["hash_seed"] == "random" and process["hash_seed_source"] == "default"
    assert process["environment"] == "inherited" and process["reexecuted"] is False
    if not system_aslr_off():
        assert process["aslr"] == "on"
        assert not seen["personality"] & ADDR_NO_RANDOMIZE
    assert json.loads(out.read_text())["context"]["placement"]["policy"] == "off"


def test_phases_children_get_the_hygiene_by_default(fasterbench, tmp_path, hygiene_scenario):
    out_dir, report = tmp_path / "out", tmp_path / "report"
    p = fasterbench("phases", "--scenario", hygiene_scenario, *SMALL, "--phases", "P0,P1", "--repetitions", "1",
                    "--no-instrumentation-tax", "--out", out_dir, "--no-report",
                    env=environment(FASTERBENCH_TEST_REPORT=str(report)))
    assert p.returncode == 0, p.stderr
    seen = handler_reports(report)
    assert len(seen) == 2  # one fresh process per configuration
    for s in seen:
        assert s["personality"] & ADDR_NO_RANDOMIZE
        assert s["hash_randomization"] == 0 and s["PYTHONHASHSEED"] == "0"
        assert "FASTERBENCH_ENV_PAD" in s["environ"]
    assert seen[0]["hash"] == seen[1]["hash"]
    doc = json.loads((out_dir / "results.json").read_text())
    assert doc["context"]["process"]["aslr"] == "off"
    assert doc["context"]["process"]["environment"] == "fixed"
    assert doc["context"]["placement"]["policy"] == "shared"
    for run in doc["runs"]:
        assert run["threads"], run["config"]
    assert "hash seed 0 · ASLR off" in p.stdout
