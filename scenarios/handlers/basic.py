"""Handlers shared by several scenarios."""


def hello(request):
    """The plan's simple sync handler: no I/O, a short constant body."""
    return b"Hello, World!"
