"""fasterbench from Python: the framework and the harness for a Python process (docs/python.md).

    import fasterbench as fb
    fb.optimizations("P4")   # ['direct', 'lockfree', 'subinterp', 'inline-future']
    results = fb.run(scenario="scenarios/hello.toml", phase="P1", requests=20_000)
    results.stage("total").p50                          # ns, median over the repetitions
    fb.gate("main", results).overall                    # against a stored baseline

    app = fb.App(optimizations="P4")      # guest mode: this process's functions as handlers
    @app.get("/hello")
    def hello(request): return b"hello"
    app.handle("GET", "/hello").body      # b'hello'
    app.bench(requests=100_000, phase="P1")

Configuration errors raise fasterbench.ConfigError (a ValueError) with the harness's message.
"""

from ._interpreter import in_subinterpreter as _in_subinterpreter

if _in_subinterpreter():
    # An own-GIL sub-interpreter importing a guest app's handler module again (subinterp): the
    # C++ core cannot load here and is not needed; App's decorators leave the functions as they are.
    from ._handler_shell import App

    __all__ = ["App"]
else:
    from ._core import ConfigError, __version__, optimizations, unavailable_reason
    from .app import App, Response
    from .gate import GateResult, StageVerdict
    from .results import Nanoseconds, Results, ResultsError
    from .scripting import CommandError, cli_arguments, gate, phases, run, save_baseline

    load_results = Results.load

    # One name a line, sorted, so that additions merge without conflicts.
    __all__ = [
        "App",
        "CommandError",
        "ConfigError",
        "GateResult",
        "Nanoseconds",
        "Response",
        "Results",
        "ResultsError",
        "StageVerdict",
        "__version__",
        "cli_arguments",
        "gate",
        "load_results",
        "optimizations",
        "phases",
        "run",
        "save_baseline",
        "unavailable_reason",
    ]
