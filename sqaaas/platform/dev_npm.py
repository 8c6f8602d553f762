"""npm packages sqaaas's own test suite runs (``sqaaas setup --dev``), at exact versions.

They are third-party validators of what sqaaas writes (the real consumers' rules), installed
under the user data directory rather than globally, so a test finds them at a known path
and a second setup sees they are present without asking the registry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqaaas.errors import SqaaasError
from sqaaas.paths import default_data_dir


@dataclass(frozen=True)
class NpmTool:
    version: str  # exact
    binary: str  # the executable, relative to the package's folder


DEV_NPM_TOOLS = {
    # Microsoft's SARIF validator, whose "Gh" rules are GitHub code scanning's upload
    # constraints; a self-contained Linux binary inside the package (no .NET install)
    "@microsoft/sarif-multitool-linux": NpmTool("5.7.0", "Sarif.Multitool"),
}
_TIMEOUT_S = 900


def dev_npm_dir() -> Path:
    return default_data_dir() / "dev-npm"


def package_dir(name: str) -> Path:
    return dev_npm_dir() / "node_modules" / name


def binary(name: str) -> Path:
    """The executable of a package of :data:`DEV_NPM_TOOLS` (it may not be installed)."""
    return package_dir(name) / DEV_NPM_TOOLS[name].binary


def installed_version(name: str) -> str | None:
    try:
        data = json.loads((package_dir(name) / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("version") if isinstance(data, dict) else None


def missing() -> list[str]:
    """``name@version`` of the packages not installed at their pinned version."""
    return [
        f"{name}@{tool.version}"
        for name, tool in DEV_NPM_TOOLS.items()
        if installed_version(name) != tool.version
    ]


def ensure(say: Callable[[str], None]) -> tuple[bool, str]:
    """Install the missing packages with npm (which ``sqaaas setup --dev`` installs)."""
    wanted = missing()
    if not wanted:
        return False, f"{', '.join(DEV_NPM_TOOLS)} present"
    npm = shutil.which("npm")
    if npm is None:
        raise SqaaasError("npm is not installed: it is needed for " + ", ".join(wanted))
    dev_npm_dir().mkdir(parents=True, exist_ok=True)
    say(f"installing {' '.join(wanted)} from npm into {dev_npm_dir()}")
    command = [npm, "install", "--prefix", str(dev_npm_dir()), "--save-exact", "--no-audit",
               "--no-fund", "--ignore-scripts", *wanted]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise SqaaasError(f"npm install {' '.join(wanted)} took over {_TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise SqaaasError(f"npm install {' '.join(wanted)} failed: {tail}")
    for name in DEV_NPM_TOOLS:  # what their (skipped) install scripts would do: chmod u+x
        path = binary(name)
        path.chmod(path.stat().st_mode | 0o100)
    return True, f"installed {', '.join(wanted)} from npm"
