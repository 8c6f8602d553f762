"""The steps inside the test container (stdlib only; never imported by sqaaas on the host).

``install``: copy the read-only repository (/src) to the scratch volume (/work/tree), copy
the image's tool venv to /work/venv and pip-install the repository's dependencies into it.
``test``: run pytest with coverage in /work/tree, writing junit XML and coverage JSON to /out.
The repository is copied first because builds and tests write into the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

SRC, TREE, VENV, OUT = "/src", "/work/tree", "/work/venv", "/out"
TOOLS_VENV = "/opt/sqaaas-venv"
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


def install(plan: dict[str, object]) -> int:
    copy_tree()
    shutil.copytree(TOOLS_VENV, VENV, symlinks=True)
    pip = [python(), "-m", "pip", "install", "--no-input", "--progress-bar", "off"]
    args: list[str] = []
    for req in plan.get("requirements", []):  # type: ignore[union-attr]
        args += ["-r", str(req)]
    for group in plan.get("groups", []):  # type: ignore[union-attr]
        args += ["--group", str(group)]
    project = plan.get("project")
    extras = ",".join(plan.get("extras", []))  # type: ignore[arg-type]
    target = f".[{extras}]" if extras else "."
    if project:
        print(f"sqaaas: pip install {' '.join(args)} -e {target}", flush=True)
        rc = subprocess.call([*pip, *args, "-e", target], cwd=TREE, stderr=subprocess.STDOUT)
        if rc == 0:
            return 0
        print("sqaaas: editable install failed; trying a regular install", flush=True)
        args.append(target)
    print(f"sqaaas: pip install {' '.join(args)}", flush=True)
    return subprocess.call([*pip, *args], cwd=TREE, stderr=subprocess.STDOUT)


def test(options: dict[str, object]) -> int:
    copy_tree()
    argv = [
        python(), "-m", "pytest", "-p", "no:cacheprovider", "-v", "-rfE", "--tb=short",
        f"--timeout={options['per_test_timeout']}",
        f"--junitxml={OUT}/junit.xml", "-o", "junit_logging=no",
        "--cov", f"--cov-report=json:{OUT}/coverage.json",
    ]
    if not options.get("repo_coverage_config"):
        with open(f"{OUT}/coveragerc", "w", encoding="utf-8") as handle:
            handle.write(DEFAULT_COVERAGERC)
        argv.append(f"--cov-config={OUT}/coveragerc")
    print("sqaaas: " + " ".join(argv[1:]), flush=True)
    return subprocess.call(argv, cwd=TREE, stderr=subprocess.STDOUT)


def main(argv: list[str]) -> int:
    step, payload = argv[1], json.loads(argv[2])
    return install(payload) if step == "install" else test(payload)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
