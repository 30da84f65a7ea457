"""fasterbench from Python: the framework and the harness for a Python process (docs/python.md).

    import fasterbench as fb
    fb.optimizations("P4")   # ['direct', 'lockfree', 'subinterp', 'inline-future']
    results = fb.load_results("results/hello/results.json")
    results.configuration("P1").stage("total").p50      # ns, median over the repetitions

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
    from .results import Results, ResultsError

    load_results = Results.load

    __all__ = [
        "App",
        "ConfigError",
        "Response",
        "Results",
        "ResultsError",
        "__version__",
        "load_results",
        "optimizations",
        "unavailable_reason",
    ]
