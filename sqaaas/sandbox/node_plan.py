"""How a JavaScript/TypeScript package runs its own tests, read from its files.

Read on the host through RepoFS (no repository code runs here): the test script of the
root package.json (``scripts.test``; npm's placeholder "no test specified" is none), the
package manager its lock file or ``packageManager`` field names (npm, Yarn, pnpm), and the
files the dependency install needs: every package.json (workspaces) and the lock file,
handed to the install step as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqaaas.repofs import RepoFS
from sqaaas.safeparse import Limits, ParseError, load_json

_MANIFEST_BYTES = 1_000_000
_LOCK_BYTES = 30_000_000
_MAX_MANIFESTS = 200
_LIMITS = Limits(max_bytes=_MANIFEST_BYTES)
#: lock file -> the package manager that wrote it (the first present wins)
LOCKS = {"pnpm-lock.yaml": "pnpm", "yarn.lock": "yarn", "package-lock.json": "npm",
         "npm-shrinkwrap.json": "npm"}
_PLACEHOLDER = "no test specified"  # npm init's test script, which only fails
_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")


@dataclass(frozen=True)
class NodePlan:
    """What the sandbox runs: ``manager test`` after installing ``files`` (if any deps)."""

    manager: str = "npm"
    test_script: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    locked: bool = False
    has_dependencies: bool = False
    #: why the package's tests cannot be run here (None: they can)
    unsupported: str | None = None

    @property
    def command(self) -> str:
        return f"{self.manager} test"


def _package(fs: RepoFS, rel: str) -> dict[str, object] | None:
    file = fs.try_read_text(rel, limit=_MANIFEST_BYTES)
    if file is None:
        return None
    try:
        data = load_json(file.text, source=rel, limits=_LIMITS)
    except ParseError:
        return None
    return data if isinstance(data, dict) else None


def _depends(package: dict[str, object]) -> bool:
    return any(isinstance(package.get(f), dict) and package.get(f) for f in _DEPENDENCY_FIELDS)


def _manager(fs: RepoFS, package: dict[str, object]) -> tuple[str, str | None]:
    """The package manager and its lock file; ``packageManager`` ("pnpm@9.1.0") first."""
    declared = str(package.get("packageManager") or "").partition("@")[0]
    for lock, manager in LOCKS.items():
        if fs.is_file(lock) and (not declared or declared == manager):
            return manager, lock
    return (declared if declared in ("npm", "yarn", "pnpm") else "npm"), None


def _yarn_berry(fs: RepoFS, package: dict[str, object]) -> bool:
    """Yarn 2 or later (Plug'n'Play, its own lock format): not the Yarn of the image."""
    declared = str(package.get("packageManager") or "")
    return fs.is_file(".yarnrc.yml") or (
        declared.startswith("yarn@") and not declared.startswith("yarn@1.")
    )


def _manifests(fs: RepoFS) -> dict[str, str]:
    """Every package.json outside node_modules (the workspaces' too), as text."""
    found: dict[str, str] = {}
    for entry in fs.files:
        if entry.name != "package.json" or "node_modules/" in entry.path:
            continue
        if len(found) >= _MAX_MANIFESTS:
            break
        if (file := fs.try_read_text(entry.path, limit=_MANIFEST_BYTES)) is not None:
            found[entry.path] = file.text
    return found


def node_plan(fs: RepoFS) -> NodePlan | None:
    """The plan for the package at the repository root; None without a package.json."""
    package = _package(fs, "package.json")
    if package is None:
        return None
    scripts = package.get("scripts")
    test = scripts.get("test") if isinstance(scripts, dict) else None
    script = test.strip() if isinstance(test, str) and _PLACEHOLDER not in test else None
    manager, lock = _manager(fs, package)
    files = _manifests(fs)
    if lock and (text := fs.try_read_text(lock, limit=_LOCK_BYTES)) is not None:
        files[lock] = text.text
    if manager == "pnpm" and (ws := fs.try_read_text("pnpm-workspace.yaml")) is not None:
        files["pnpm-workspace.yaml"] = ws.text
    has_deps = any(_depends(_package(fs, rel) or {}) for rel in files if rel.endswith(".json")
                   and rel.rpartition("/")[2] == "package.json")
    unsupported = None
    if manager == "yarn" and _yarn_berry(fs, package):
        unsupported = ("it uses Yarn 2 or later (Plug'n'Play), and the sandbox has Yarn 1 "
                       "(classic), npm and pnpm")
    return NodePlan(manager, script, files, bool(lock), has_deps, unsupported)
