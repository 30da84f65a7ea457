"""Scripting the harness from Python: `run`, `phases`, `gate` and `save_baseline` (docs/python.md).

Each function runs this build's `fasterbench` CLI as a child process with the arguments the
keywords spell, exactly as `phases` runs its own children, and returns typed objects. So the
API and the command line write the same document for the same settings, and every option of
the CLI is available:

    import fasterbench as fb
    results = fb.run(scenario="scenarios/hello.toml", phase="P1", requests=20_000, pin="shared")
    # = fasterbench run --scenario scenarios/hello.toml --phase P1 --requests 20000 --pin shared

A keyword is an option of the command with '-' written '_' (`no_progress=True` is
`--no-progress`, `inject_delay="dispatch=2000"` is `--inject-delay dispatch=2000`). True gives a
flag, False and None leave the option out, a list or tuple is joined with commas (`phases=["P0",
"P1"]`), anything else is written with str(). An unknown keyword is a TypeError naming it and the
accepted ones; a value the CLI refuses (exit 2) is a ConfigError with the CLI's message.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from typing import Any, Optional, Union

from . import _build_info
from ._core import ConfigError
from .gate import GateResult
from .results import Results

__all__ = ["CommandError", "cli_arguments", "run", "phases", "gate", "save_baseline"]

PathLike = Union[str, "os.PathLike[str]"]
ResultsSource = Union[Results, PathLike]

# Options each function sets itself (where the document goes, what must not print), so they are
# not keywords: the API owns stdout and the output location.
_MANAGED = {
    "run": {"--help", "--out", "--explain-routes"},
    "phases": {"--help", "--out", "--no-report"},
    "gate": {"--help", "--baseline", "--candidate", "--format", "--github"},
    "baseline save": {"--help"},
}


class CommandError(RuntimeError):
    """The CLI failed for a reason other than its input (exit status 1 or a signal): the
    message holds its last lines. `returncode`, `arguments` and `stderr` say what ran and how;
    `results` is the document when the command still wrote one (e.g. `--max-error-rate`
    exceeded: the figures are there, the run is a failure), else None."""

    def __init__(self, message: str, *, arguments: list[str], returncode: int, stderr: str,
                 results: Optional[Results] = None):
        super().__init__(message)
        self.arguments = arguments
        self.returncode = returncode
        self.stderr = stderr
        self.results = results


@functools.lru_cache(maxsize=None)
def accepted_options(command: str) -> tuple[str, ...]:
    """The options of `fasterbench COMMAND` ("run", "phases", "gate", "baseline save") as the
    CLI's own --help lists them ("--requests", ...), in its order."""
    p = subprocess.run([_build_info.FASTERBENCH_EXE, *command.split(), "--help"], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"{_build_info.FASTERBENCH_EXE} {command} --help: exit {p.returncode}: {p.stderr.strip()}")
    # CLI11's help lists one option per line in its Options section: "  --name TYPE  help" or
    # "  -h,--help  help"; continuation lines of a long help start with more spaces.
    return tuple(m.group(1) for m in re.finditer(r"^  (?:-\w,)?(--[a-z0-9][a-z0-9-]*)", p.stdout, flags=re.M))


def _keyword(option: str) -> str:
    return option[2:].replace("-", "_")


def _value_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_value_text(v) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def cli_arguments(command: str, **options: Any) -> list[str]:
    """The arguments after `fasterbench` that `command` with these keywords runs, e.g.
    cli_arguments("run", scenario="scenarios/hello.toml", requests=600) ->
    ["run", "--scenario", "scenarios/hello.toml", "--requests", "600"]. TypeError for a keyword
    that is not an option of the command (or one the API sets itself)."""
    if command not in _MANAGED:
        raise ValueError(f"unknown command {command!r} (accepted: {', '.join(_MANAGED)})")
    accepted = {_keyword(o): o for o in accepted_options(command) if o not in _MANAGED[command]}
    arguments = command.split()
    for name, value in options.items():
        if name not in accepted:
            close = difflib.get_close_matches(name, accepted, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"fasterbench {command}: unknown keyword {name!r}{hint} (accepted: "
                            f"{', '.join(sorted(accepted))})")
        if value is None or value is False:
            continue
        arguments += [accepted[name]] if value is True else [accepted[name], _value_text(value)]
    return arguments


