"""The steps inside the sandbox containers (never imported by sqaaas on the host).

Standard library only, except ``packaging`` from the image's tool venv where requirement
markers must be evaluated for the container's Python. Each step runs in its own container:

``fetch`` (network on): download binary wheels into /wheels; the repository is not even
mounted, and pip runs isolated (``-I``) from /tmp, so nothing written by the repository can
run here. Only wheels: downloading an sdist makes pip run its build backend.
``meta`` (network off): copy the read-only repository (/src) to the scratch volume
(/work/tree) and ask its build backend what it needs (its Requires-Dist).
``install`` (network off): copy the image's tool venv to /work/venv and pip-install the
requirements and the project into it from /wheels only (``--no-index``).
``test`` (network off): run pytest with coverage in /work/tree, writing junit XML and
coverage JSON to /out (a size-limited tmpfs), then say which scratch area filled up.
``collect`` (network off, no repository code): copy the regular files the tests left in
/out to the host's results folder (/results), never following a link.
``restore`` (network off, no repository code): copy the wheels of an earlier identical
download (/wheel-cache, read-only) into /wheels instead of downloading them again; a
``fetch`` given ``save`` copies what it downloaded into /wheel-save for that.
``node_fetch`` (network on): install a JavaScript/TypeScript project's dependencies from
its package.json files and lock file (copied by the host to /inputs, read-only; the
repository is not mounted) with npm, Yarn or pnpm, every install script off, into
/wheels/node.
``node_test`` (network off): copy the tree and the installed node_modules to /work/tree,
run the package's own test script (``npm test``, ``yarn test``, ``pnpm test``) and keep
the coverage reports it wrote.
The repository is copied first because builds and tests write into the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from typing import BinaryIO

SRC, TREE, VENV, OUT = "/src", "/work/tree", "/work/venv", "/out"
WHEELS, RESULTS, INPUTS = "/wheels", "/results", "/inputs"
WHEEL_CACHE, WHEEL_SAVE = "/wheel-cache", "/wheel-save"
TOOLS_VENV = "/opt/sqaaas-venv"
#: The line ``meta`` ends with; the host reads the last one (and trusts none of it).
META_MARKER = "sqaaas-metadata: "
#: The line ``test`` writes for each scratch area left full.
FULL_MARKER = "sqaaas: no space left in "
_MIN_FREE = 1 << 20
_MAX_RESULTS = 16
#: Never copied: VCS-independent caches and environments that only slow the copy down.
SKIP = {".venv", ".tox", ".nox", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
        "node_modules", ".eggs", ".hypothesis"}
#: Used when the repository has no coverage configuration: measure the code, not the tests.
DEFAULT_COVERAGERC = """[run]
source = .
data_file = /tmp/.coverage
omit =
    tests/*
    test/*
    testing/*
    */tests/*
    */test/*
    test_*.py
    */test_*.py
    *_test.py
    conftest.py
    */conftest.py
    setup.py
    noxfile.py
    docs/*
"""
_PIP_QUIET = ["--no-input", "--progress-bar", "off"]
_OFFLINE = ["--no-index", "--find-links", WHEELS]


def _ignore(directory: str, names: list[str]) -> set[str]:
    skipped = set()
    for name in names:
        path = os.path.join(directory, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            skipped.add(name)
            continue
        if name in SKIP or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            skipped.add(name)  # also FIFOs and sockets: reading them would block
        elif stat.S_ISDIR(mode) and os.path.exists(os.path.join(path, "pyvenv.cfg")):
            skipped.add(name)  # a virtualenv
    return skipped


def copy_tree() -> None:
    if os.path.isdir(TREE):
        return
    try:
        shutil.copytree(SRC, TREE, symlinks=True, ignore=_ignore)
    except shutil.Error as exc:  # unreadable files: say which, keep the rest
        for src, _, why in exc.args[0][:20]:
            print(f"sqaaas: not copied: {src}: {why}", file=sys.stderr)


def python() -> str:
    """The venv with the repository's dependencies when they were installed, else the tools'."""
    venv = VENV if os.path.exists(f"{VENV}/bin/python") else TOOLS_VENV
    return f"{venv}/bin/python"


def _lines_file(name: str, lines: list[str]) -> list[str]:
    """``[option, file]`` naming a file of ``lines`` in the container's private /tmp."""
    if not lines:
        return []
    path = f"/tmp/{name}.txt"  # nosec B108 - the container's own tmpfs
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return ["-c" if name == "constraints" else "-r", path]


def _call(argv: list[str], cwd: str) -> int:
    print("sqaaas: " + " ".join(argv[3:]), flush=True)
    return subprocess.call(argv, cwd=cwd, stderr=subprocess.STDOUT)


# -- fetch: the only step with network ------------------------------------------------------


def _project_requires(project: dict[str, object] | None) -> list[str]:
    """The project's Requires-Dist for its chosen extras, markers evaluated here (they
    describe this container's Python), references to the project itself expanded."""
    if not project:
        return []
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    name = canonicalize_name(str(project.get("name") or ""))
    extras = {str(e) for e in project.get("extras", [])}  # type: ignore[attr-defined]
    parsed = []
    for line in project.get("requires", []):  # type: ignore[attr-defined]
        try:
            parsed.append(Requirement(str(line)))
        except InvalidRequirement:
            print(f"sqaaas: skipped an invalid requirement: {line}", flush=True)

    def wanted(req: Requirement) -> bool:
        return req.marker is None or any(
            req.marker.evaluate({"extra": extra}) for extra in ["", *sorted(extras)]
        )

    grown = True
    while grown:  # "project[test]" in the extra "dev" adds the extra "test"
        grown = False
        for req in parsed:
            if wanted(req) and canonicalize_name(req.name) == name and not req.extras <= extras:
                extras |= req.extras
                grown = True
    kept = []
    for req in parsed:
        if wanted(req) and canonicalize_name(req.name) != name:
            extra = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
            kept.append(f"{req.name}{extra}{req.specifier}")
    return kept


def _download(what: str, requirements: list[str], constraints: list[str]) -> int:
    print(f"sqaaas: downloading {what} (binary wheels only)", flush=True)
    argv = [f"{TOOLS_VENV}/bin/python", "-I", "-m", "pip", "download", *_PIP_QUIET]
    argv += ["--only-binary=:all:", "--dest", WHEELS]
    argv += _lines_file(what.replace(" ", "-"), requirements)
    argv += _lines_file("constraints", constraints)
    rc = _call(argv, cwd="/tmp")  # nosec B108 - the container's own tmpfs
    if rc:
        print(
            "sqaaas: only binary wheels are downloaded while the network is on (an sdist "
            "would run its build code): a dependency without a wheel for this Python "
            "cannot be installed",
            flush=True,
        )
    return rc


def fetch(payload: dict[str, object]) -> int:
    build = [str(r) for r in payload.get("build", [])]  # type: ignore[attr-defined]
    if build and (rc := _download("build requirements", build, [])):
        return rc
    runtime = [str(r) for r in payload.get("requirements", [])]  # type: ignore[attr-defined]
    runtime += _project_requires(payload.get("project"))  # type: ignore[arg-type]
    constraints = [str(c) for c in payload.get("constraints", [])]  # type: ignore[attr-defined]
    rc = _download("dependencies", runtime, constraints) if runtime else 0
    if rc == 0 and payload.get("save"):
        copy_wheels(WHEELS, WHEEL_SAVE)
    return rc


def _open_regular(folder: str, name: str, what: str) -> BinaryIO | None:
    """``folder/name`` opened for reading if it is a regular file (never a link, FIFO or
    device); else None, after saying why it is left out (``what``: "copied", "collected")."""
    try:
        fd = os.open(os.path.join(folder, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        print(f"sqaaas: not {what}: {name!r}: {exc.strerror}", flush=True)
        return None
    reader = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(reader.fileno()).st_mode):
        reader.close()
        print(f"sqaaas: not {what}: {name!r}: not a regular file", flush=True)
        return None
    return reader


def copy_wheels(source: str, dest: str) -> int:
    """Copy the regular ``*.whl`` files of ``source`` into ``dest``, never following a link
    (a wheel name is pip's own, but the folder is checked as if it were not)."""
    copied = 0
    for name in sorted(os.listdir(source)):
        if not name.endswith(".whl") or "/" in name or name.startswith("."):
            continue
        if (reader := _open_regular(source, name, "copied")) is None:
            continue
        with reader:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            with os.fdopen(os.open(os.path.join(dest, name), flags, 0o644), "wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
        copied += 1
    return copied


def restore(payload: dict[str, object]) -> int:
    copied = copy_wheels(WHEEL_CACHE, WHEELS)
    print(f"sqaaas: {copied} wheel(s) of an identical earlier download reused, nothing "
          "downloaded", flush=True)
    return 0


# -- offline steps -----------------------------------------------------------------------------


def _target(payload: dict[str, object]) -> str:
    extras = ",".join(payload.get("extras", []))  # type: ignore[arg-type]
    return f".[{extras}]" if extras else "."


def meta(payload: dict[str, object]) -> int:
    copy_tree()
    report = "/tmp/report.json"  # nosec B108 - the container's own tmpfs
    argv = [f"{TOOLS_VENV}/bin/python", "-I", "-m", "pip", "install", *_PIP_QUIET, *_OFFLINE]
    argv += ["--dry-run", "--ignore-installed", "--no-deps", "--report", report, _target(payload)]
    if rc := _call(argv, cwd=TREE):
        return rc
    with open(report, encoding="utf-8") as handle:
        metadata = json.load(handle)["install"][0]["metadata"]
    found = {"name": metadata.get("name"), "requires": metadata.get("requires_dist", [])}
    print(META_MARKER + json.dumps(found), flush=True)
    return 0


def install(payload: dict[str, object]) -> int:
    copy_tree()
    shutil.copytree(TOOLS_VENV, VENV, symlinks=True)
    pip = [python(), "-I", "-m", "pip", "install", *_PIP_QUIET, *_OFFLINE]
    args = _lines_file(
        "requirements", list(payload.get("requirements", []))  # type: ignore[call-overload]
    )
    args += _lines_file(
        "constraints", list(payload.get("constraints", []))  # type: ignore[call-overload]
    )
    if payload.get("project"):
        if _call([*pip, *args, "-e", _target(payload)], cwd=TREE) == 0:
            return 0
        print("sqaaas: editable install failed; trying a regular install", flush=True)
        args.append(_target(payload))
    return _call([*pip, *args], cwd=TREE)


def _report_full(areas: tuple[str, ...] = (OUT, "/work", "/tmp")) -> None:  # nosec B108
    """Name each scratch area the tests left (nearly) full: the reason reports are missing."""
    for area in areas:
        try:
            info = os.statvfs(area)
        except OSError:
            continue
        if info.f_bavail * info.f_frsize < _MIN_FREE or (info.f_files and not info.f_favail):
            print(FULL_MARKER + area, flush=True)


def test(options: dict[str, object]) -> int:
    copy_tree()
    argv = [
        python(), "-m", "pytest", "-p", "no:cacheprovider", "-v", "-rfE", "--tb=short",
        f"--timeout={options['per_test_timeout']}",
        f"--junitxml={OUT}/junit.xml", "-o", "junit_logging=no",
        "--cov", f"--cov-report=json:{OUT}/coverage.json",
    ]
    if not options.get("repo_coverage_config"):
        try:
            with open(f"{OUT}/coveragerc", "w", encoding="utf-8") as handle:
                handle.write(DEFAULT_COVERAGERC)
            argv.append(f"--cov-config={OUT}/coveragerc")
        except OSError as exc:
            print(f"sqaaas: cannot write the coverage settings: {exc.strerror}", flush=True)
    print("sqaaas: " + " ".join(argv[1:]), flush=True)
    rc = subprocess.call(argv, cwd=TREE, stderr=subprocess.STDOUT)
    _report_full()
    return rc


def collect(options: dict[str, object]) -> int:
    """Copy regular files only (never a link, FIFO or device), at most ``limit`` bytes."""
    budget = int(options.get("limit", 0))  # type: ignore[call-overload]
    for name in sorted(os.listdir(OUT))[:_MAX_RESULTS]:
        if (reader := _open_regular(OUT, name, "collected")) is None:
            continue
        with reader:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            with os.fdopen(os.open(os.path.join(RESULTS, name), flags, 0o644), "wb") as writer:
                while budget > 0 and (chunk := reader.read(min(budget, 1 << 20))):
                    writer.write(chunk)
                    budget -= len(chunk)
    return 0


# -- JavaScript/TypeScript ------------------------------------------------------------------

DEPS = f"{WHEELS}/node"
#: coverage reports the test tools write (jest, vitest, c8, nyc), copied to /out when present
NODE_COVERAGE = ("coverage/coverage-summary.json", "coverage/lcov.info")
_NODE_INSTALL = {
    # local folders (file: dependencies, workspaces) as links into the tree, not packed
    # copies of the manifests-only folders the install sees
    "npm": {True: ["npm", "ci", "--install-links=false"],
            False: ["npm", "install", "--no-package-lock", "--install-links=false"]},
    "yarn": {True: ["yarn", "install", "--frozen-lockfile", "--non-interactive"],
             False: ["yarn", "install", "--non-interactive", "--no-lockfile"]},
    "pnpm": {True: ["pnpm", "install", "--frozen-lockfile", "--config.package-import-method=copy"],
             False: ["pnpm", "install", "--config.package-import-method=copy"]},
}


def node_fetch(payload: dict[str, object]) -> int:
    """Install the dependencies from the registry with every install script off, from the
    repository's package.json files and lock file in /inputs (copied by the host, as data:
    no other file of the repository, no .npmrc, no code is there)."""
    shutil.copytree(INPUTS, DEPS, symlinks=False, dirs_exist_ok=True)
    manager = str(payload["manager"])
    argv = [*_NODE_INSTALL[manager][bool(payload.get("locked"))], "--ignore-scripts"]
    print(f"sqaaas: {' '.join(argv)} (install scripts off)", flush=True)
    return subprocess.call(argv, cwd=DEPS, stderr=subprocess.STDOUT)


def _copy_out(rel: str) -> None:
    """A coverage report the tests wrote, when it is a regular file of the tree."""
    source = os.path.join(TREE, rel)
    try:
        if not stat.S_ISREG(os.lstat(source).st_mode):
            return
    except FileNotFoundError:
        return  # the tests' tools wrote no such report
    except OSError as exc:
        print(f"sqaaas: {rel} not kept: {exc.strerror}", flush=True)
        return
    try:
        shutil.copyfile(source, os.path.join(OUT, rel.replace("/", "-")))
    except OSError as exc:
        print(f"sqaaas: {rel} not kept: {exc.strerror}", flush=True)


def node_test(payload: dict[str, object]) -> int:
    copy_tree()
    installed = os.path.join(DEPS, "node_modules")
    if os.path.isdir(installed) and not os.path.exists(os.path.join(TREE, "node_modules")):
        shutil.copytree(installed, os.path.join(TREE, "node_modules"), symlinks=True)
    argv = [str(payload["manager"]), "test"]
    print("sqaaas: " + " ".join(argv), flush=True)
    rc = subprocess.call(argv, cwd=TREE, stderr=subprocess.STDOUT)
    for rel in NODE_COVERAGE:
        _copy_out(rel)
    _report_full()
    return rc


STEPS = {"fetch": fetch, "meta": meta, "install": install, "test": test, "collect": collect,
         "restore": restore, "node_fetch": node_fetch, "node_test": node_test}


def main(argv: list[str]) -> int:
    step, payload = argv[1], json.loads(argv[2])
    return STEPS[step](payload)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
