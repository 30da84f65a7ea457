"""Type stubs for fasterbench._core, the pybind11 extension (import fasterbench instead)."""

__version__: str

class ConfigError(ValueError):
    """A configuration fasterbench cannot run; the message names the cause."""

def optimizations(spec: str) -> list[str]:
    """The switches a phase ("P0".."P5") or a comma-separated list of switches turns on."""

def unavailable_reason(spec: str) -> str:
    """Why this build or this Python cannot run the phase or switches, or "" when it can."""