def _run_cli(arguments: list[str], *, quiet: bool, ok_statuses: Sequence[int] = (0,)) -> subprocess.CompletedProcess:
    """Runs the CLI; ConfigError for exit 2 (its message), CommandError for any other status
    not in ok_statuses. quiet=False lets it print to this process's terminal (stderr only when
    stdout carries data)."""
    capture_stdout = quiet or "--format" in arguments
    command = [_build_info.FASTERBENCH_EXE, *arguments]
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, text=True,
                          stdout=subprocess.PIPE if capture_stdout else None,
                          stderr=subprocess.PIPE if quiet else None) as child:
        try:
            stdout, stderr = child.communicate()
        except KeyboardInterrupt:
            _stop(child)
            raise
    p = subprocess.CompletedProcess(command, child.returncode, stdout, stderr)
    if p.returncode == 2:
        raise ConfigError(_usage_message(p.stderr, arguments))
    if p.returncode not in ok_statuses:
        raise CommandError(_failure_message(p, arguments), arguments=arguments, returncode=p.returncode,
                           stderr=p.stderr or "")
    return p


# How long a child may take to stop after Ctrl-C: `phases` stops its current measurement and
# writes what it has (docs/errors.md); `run` stops at once.
_STOP_SECONDS = 30


def _stop(child: subprocess.Popen) -> None:
    """Ctrl-C in this process: the child stops as on the command line. A terminal's Ctrl-C has
    reached it already (one process group); a SIGINT sent to this process alone has not, and a
    second one only repeats the request. Killed if it has not stopped in _STOP_SECONDS."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
    try:
        child.communicate(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()


def _usage_message(stderr: Optional[str], arguments: list[str]) -> str:
    """The CLI's "fasterbench: <message>" lines, without CLI11's "Run with --help" hint."""
    if stderr is None:  # quiet=False: the CLI printed it on this process's stderr
        return f"fasterbench {' '.join(arguments)}: refused (exit 2; its message is printed above)"
    lines = [line.removeprefix("fasterbench: ") for line in stderr.strip().splitlines()
             if line.strip() and not line.startswith("Run with --help")]
    return "\n".join(lines) or f"fasterbench {' '.join(arguments)}: refused (exit 2, no message)"


def _failure_message(p: subprocess.CompletedProcess, arguments: list[str]) -> str:
    how = f"signal {-p.returncode}" if p.returncode < 0 else f"exit status {p.returncode}"
    tail = "\n".join((p.stderr or "").strip().splitlines()[-10:])
    return f"fasterbench {' '.join(arguments)}: {how}" + (f"\n{tail}" if tail else "")


def _with_results(error: CommandError, path: str, source: Optional[str]) -> CommandError:
    if os.path.exists(path):
        error.results = _load(path, source)
    return error


def _load(path: str, source: Optional[str]) -> Results:
    """The document at path; `source` (what messages and repr call it) is the command line when
    the file is temporary, else the path."""
    results = Results.load(path)
    if source is not None:
        results.source = source
    return results


def run(scenario: Optional[PathLike] = None, *, phase: Optional[str] = None, out: Optional[PathLike] = None,
        quiet: bool = True, **options: Any) -> Results:
    """`fasterbench run`: measures one configuration (phase="P1", or opt="direct,lockfree") of
    the scenario in a child process and returns its document.

    Every other `run` option is a keyword (requests, warmup, clients, repetitions, pin, rate,
    probes, ...: `fasterbench run --help`). out=FILE keeps the document there, as --out does;
    without it the document lives in a temporary file that is removed. quiet=False lets the
    CLI print its tables and progress as on the command line."""
    if quiet:
        options.setdefault("no_progress", True)
    arguments = cli_arguments("run", scenario=scenario, phase=phase, **options)
    source = None if out is not None else "fasterbench " + " ".join(arguments)
    with tempfile.TemporaryDirectory(prefix="fasterbench-run-") as temporary:
        path = os.fspath(out) if out is not None else os.path.join(temporary, "results.json")
        try:
            _run_cli([*arguments, "--out", path], quiet=quiet)
        except CommandError as e:
            raise _with_results(e, path, source) from None
        return _load(path, source)


def phases(scenario: Optional[PathLike] = None, *, out: Optional[PathLike] = None, report: bool = False,
           quiet: bool = True, **options: Any) -> Results:
    """`fasterbench phases`: measures each configuration (phases=["P0", "P1"], default P0..P5)
    with every repetition in a fresh process, and returns the merged document.

    Every `phases` option is a keyword (repetitions, requests, ablation, pin, ...). out=DIR
    keeps DIR/results.json (and the report with report=True), as --out does; without it the
    directory is temporary. A run of `phases` with crashed repetitions still returns its
    document (their rows say how they died); one it could not finish raises CommandError.

    phases(resume=DIR) finishes an interrupted run with the options it was started with (give
    it alone, as `phases --resume DIR`) and returns DIR/results.json."""
    if options.get("resume") is not None:
        return _resume_phases(scenario, out, report, quiet, options)
    if quiet:
        options.setdefault("no_progress", True)
    arguments = cli_arguments("phases", scenario=scenario, **options)
    if not report:
        arguments.append("--no-report")
    source = None if out is not None else "fasterbench " + " ".join(arguments)
    temporary = None if out is not None else tempfile.mkdtemp(prefix="fasterbench-phases-")
    directory = os.fspath(out) if out is not None else temporary
    try:
        path = os.path.join(directory, "results.json")
        try:
            _run_cli([*arguments, "--out", directory], quiet=quiet)
        except CommandError as e:
            raise _with_results(e, path, source) from None
        return _load(path, source)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def _resume_phases(scenario: Optional[PathLike], out: Optional[PathLike], report: bool, quiet: bool,
                   options: dict[str, Any]) -> Results:
    """`fasterbench phases --resume DIR`: the CLI takes no other option with it (it refuses them,
    naming the run's own); its results and report go where the interrupted run put them."""
    if out is not None or report:
        raise ConfigError(f"--resume {_value_text(options['resume'])}: give resume alone; the run is finished in its "
                          "own directory, with the report if it was started with one")
    arguments = cli_arguments("phases", scenario=scenario, **options)
    directory = _value_text(options["resume"])
    try:
        _run_cli(arguments, quiet=quiet)
    except CommandError as e:
        raise _with_results(e, os.path.join(directory, "results.json"), None) from None
    return _load(os.path.join(directory, "results.json"), None)


def _results_argument(source: ResultsSource, directory: str, side: str) -> str:
    """A results argument for the CLI: a Results is written to a file in `directory`; a path or
    a baseline name is passed as given (the CLI tells them apart: docs/gate.md)."""
    if isinstance(source, Results):
        path = os.path.join(directory, f"{side}.json")
        source.save(path)
        return path
    return os.fspath(source)


def gate(baseline: ResultsSource, candidate: ResultsSource, *, quiet: bool = True, **options: Any) -> GateResult:
    """`fasterbench gate`: judges the candidate against the baseline per configuration and
    stage, and returns the decision (GateResult: overall verdict, each stage's verdict, ratio,
    interval, p-value and reason, the warnings).

    baseline and candidate are Results, paths, or stored baseline names (store=DIR). Options:
    threshold ("5%"), min_effect (ns), stages (["dispatch", "total"]), metric ("p50", "p99"),
    alpha, junit=FILE, summary=FILE. A REGRESSION or INCONCLUSIVE verdict is returned, not
    raised: `result.passed` says whether the gate would exit 0. quiet=False prints the warnings."""
    with tempfile.TemporaryDirectory(prefix="fasterbench-gate-") as temporary:
        arguments = [*cli_arguments("gate", **options),
                     "--baseline", _results_argument(baseline, temporary, "baseline"),
                     "--candidate", _results_argument(candidate, temporary, "candidate"),
                     "--format", "json"]
        p = _run_cli(arguments, quiet=quiet, ok_statuses=(0, 1, 3))
    return GateResult.from_json(p.stdout)


def save_baseline(name: str, results: ResultsSource, *, store: Optional[PathLike] = None,
                  force: bool = False) -> str:
    """`fasterbench baseline save NAME RESULTS`: stores the document as baseline NAME (in
    store=DIR, else $FASTERBENCH_BASELINES, else .fasterbench/baselines) for gate(baseline=NAME).
    Returns the baseline's path. ConfigError for a bad name, or an existing one without force."""
    with tempfile.TemporaryDirectory(prefix="fasterbench-baseline-") as temporary:
        source = _results_argument(results, temporary, "results")
        arguments = [*cli_arguments("baseline save", store=store, force=force), name, source]
        p = _run_cli(arguments, quiet=True)
    # "baseline 'NAME' saved: PATH (scenario ..., rev ..., Python ...; configurations)"
    saved = re.search(r"^baseline '.*' saved: (.*) \(scenario ", p.stdout, flags=re.M)
    if saved is None:
        raise RuntimeError(f"fasterbench {' '.join(arguments)}: unexpected output {p.stdout!r}")
    return saved.group(1)
