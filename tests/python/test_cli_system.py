"""`fasterbench system show|check|tune|reset` at the command line, over fake /proc + /sys trees
(--root), so no test changes this machine's settings. Only the read-only `show` and `check`
look at the real machine."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import _binary

QUIET = {
    "proc/cpuinfo": "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu hypervisor sse2\n",
    "proc/self/status": "Name:\tfasterbench\nCpus_allowed_list:\t0-1\nCapEff:\t000001ffffffffff\n",
    "proc/1/comm": "init\n",
    "proc/loadavg": "0.05 0.10 0.20 1/80 999\n",
    "proc/stat": "cpu  100 0 50 9000 10 0 0 3 0 0\n",
    "proc/sys/kernel/randomize_va_space": "0\n",
    "proc/sys/kernel/perf_event_paranoid": "2\n",
    "sys/devices/system/cpu/online": "0-1\n",
    "sys/devices/system/cpu/isolated": "1\n",
    "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor": "performance\n",
    "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor": "performance\n",
    "sys/devices/system/cpu/cpufreq/boost": "0\n",
    "sys/kernel/mm/transparent_hugepage/enabled": "always [madvise] never\n",
    "sys/kernel/mm/transparent_hugepage/defrag": "always defer defer+madvise [madvise] never\n",
    "sys/bus/event_source/devices/software/type": "1\n",
    "sys/kernel/btf/vmlinux": "BTF",
}

# What tune may change, set the noisy way.
NOISY = dict(QUIET, **{
    "proc/sys/kernel/randomize_va_space": "2\n",
    "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor": "powersave\n",
    "sys/devices/system/cpu/cpufreq/boost": "1\n",
    "sys/kernel/mm/transparent_hugepage/enabled": "[always] madvise never\n",
    "sys/kernel/mm/transparent_hugepage/defrag": "[always] defer defer+madvise madvise never\n",
})
TUNED = ["proc/sys/kernel/randomize_va_space", "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
         "sys/devices/system/cpu/cpufreq/boost", "sys/kernel/mm/transparent_hugepage/enabled",
         "sys/kernel/mm/transparent_hugepage/defrag"]
NO_FILE_OVERRIDE = "cap_dac_override,cap_dac_read_search,cap_fowner"


def make_tree(path, files):
    for rel, text in files.items():
        f = path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return path


def contents(root):
    return {rel: (root / rel).read_text() for rel in TUNED}


def system(*args, root, env=None, timeout=60):
    """`fasterbench system ARGS --root ROOT`: every call in this file names a fake root."""
    return subprocess.run([str(_binary()), "system", *map(str, args), "--root", str(root)], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def selected(text):
    """The selected word of a sysfs choice file, or the file's one word."""
    words = text.split()
    marked = [w[1:-1] for w in words if w.startswith("[")]
    return marked[0] if marked else words[0]


@pytest.fixture()
def quiet(tmp_path):
    return make_tree(tmp_path / "quiet", QUIET)


@pytest.fixture()
def noisy(tmp_path):
    return make_tree(tmp_path / "noisy", NOISY)


def test_show_prints_every_setting_and_not_exposed_for_what_is_absent(quiet):
    (quiet / "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").unlink()
    (quiet / "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor").unlink()
    p = system("show", "--sample-ms", "0", root=quiet)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    for label in ["CPUs", "CPU model", "virtual machine", "frequency governor", "frequency boost", "ASLR",
                  "THP enabled", "THP defrag", "isolated CPUs", "irqbalance", "load average", "CPU busy (sample)",
                  "steal (sample)", "perf_event_paranoid", "hardware counters", "eBPF probes"]:
        assert any(line.startswith(label + " ") for line in lines), (label, p.stdout)
    row = {line.split("  ")[0]: line for line in lines}
    assert "not exposed (no cpufreq" in row["frequency governor"]
    assert "2 online (0-1); this process may use 0-1" in row["CPUs"]
    assert "yes: the CPU reports a hypervisor" in row["virtual machine"]
    # One reading of /proc/stat: nothing measured, and it says so instead of printing 0 %.
    assert "not measured" in row["steal (sample)"]
    assert "none: no CPU PMU" in row["hardware counters"]
    assert lines[-1] == "no problems" or lines[-1].startswith("0 problems, 1 advice"), lines[-1]  # advice: no eBPF


