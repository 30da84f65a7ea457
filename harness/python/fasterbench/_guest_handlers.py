"""Handlers of guest apps that the framework cannot import by their own module:function (a
function of __main__, a closure, a lambda). The main interpreter imports them from here by a
name App gives each one ("fasterbench._guest_handlers:h3"); own-GIL sub-interpreters cannot (this
module is empty there), which is why App refuses them under subinterp."""

from typing import Any, Callable

_next_id = 0


def keep(function: Callable[..., Any]) -> str:
    """Keeps `function` under a new name of this module and returns its handler spec."""
    global _next_id
    _next_id += 1
    name = f"h{_next_id}"
    globals()[name] = function
    return f"{__name__}:{name}"


def forget(spec: str) -> None:
    """Drops a function kept by keep() (its App is closed)."""
    globals().pop(spec.rpartition(":")[2], None)
