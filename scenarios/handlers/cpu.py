"""A CPU-bound pure-Python handler for scenarios/cpu.toml."""


def _spin(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def work(request):
    """About 50 µs of pure-Python arithmetic (holds the GIL the whole time)."""
    return {"result": _spin(750)}