def test_check_on_a_quiet_machine_exits_0(quiet):
    p = system("check", "--sample-ms", "0", root=quiet)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "problem:" not in p.stdout
    assert p.stdout.startswith("no problems (16 settings checked")


def test_check_prints_one_line_per_problem_with_its_fix_and_exits_1(noisy):
    (noisy / "proc/4242").mkdir()
    (noisy / "proc/4242/comm").write_text("irqbalance\n")
    p = system("check", "--sample-ms", "0", root=noisy)
    assert p.returncode == 1, (p.stdout, p.stderr)
    problems = [line for line in p.stdout.splitlines() if line.startswith("problem: ")]
    labels = [line.split(" = ")[0].removeprefix("problem: ") for line in problems]
    assert labels == ["frequency governor", "frequency boost", "ASLR", "THP enabled", "THP defrag", "irqbalance"]
    assert all(" -> fix: " in line for line in problems)
    assert "powersave on CPU 1" in problems[0] and "`fasterbench system tune` sets performance" in problems[0]
    assert "running (pid 4242)" in problems[5] and "systemctl stop irqbalance" in problems[5]
    assert p.stdout.splitlines()[-1] == "6 problems (5 fixable by `fasterbench system tune`)"


def test_check_json_for_scripts(noisy):
    p = system("check", "--json", "--sample-ms", "0", root=noisy)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["schema_version"] == 1 and doc["problems"] == 5
    by_name = {s["name"]: s for s in doc["settings"]}
    assert doc["advice"] == sum(s["status"] == "advice" for s in doc["settings"])
    aslr = by_name["aslr"]
    assert aslr["status"] == "problem" and aslr["value"].startswith("2 ")
    assert aslr["tune"] == [{"path": str(noisy / "proc/sys/kernel/randomize_va_space"), "from": "2", "to": "0"}]
    assert by_name["thp_enabled"]["tune"][0]["to"] == "madvise"
    assert by_name["cpu_model"] == {"name": "cpu_model", "label": "CPU model", "status": "info",
                                    "value": "Test CPU 9000", "why": "", "fix": "", "tune": []}
    shown = json.loads(system("show", "--json", "--sample-ms", "0", root=noisy).stdout)
    assert shown["settings"] == doc["settings"]


def test_tune_then_reset_restores_every_file(noisy, tmp_path):
    before = contents(noisy)
    state = tmp_path / "state.json"
    p = system("tune", "--state", state, root=noisy)
    assert p.returncode == 0, (p.stdout, p.stderr)
    changed = [line for line in p.stdout.splitlines() if line.startswith("changed ")]
    assert len(changed) == 5, p.stdout
    assert f"changed ASLR: {noisy}/proc/sys/kernel/randomize_va_space 2 -> 0" in changed
    assert f"previous values saved in {state}" in p.stdout
    assert (noisy / "proc/sys/kernel/randomize_va_space").read_text() == "0\n"
    saved = json.loads(state.read_text())
    assert {s["path"]: s["previous"] for s in saved["settings"]} == {rel: selected(before[rel]) for rel in TUNED}

    assert system("check", "--sample-ms", "0", root=noisy).returncode == 0

    p = system("reset", "--state", state, root=noisy)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert len([line for line in p.stdout.splitlines() if line.startswith("restored ")]) == 5
    assert f"{state} removed" in p.stdout
    assert not state.exists()
    after = contents(noisy)
    for rel in TUNED:
        if "[" in before[rel]:
            # A real sysfs choice file takes one word and shows the bracketed list again; a
            # plain file keeps the word. The selection is what must come back.
            assert selected(after[rel]) == selected(before[rel]), rel
        else:
            assert after[rel] == before[rel], rel  # byte for byte

    p = system("reset", "--state", state, root=noisy)
    assert p.returncode == 0 and "nothing to reset" in p.stdout


def test_a_second_tune_keeps_the_first_previous_values(noisy, tmp_path):
    state = tmp_path / "state.json"
    assert system("tune", "--state", state, root=noisy).returncode == 0
    first = state.read_text()
    p = system("tune", "--state", state, root=noisy)
    assert p.returncode == 0 and "nothing to change" in p.stdout
    assert state.read_text() == first
    (noisy / "proc/sys/kernel/randomize_va_space").write_text("1\n")
    assert system("tune", "--state", state, root=noisy).returncode == 0
    assert system("reset", "--state", state, root=noisy).returncode == 0
    assert (noisy / "proc/sys/kernel/randomize_va_space").read_text() == "2\n"


