"""Load and validate a versus.json document (harness/versus/versus_results.cpp).

Everything the report renders is checked here once; a violation raises ReportError
naming the file and the key. Keys not listed are ignored (the harness may add some).
"""

import json
import math
from dataclasses import dataclass
from typing import List, Optional

from ..model import ReportError

# versus.json format history (bump on any rename or removal):
#
# 1 - first version: context, scenario, config, plan, servers[] with runs[] (wrk's
#     requests, latency distribution and errors, the server's CPU time) and summary
#     (median and bootstrap CI over repetitions, ratios to FastAPI).
SCHEMA_VERSION = 1
SCHEMA = "fasterbench-versus"


@dataclass(frozen=True)
class Estimate:
    median: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Ratio:
    ratio: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Server:
    name: str
    kind: str
    error: Optional[str]
    requests_per_s: Optional[Estimate]
    p50_us: Optional[Estimate]
    p99_us: Optional[Estimate]
    cpu_us_per_request: Optional[Estimate]
    tool_cpu_pct: float                  # wrk's CPU time over what its CPUs had (median)
    errors: int
    repetitions: int
    vs_fastapi: Optional[Ratio]          # throughput, server / FastAPI
    p50_vs_fastapi: Optional[Ratio]      # FastAPI p50 / server p50
    cpu_vs_fastapi: Optional[Ratio]      # FastAPI CPU per request / server's

    @property
    def measured(self):
        return self.requests_per_s is not None


@dataclass(frozen=True)
class Versus:
    path: str
    scenario: str
    scenario_file: str
    tool: str
    wrk_version: str
    connections: int
    threads: int
    duration_s: float
    warmup_s: float
    repetitions: int
    io_threads: int
    workers: int
    server_cpus: List[int]
    tool_cpus: List[int]
    steal_pct: Optional[float]  # None: unknown (/proc/stat could not tell)
    steal_pct_max: Optional[float]
    load_average_before: float
    cpu_model: str
    host: str
    date: str
    git_revision: str
    embedded_python: str
    asgi_versions: str
    plan_low: float
    plan_high: float
    servers: List[Server]

    @property
    def fastapi(self):
        for s in self.servers:
            if s.kind == "fastapi" and s.measured:
                return s
        return None


def _get(obj, key, where, path, kind=None):
    if not isinstance(obj, dict) or key not in obj:
        raise ReportError(f"{path}: missing key '{where}{key}'")
    v = obj[key]
    if kind is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ReportError(f"{path}: '{where}{key}' is not a finite number")
        return float(v)
    if kind is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ReportError(f"{path}: '{where}{key}' is not an integer")
        return v
    if kind is str:
        if not isinstance(v, str):
            raise ReportError(f"{path}: '{where}{key}' is not a string")
    return v


def _estimate(obj, where, path):
    e = Estimate(_get(obj, "median", where, path, float), _get(obj, "ci_low", where, path, float),
                 _get(obj, "ci_high", where, path, float))
    if not e.ci_low <= e.median <= e.ci_high:
        raise ReportError(f"{path}: '{where}' has ci_low <= median <= ci_high violated")
    return e


def _ratio(obj, where, path):
    if obj is None:
        return None
    # An interval end may be +infinity (a zero median inside a resample): JSON null or a
    # huge number; only the point estimate must be finite.
    r = _get(obj, "ratio", where, path, float)
    lo, hi = obj.get("ci_low"), obj.get("ci_high")
    lo = float(lo) if isinstance(lo, (int, float)) else 0.0
    hi = float(hi) if isinstance(hi, (int, float)) else math.inf
    return Ratio(r, lo, hi)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}")
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not JSON: {e}")
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ReportError(f"{path}: not a versus document (schema is not '{SCHEMA}')")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ReportError(f"{path}: schema_version {doc.get('schema_version')!r}, this report reads {SCHEMA_VERSION}")
    ctx = _get(doc, "context", "", path)
    cfg = _get(doc, "config", "", path)
    plan = _get(doc, "plan", "", path)
    python = ctx.get("python", {}) if isinstance(ctx.get("python"), dict) else {}
    servers = []
    for i, s in enumerate(_get(doc, "servers", "", path)):
        where = f"servers[{i}]."
        summary = s.get("summary")
        name = _get(s, "name", where, path, str)
        kind = _get(s, "kind", where, path, str)
        error = s.get("error")
        runs = _get(s, "runs", where, path)
        if summary is None:
            servers.append(Server(name, kind, error or "no measurement", None, None, None, None, 0.0, 0, 0,
                                  None, None, None))
            continue
        w = where + "summary."
        vs = _get(summary, "vs_fastapi", w, path)
        ok_runs = sum(1 for r in runs if isinstance(r, dict) and r.get("ok"))
        servers.append(Server(
            name, kind, error,
            _estimate(_get(summary, "requests_per_s", w, path), w + "requests_per_s", path),
            _estimate(_get(summary, "p50_us", w, path), w + "p50_us", path),
            _estimate(_get(summary, "p99_us", w, path), w + "p99_us", path),
            _estimate(_get(summary, "cpu_us_per_request", w, path), w + "cpu_us_per_request", path),
            _get(summary, "tool_cpu_pct", w, path, float),
            _get(summary, "errors", w, path, int), ok_runs,
            _ratio(vs.get("throughput"), w + "vs_fastapi.throughput.", path),
            _ratio(vs.get("p50_latency"), w + "vs_fastapi.p50_latency.", path),
            _ratio(vs.get("cpu_per_request"), w + "vs_fastapi.cpu_per_request.", path)))
    if not servers:
        raise ReportError(f"{path}: 'servers' is empty")
    return Versus(
        path=path,
        scenario=_get(_get(doc, "scenario", "", path), "name", "scenario.", path, str),
        scenario_file=doc["scenario"].get("file", ""),
        tool=_get(cfg, "tool", "config.", path, str),
        wrk_version=str(ctx.get("wrk_version", "")),
        connections=_get(cfg, "connections", "config.", path, int),
        threads=_get(cfg, "threads", "config.", path, int),
        duration_s=_get(cfg, "duration_s", "config.", path, float),
        warmup_s=_get(cfg, "warmup_s", "config.", path, float),
        repetitions=_get(cfg, "repetitions", "config.", path, int),
        io_threads=_get(cfg, "io_threads", "config.", path, int),
        workers=_get(cfg, "workers", "config.", path, int),
        server_cpus=list(_get(cfg, "server_cpus", "config.", path)),
        tool_cpus=list(_get(cfg, "tool_cpus", "config.", path)),
        steal_pct=None if ctx.get("steal_pct", 0) is None else _get(ctx, "steal_pct", "context.", path, float),
        steal_pct_max=None if ctx.get("steal_pct_max", 0) is None else _get(ctx, "steal_pct_max", "context.", path, float),
        load_average_before=_get(ctx, "load_average_before", "context.", path, float),
        cpu_model=str(ctx.get("cpu_model", "")),
        host=str(ctx.get("host", "")),
        date=str(ctx.get("date", "")),
        git_revision=str(ctx.get("git_revision", "")),
        embedded_python=str(python.get("version", "")),
        asgi_versions=str(ctx.get("asgi_versions", "")),
        plan_low=_get(plan, "low", "plan.", path, float),
        plan_high=_get(plan, "high", "plan.", path, float),
        servers=servers)
