"""fasterbench.App inside an own-GIL sub-interpreter (subinterp, phases P3 and later).

The framework imports every handler module again in each such interpreter. A module written for
guest mode starts with `app = fb.App(...)` and decorates its handlers; there the decorators only
have to leave the functions in the module for the framework to find: this App registers nothing
and cannot serve or measure (the main interpreter's App does)."""

from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class App:
    """The handler-module view of fasterbench.App: decorators that return the function as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def route(self, method: str, path: str, **options: Any) -> Callable[[F], F]:
        return lambda function: function

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route("GET", path)

    post = put = delete = patch = head = options = get

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"fasterbench.App.{name} is not available in a sub-interpreter: "
                           "the main interpreter's App serves and measures")
