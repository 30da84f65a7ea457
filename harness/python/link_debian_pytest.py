"""Makes Debian's pytest importable by the embedded CPython: links the pure-Python modules of
pytest and its dependencies (as /usr/bin/python3 finds them) into one folder.

Usage: /usr/bin/python3 link_debian_pytest.py DIR. Exits 1 naming what is missing; a module
with compiled parts is refused, since it was built for /usr/bin/python3's version only."""

import importlib
import os
import sys

# pytest 7 and what it imports; the last two only on Pythons older than 3.11.
MODULES = ["pytest", "_pytest", "pluggy", "iniconfig", "packaging", "py", "attr", "attrs",
           "exceptiongroup", "tomli"]
OPTIONAL = {"py", "attrs", "exceptiongroup", "tomli"}


def module_path(name):
    module = importlib.import_module(name)
    path = module.__file__
    return os.path.dirname(path) if os.path.basename(path) == "__init__.py" else path


def is_pure_python(path):
    if os.path.isfile(path):
        return path.endswith(".py")
    return not any(f.endswith(".so") for _, _, files in os.walk(path) for f in files)


def main(target):
    os.makedirs(target, exist_ok=True)
    for name in MODULES:
        try:
            path = module_path(name)
        except ImportError:
            if name in OPTIONAL:
                continue
            sys.exit(f"link_debian_pytest: /usr/bin/python3 cannot import {name} "
                     "(install Debian's python3-pytest)")
        if not is_pure_python(path):
            sys.exit(f"link_debian_pytest: {path} has compiled parts; it cannot serve another Python")
        link = os.path.join(target, os.path.basename(path))
        if os.path.islink(link) and os.readlink(link) == path:
            continue
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(path, link)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: link_debian_pytest.py DIR")
    main(sys.argv[1])
