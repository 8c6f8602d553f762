"""Python packages sqaaas's own test suite needs but pip cannot install with the test extra.

1EdTech's Open Badges 2.0 validator (``openbadges`` 1.1.2, its latest release) pins every
dependency exactly (``Click==6.7``, ``jsonschema==2.6.0``, ``pycryptodome==3.6.6`` ...), and
some of those pins contradict sqaaas's own (click 8, jsonschema 4) or have no build for
Python 3.11. No resolver can satisfy them, so the test extra of pyproject.toml lists the
validator's dependencies at versions that work together with ours, and ``sqaaas setup --dev``
installs the validator itself without its declared dependencies, at the version
constraints.txt pins. ``--quiet`` or not, pip's output is kept out of the terminal.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Callable

from sqaaas.datafiles import data_path
from sqaaas.errors import SqaaasError

#: installed by `sqaaas setup --dev` with `pip install --no-deps` (see the module docstring)
NO_DEPS_PACKAGES = ("openbadges",)


class DevPythonError(SqaaasError):
    """A test-only Python package could not be installed."""


def _pins() -> dict[str, str]:
    """name -> pinned version, from constraints.txt."""
    path = data_path("constraints.txt")
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    found = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;#]+)", text, flags=re.MULTILINE)
    return {name.lower(): version for name, version in found}


def _installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def ensure_no_deps_packages(say: Callable[[str], None]) -> tuple[bool, str]:
    """Install the pinned NO_DEPS_PACKAGES missing from this Python; (changed, detail)."""
    pins = _pins()
    wanted = [f"{name}=={pins[name]}" for name in NO_DEPS_PACKAGES if name in pins]
    missing = [w for w in wanted if _installed(w.split("==")[0]) != w.split("==")[1]]
    if not missing:
        return False, f"{', '.join(wanted) or 'nothing'} present"
    say(f"installing {' '.join(missing)} with pip --no-deps (its own pins conflict with ours)")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *missing],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
        raise DevPythonError(f"pip install --no-deps {' '.join(missing)} failed: {tail}")
    return True, f"installed {', '.join(missing)} (without its dependencies)"