def test_dry_run_changes_nothing(noisy, tmp_path):
    before = contents(noisy)
    state = tmp_path / "state.json"
    p = system("tune", "--dry-run", "--state", state, root=noisy)
    assert p.returncode == 0, p.stderr
    assert len([line for line in p.stdout.splitlines() if line.startswith("would change ")]) == 5
    assert contents(noisy) == before and not state.exists()


def test_default_state_file_is_under_xdg_cache_home(noisy, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert system("tune", root=noisy, env=env).returncode == 0
    state = tmp_path / "cache/fasterbench/system-tune.json"
    assert state.exists()
    assert json.loads(state.read_text())["root"] == os.path.realpath(noisy)
    assert system("reset", root=noisy, env=env).returncode == 0
    assert not state.exists()


def test_without_privileges_tune_says_what_it_could_not_change(noisy, tmp_path):
    before = contents(noisy)
    for rel in TUNED:
        (noisy / rel).chmod(0o444)
    state = tmp_path / "state.json"
    command = [str(_binary()), "system", "tune", "--state", str(state), "--root", str(noisy)]
    if os.geteuid() == 0:
        # Root writes read-only files anyway: drop the capabilities that let it.
        if shutil.which("capsh") is None:
            pytest.skip("capsh not installed (Debian libcap2-bin): cannot drop root's file capabilities")
        command = ["capsh", f"--drop={NO_FILE_OVERRIDE}", "--", "-c", " ".join(f"'{c}'" for c in command)]
    p = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 1, (p.stdout, p.stderr)
    refused = [line for line in p.stdout.splitlines() if line.startswith("could not change ")]
    assert len(refused) == 5 and all(line.endswith(": Permission denied") for line in refused), p.stdout
    assert "tune needs root" in p.stdout
    assert contents(noisy) == before
    assert not state.exists()  # nothing changed, nothing to reset


@pytest.mark.parametrize("args, message", [
    (["frob"], ""),
    (["check", "--sample-ms", "-1"], "--sample-ms"),
    (["show", "--bogus"], "--bogus"),
])
def test_bad_arguments_exit_2(quiet, args, message):
    p = system(*args, root=quiet)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert message in p.stderr
    assert p.stdout == ""


def test_system_without_a_sub_command_exits_2():
    p = subprocess.run([str(_binary()), "system"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "subcommand is required" in p.stderr


def test_missing_root_exits_2(tmp_path):
    (tmp_path / "file").write_text("")
    for root in [tmp_path / "absent", tmp_path / "file"]:
        p = system("show", root=root)
        assert p.returncode == 2 and f"--root {root}: no such directory" in p.stderr and p.stdout == ""


def test_a_bad_state_file_exits_2_naming_it(noisy, tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{ not json")
    before = contents(noisy)
    for command in ["tune", "reset"]:
        p = system(command, "--state", state, root=noisy)
        assert p.returncode == 2, (command, p.stdout, p.stderr)
        assert str(state) in p.stderr and "not JSON" in p.stderr
    assert contents(noisy) == before


def test_a_state_file_of_another_root_is_refused(noisy, quiet, tmp_path):
    state = tmp_path / "state.json"
    assert system("tune", "--state", state, root=noisy).returncode == 0
    p = system("reset", "--state", state, root=quiet)
    assert p.returncode == 2 and f"holds settings of root {noisy}" in p.stderr
    assert system("reset", "--state", state, root=noisy).returncode == 0


def test_show_and_check_on_this_machine_read_only():
    """The real /proc and /sys: show and check only read them. Whatever this machine's settings,
    check's exit status agrees with its problem lines, and an absent cpufreq is not exposed."""
    show = subprocess.run([str(_binary()), "system", "show", "--sample-ms", "200"], capture_output=True, text=True,
                          timeout=60)
    assert show.returncode == 0, show.stderr
    governor = next(line for line in show.stdout.splitlines() if line.startswith("frequency governor"))
    if not any(os.path.exists(f"/sys/devices/system/cpu/{d}/cpufreq/scaling_governor")
               for d in os.listdir("/sys/devices/system/cpu") if d[3:].isdigit()):
        assert "not exposed" in governor
    check = subprocess.run([str(_binary()), "system", "check", "--sample-ms", "200"], capture_output=True, text=True,
                           timeout=60)
    has_problem = any(line.startswith("problem: ") for line in check.stdout.splitlines())
    assert check.returncode == (1 if has_problem else 0), check.stdout
