"""versus.md: the conditions, the table, the plan's claim beside the measured ratios, what
could not be measured, and how the figures were taken."""


#: Above this share of its CPUs, wrk itself may be what limits the request rate.
TOOL_BOUND_PCT = 90.0


def _us(v):
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def _ratio(r):
    if r is None:
        return "–"
    hi = "∞" if r.ci_high == float("inf") else f"{r.ci_high:.2f}"
    return f"{r.ratio:.2f}× [{r.ci_low:.2f}, {hi}]"


def render(v):
    out = [f"# fasterbench versus FastAPI: {v.scenario}", ""]
    out.append(f"Scenario `{v.scenario_file}`; {v.tool} {v.wrk_version}, {v.connections} keep-alive connections, "
               f"{v.threads} thread(s), {v.repetitions} repetitions of {v.duration_s:.0f} s per server, interleaved, "
               f"after {v.warmup_s:.0f} s of warm-up each. Every server pinned to CPU "
               f"{','.join(map(str, v.server_cpus))}, wrk to CPU {','.join(map(str, v.tool_cpus))}. "
               f"fasterbench: {v.io_threads} I/O thread(s), {v.workers} executor worker(s), embedded Python "
               f"{v.embedded_python}. ASGI servers: {v.asgi_versions or 'not started'}.")
    out.append("")
    steal = ("unknown" if v.steal_pct is None
             else f"median {v.steal_pct:.1f} %, max {v.steal_pct_max:.1f} %")
    out.append(f"Machine: {v.cpu_model} ({v.host}), {v.date}, git {v.git_revision}. Steal during the runs: "
               f"{steal}; load average {v.load_average_before:.2f} before.")
    out.append("")
    out.append("| server | requests/s (median [95 % CI]) | p50 | p99 | CPU / request | errors | wrk CPU | × FastAPI requests/s [95 % CI] | plan |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for s in v.servers:
        if not s.measured:
            continue
        rps = s.requests_per_s
        ratio = "1 (reference)" if s.kind == "fastapi" else _ratio(s.vs_fastapi)
        plan = f"{v.plan_low:.0f}-{v.plan_high:.0f}×" if s.kind == "fasterbench" else ""
        out.append(f"| {s.name} | {rps.median:,.0f} [{rps.ci_low:,.0f}, {rps.ci_high:,.0f}] | {_us(s.p50_us.median)} | "
                   f"{_us(s.p99_us.median)} | {_us(s.cpu_us_per_request.median)} | {s.errors} | "
                   f"{s.tool_cpu_pct:.0f} % | {ratio} | {plan} |")
    bound = [s.name for s in v.servers if s.measured and s.tool_cpu_pct > TOOL_BOUND_PCT]
    if bound:
        out.append("")
        out.append(f"**Warning:** wrk used more than {TOOL_BOUND_PCT:.0f} % of its CPUs against "
                   f"{', '.join(bound)}: there the load tool may have set the pace, and requests/s is a lower bound.")
    out.append("")
    out.append("![throughput and latency](versus.png)")
    out.append("")
    out.append("## The plan's claim")
    out.append("")
    fb = [s for s in v.servers if s.measured and s.kind == "fasterbench" and s.vs_fastapi is not None]
    if v.fastapi is None:
        out.append(f"FastAPI was not measured, so no ratio can be set beside the plan's "
                   f"{v.plan_low:.0f}-{v.plan_high:.0f}×.")
    else:
        out.append(f"The plan says the framework is \"already {v.plan_low:.0f}-{v.plan_high:.0f}× faster than "
                   f"FastAPI\"; it never measured that. Measured here, same handlers, same machine, same load:")
        out.append("")
        for s in fb:
            inside = v.plan_low <= s.vs_fastapi.ratio <= v.plan_high
            out.append(f"- **{s.name}**: {_ratio(s.vs_fastapi)} FastAPI's requests/s "
                       f"({'inside' if inside else 'outside'} the claimed range); p50 latency "
                       f"{_ratio(s.p50_vs_fastapi)} lower; CPU per request {_ratio(s.cpu_vs_fastapi)} lower.")
        asgi = [s for s in v.servers if s.measured and s.kind == "asgi"]
        for s in asgi:
            out.append(f"- {s.name} (no framework, the floor of a Python ASGI server with these handlers): "
                       f"{_ratio(s.vs_fastapi)} FastAPI's requests/s.")
    failed = [s for s in v.servers if s.error]
    if failed:
        out.append("")
        out.append("## Not measured, or failed")
        out.append("")
        for s in failed:
            out.append(f"- {s.name}: {s.error}")
    out.append("")
    out.append("## Method")
    out.append("")
    out.append("- requests/s and latency are wrk's (its latency histogram has microsecond resolution); the "
               "interval is a bootstrap of the median over repetitions (with fewer than 3 repetitions, the range).")
    out.append("- Ratios are median over median, with a bootstrap interval that resamples both servers' "
               "repetitions independently.")
    out.append("- CPU / request is the server process's user + system time during the run (/proc/PID/stat, "
               "all threads, 10 ms ticks) divided by the requests wrk completed.")
    out.append("- wrk CPU is wrk's own user + system time over the CPU time its CPUs had during the run.")
    out.append("- Each server runs alone on its CPUs while it is measured; the others are idle. The closed "
               "loop of wrk measures latency at the load it creates, not at a given arrival rate.")
    out.append("")
    return "\n".join(out)
