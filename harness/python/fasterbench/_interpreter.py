"""Which interpreter imports the package: the host's main one, or an own-GIL sub-interpreter the
framework made to run handlers (subinterp, phases P3 and later)."""

import sys


def in_subinterpreter() -> bool:
    """True in a sub-interpreter: there the C++ core cannot be loaded (a pybind11 module is
    single-phase initialized, so CPython refuses it in an own-GIL interpreter)."""
    if sys.version_info >= (3, 13):
        import _interpreters
    elif sys.version_info >= (3, 12):
        import _xxsubinterpreters as _interpreters
    else:
        return False  # no own-GIL sub-interpreters before 3.12
    current, main = _interpreters.get_current(), _interpreters.get_main()
    if isinstance(current, tuple):  # 3.13: (id, whence)
        current, main = current[0], main[0]
    return int(current) != int(main)
