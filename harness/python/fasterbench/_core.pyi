"""Type stubs for fasterbench._core, the pybind11 extension (import fasterbench instead)."""

from typing import Any, Optional

__version__: str

class ConfigError(ValueError):
    """A configuration fasterbench cannot run; the message names the cause."""

def optimizations(spec: str) -> list[str]:
    """The switches a phase ("P0".."P5") or a comma-separated list of switches turns on."""

def unavailable_reason(spec: str) -> str:
    """Why this build or this Python cannot run the phase or switches, or "" when it can."""

class Pipeline:
    """The framework serving a guest app's routes (fasterbench.App uses it; not public)."""

    def __init__(self, app: dict[str, Any], options: dict[str, Any]) -> None:
        """Starts the pipeline for App._spec() `app` under bench-style `options`; ConfigError if it cannot."""
    def handle(self, method: str, target: str, body: bytes,
               headers: list[tuple[str, str]]) -> tuple[int, str, bytes, Optional[tuple[str, str]]]:
        """One request through the pipeline: (status, content_type, body, error or None)."""
    def routes(self) -> list[dict[str, Any]]:
        """Each route's classification and where it runs, in registration order."""
    def close(self) -> None:
        """Stops the workers and ends the interpreters; the pipeline serves no more."""

def bench(app: dict[str, Any], options: dict[str, Any]) -> str:
    """Measures App._spec() `app` as `fasterbench run` measures a scenario; the results JSON text."""
