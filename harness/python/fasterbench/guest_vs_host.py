"""Guest mode against host mode, side by side in one invocation.

Host mode is the CLI: `fasterbench run` starts its own embedded interpreter and imports the
scenario's handlers. Guest mode is this process: an App registers the same handler functions
and App.bench measures them with the same settings. For every phase the two alternate, round
after round (A B, then B A, so that drift on the machine reaches both alike), and each document
is saved. The table gives per phase the median over the rounds of each run's `total` p50, the
range of those p50s, the ratio guest / host of the medians, and the steal time of the runs.

    build/fasterbench-python -m fasterbench.guest_vs_host --scenario scenarios/hello.toml \\
        --phases P0,P1,P2,P3,P4,P5 --rounds 5 --requests 50000 --pin shared --out-dir guest-vs-host

Exit status: 0, or 2 for bad arguments (the message says which)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tomllib
from typing import Any, Optional

from . import _build_info
from ._core import ConfigError, unavailable_reason
from .app import App


def scenario_app(path: str) -> App:
    """An App with the scenario's routes, whose handlers are the very functions the CLI imports."""
    with open(path, "rb") as f:
        scenario = tomllib.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    for entry in reversed(scenario.get("python_path", ["."])):
        directory = os.path.normpath(os.path.join(folder, entry))
        if directory not in sys.path:
            sys.path.insert(0, directory)
    app = App(name=scenario.get("name", os.path.basename(path)))
    for route in scenario.get("route", []):
        module, _, qualname = route["handler"].partition(":")
        function: Any = importlib.import_module(module)
        for part in qualname.split("."):
            function = getattr(function, part)
        app.route(route.get("method", "GET"), route["path"], kind=route.get("kind", ""),
                  request=route.get("request", ""), body=route.get("body", b""),
                  headers=route.get("headers"), weight=route.get("weight", 1.0))(function)
    return app


def host_run(scenario: str, phase: str, settings: dict[str, Any], out: str) -> dict[str, Any]:
    """`fasterbench run` in a child process, with the same settings; its document."""
    command = [_build_info.FASTERBENCH_EXE, "run", "--scenario", scenario, "--phase", phase, "--no-progress",
               "--out", out]
    for name, value in settings.items():
        command += ["--" + name.replace("_", "-"), str(value)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    with open(out) as f:
        return json.load(f)


def total_p50(doc: dict[str, Any]) -> float:
    return float(doc["runs"][0]["stages"]["total"]["p50_ns"])


def steal(doc: dict[str, Any]) -> Optional[float]:
    return doc["context"].get("steal_pct")


def describe(p50s: list[float]) -> str:
    return f"{statistics.median(p50s):8.0f} [{min(p50s):.0f}-{max(p50s):.0f}]"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fasterbench.guest_vs_host", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=os.path.join(_build_info.SOURCE_DIR, "scenarios", "hello.toml"))
    parser.add_argument("--phases", default="P0,P1,P2,P3,P4,P5", help="comma-separated phases")
    parser.add_argument("--rounds", type=int, default=5, help="guest and host runs per phase (>= 1)")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--warmup", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pin", default="shared", choices=["off", "shared", "split"])
    parser.add_argument("--out-dir", default="guest-vs-host", help="where the documents and summary.json go")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    try:
        app = scenario_app(args.scenario)
        os.makedirs(args.out_dir, exist_ok=True)
        settings = dict(requests=args.requests, warmup=args.warmup, clients=args.clients, workers=args.workers,
                        pin=args.pin)
        measured: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for phase in phases:
            if reason := unavailable_reason(phase):
                print(f"{phase}: skipped: {reason}", file=sys.stderr)
                continue
            measured[phase] = {"guest": [], "host": []}
            for round_ in range(args.rounds):
                order = ["guest", "host"] if round_ % 2 == 0 else ["host", "guest"]
                for mode in order:
                    out = os.path.join(args.out_dir, f"{mode}-{phase}-{round_}.json")
                    if mode == "guest":
                        doc = app.bench(phase=phase, out=out, **settings).to_document()
                    else:
                        doc = host_run(args.scenario, phase, settings, out)
                    measured[phase][mode].append(doc)
                    print(f"{phase} round {round_ + 1}/{args.rounds} {mode}: total p50 {total_p50(doc):.0f} ns",
                          file=sys.stderr, flush=True)
    except (ConfigError, OSError, tomllib.TOMLDecodeError, ImportError, AttributeError, KeyError) as error:
        print(f"guest_vs_host: {error}", file=sys.stderr)
        return 2

    print(f"total p50 per run, ns: median [min-max] over {args.rounds} rounds; "
          f"{args.requests} requests, {args.warmup} warm-up, {args.clients} client(s), pin {args.pin}")
    print(f"{'phase':6} {'guest':>22} {'host':>22} {'guest/host':>10} {'steal % (max)':>14}")
    summary = []
    for phase, docs in measured.items():
        guest = [total_p50(d) for d in docs["guest"]]
        host = [total_p50(d) for d in docs["host"]]
        steals = [s for d in docs["guest"] + docs["host"] if (s := steal(d)) is not None]
        ratio = statistics.median(guest) / statistics.median(host)
        print(f"{phase:6} {describe(guest):>22} {describe(host):>22} {ratio:10.3f} "
              f"{max(steals) if steals else float('nan'):14.1f}")
        summary.append(dict(phase=phase, guest_p50_ns=guest, host_p50_ns=host, ratio=ratio, steal_pct=steals))
    with open(os.path.join(args.out_dir, "summary.json"), "w") as f:
        json.dump(dict(scenario=args.scenario, settings=settings, rounds=args.rounds, phases=summary), f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
