"""Inputs that used to crash the tool (exit 3, "internal error") give a report instead.

File names that are not UTF-8, folders nested 1,500 deep, build files nested thousands
deep or holding a 5,000-digit integer: each assessment ends within seconds, under a
memory cap, with exit 0 or 1 and a JSON report whose affected checks say what happened.
A ``.sqaaas.yml`` that cannot be read is the one exception, by design: like any invalid
``.sqaaas.yml`` it is a configuration error (one line naming the file, exit 2), because
assessing without the settings (skips, thresholds) the project asked for would report
something it did not ask for.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sqaaas.gitinfo import GitInfo
from sqaaas.repofs import RepoFS
from sqaaas.sandbox.runner import tree_identity
from tests.repos import commit_all, git, good_repo_files, make_repo

MEMORY_CAP = 3 * 1024**3  # address space of the assessing process (and what it starts)
TIME_CAP = 60.0
DEPTH = 1500
CAFE = os.fsdecode(b"caf\xe9")  # 'caf' + the byte 0xE9 (Latin-1), not UTF-8


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``sqaaas assess`` as a user runs it, under the memory and time caps."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "sqaaas", "assess", "-q", *args, str(repo)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIME_CAP,
        stdin=subprocess.DEVNULL,
        preexec_fn=_capped,
        env={**os.environ, "SQAAAS_CACHE_DIR": str(repo.parent / "cache")},
    )
    assert time.monotonic() - started < TIME_CAP / 2, "the assessment took too long"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc


def _report(repo: Path, *criteria: str) -> dict[str, Any]:
    """The JSON report of an assessment that must end with exit 0 or 1."""
    selected = [arg for c in criteria for arg in ("--criteria", c)]
    proc = _run(repo, "--format", "json", *selected)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _evidence(report: dict[str, Any], sid: str) -> list[dict[str, Any]]:
    for criterion in report["criteria"].values():
        if sid in criterion["subcriteria"]:
            return criterion["subcriteria"][sid]["evidence"]
    raise KeyError(sid)


def _outcome(report: dict[str, Any], sid: str) -> str:
    for criterion in report["criteria"].values():
        if sid in criterion["subcriteria"]:
            return criterion["subcriteria"][sid]["outcome"]
    raise KeyError(sid)


# --- file and ref names that are not UTF-8 -------------------------------------------------


@pytest.fixture
def latin1_repo(tmp_path: Path) -> Path:
    """Committed files, a branch and a commit message whose names are Latin-1 bytes."""
    repo = make_repo(tmp_path / "repo", good_repo_files(), commit=False)
    raw = os.fsencode(repo)
    os.mkdir(raw + b"/docs")
    os.mkdir(raw + b"/tests")
    for name in (b"caf\xe9.py", b"docs/\xe9t\xe9.md", b"tests/test_caf\xe9.py"):
        with open(raw + b"/" + name, "wb") as handle:
            handle.write(b"x = 1\n")
    os.chmod(raw + b"/caf\xe9.py", 0o666)  # world-writable: QC.Sec04 names it
    commit_all(repo, os.fsdecode(b"Add caf\xe9 support (#1)"))
    git(repo, "checkout", "-q", "-b", CAFE)
    return repo


def test_non_utf8_names_are_reported_escaped(latin1_repo):
    report = _report(latin1_repo, "QC.Sec", "QC.Doc", "QC.FAIR", "QC.Ver")
    sec04 = _evidence(report, "QC.Sec04")
    assert any(e.get("path") == "caf\\xe9.py" for e in sec04), sec04
    assert report["repository"]["branch"] == "caf\\xe9"
    assert _outcome(report, "QC.FAIR08") == "pass"  # tests/test_caf\xe9.py counts


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif", "sqaaas-v1"])
def test_non_utf8_names_in_every_format(latin1_repo, fmt):
    proc = _run(latin1_repo, "--format", fmt, "-v", "--criteria", "QC.Sec", "--criteria", "QC.Doc")
    assert proc.returncode in (0, 1), proc.stderr
    assert "caf" in proc.stdout


def test_non_utf8_names_round_trip_between_git_and_the_files(latin1_repo):
    """git's names (``-z``, ``os.fsdecode``) are the file system's names: a file git
    tracks is found tracked, and it opens under the name the tree walk gave it."""
    fs = RepoFS(latin1_repo)
    name = f"{CAFE}.py"
    assert name in {f.path for f in fs.files}
    assert fs.read_bytes(name)[0] == b"x = 1\n"
    info = GitInfo(latin1_repo)
    assert info.is_tracked(latin1_repo, name) and info.is_tracked(latin1_repo, "docs")
    assert info.branch == CAFE
    assert info.pr_references == ["Add café support (#1)"]  # git stored it re-encoded
    assert tree_identity(latin1_repo).startswith("git:")
    (latin1_repo / name).write_bytes(b"x = 2\n")
    assert tree_identity(latin1_repo).startswith("tree:")  # hashed, names as their bytes


# --- folders nested deeper than Python's recursion limit -------------------------------


@pytest.fixture
def deep_repo(tmp_path: Path) -> Iterator[Path]:
    """A repository with a file committed 1,500 folders down, the bottom one world-writable.

    Removed here, bottom up: shutil.rmtree (pytest's clean-up) recurses once per level.
    """
    repo = make_repo(tmp_path / "repo", good_repo_files(), commit=False)
    chain = [repo]
    for _ in range(DEPTH):  # os.makedirs recurses once per level too
        chain.append(chain[-1] / "d")
        chain[-1].mkdir()
    (chain[-1] / "bottom.py").write_text("x = 1\n")
    chain[-1].chmod(0o777)
    commit_all(repo, "Deep")
    try:
        yield repo
    finally:
        (chain[-1] / "bottom.py").unlink()
        for folder in reversed(chain[1:]):
            folder.rmdir()


def test_folders_nested_1500_deep(deep_repo):
    deep = "d/" * DEPTH
    fs = RepoFS(deep_repo)
    assert f"{deep}bottom.py" in {f.path for f in fs.files}
    assert fs.world_writable() == [deep.rstrip("/")]
    assert GitInfo(deep_repo).is_tracked(deep_repo, f"{deep}bottom.py")
    report = _report(deep_repo, "QC.Sec", "QC.Doc", "QC.FAIR")
    assert _outcome(report, "QC.Sec04") == "fail"


# --- build and configuration files over the parsers' bounds ------------------------------


@pytest.mark.parametrize(
    "pyproject",
    [
        pytest.param("a = " + "[" * 10_000 + "]" * 10_000 + "\n", id="nested-arrays"),
        pytest.param("a = " + "{b = " * 5_000 + "1" + "}" * 5_000 + "\n", id="nested-tables"),
        pytest.param(
            '[project]\nname = "x"\nversion = "1.0"\nn = ' + "9" * 5_000 + "\n",
            id="5000-digit-integer",
        ),
    ],
)
def test_unreadable_pyproject_makes_its_checks_errors(tmp_path, pyproject):
    repo = make_repo(tmp_path / "repo", {**good_repo_files(), "pyproject.toml": pyproject})
    report = _report(repo, "QC.Del", "QC.FAIR")
    del01 = _evidence(report, "QC.Del01")
    assert _outcome(report, "QC.Del01") == "error", del01
    assert any(e.get("path") == "pyproject.toml" for e in del01), del01


@pytest.mark.parametrize(
    ("config", "said"),
    [
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", "nested too deeply", id="nested-lists"),
        pytest.param("thresholds:\n  coverage: " + "9" * 5_000 + "\n", "digits", id="integer"),
    ],
)
def test_unreadable_sqaaas_yml_is_one_configuration_error(tmp_path, config, said):
    repo = make_repo(tmp_path / "repo", {**good_repo_files(), ".sqaaas.yml": config})
    proc = _run(repo)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and ".sqaaas.yml" in lines[0] and said in lines[0], proc.stderr
