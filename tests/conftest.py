"""Shared fixtures: fixture-repository builders and helpers to run probes and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.catalogue import default_catalogue
from sqaaas.core.model import Report
from sqaaas.core.outcomes import Finding
from sqaaas.subjects.repository import assess
from tests.containers_support import ready_engine_fixture  # noqa: F401  (session fixture)
from tests.repos import make_repo

#: tests.ci_skips: in CI a skip is a failure; pytester: tests of that rule run pytest itself
pytest_plugins = ["tests.ci_skips", "pytester"]
#: Inside sqaaas's own sandbox (sqaaas assessing itself) the modules that import 1EdTech's
#: validator, which `sqaaas setup --dev` installs outside the test extra, cannot be collected.
collect_ignore = (
    ["test_badge_ob2_validator.py", "test_badge_interop.py"]
    if os.environ.get("SQAAAS_SANDBOX") == "1" else []
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Inside sqaaas's own sandbox (when sqaaas assesses itself) there is no container engine
    and no Debian-only tool: say so with a visible skip instead of failing."""
    if os.environ.get("SQAAAS_SANDBOX") != "1":
        return
    reason = "running inside the sqaaas test sandbox: no container engine or system tools there"
    for item in items:
        if item.get_closest_marker("containers") or item.get_closest_marker("system_tools"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own sqaaas cache (clones, tool results), so no test reuses another's."""
    cache = tmp_path_factory.mktemp("sqaaas-cache")
    monkeypatch.setenv("SQAAAS_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def repo_factory(tmp_path: Path) -> Callable[..., Path]:
    """make_repo() in a fresh sub-directory of tmp_path: repo_factory(files, tags=[...])."""
    counter = iter(range(10_000))

    def build(files: dict[str, str | bytes] | None = None, **kwargs: object) -> Path:
        return make_repo(
            tmp_path / f"repo{next(counter)}", files, **kwargs  # type: ignore[arg-type]
        )

    return build


def run_probe(repo: Path, name: str) -> Finding:
    """Run one registered probe against a local repository."""
    ctx = make_context(acquire(str(repo)))
    return registry.get(name)(ctx)


def assess_repo(repo: Path, criteria: list[str] | None = None, profile: str | None = None
                ) -> Report:
    return assess(acquire(str(repo)), criteria=criteria, profile=profile)


def report_hint(repo: Path, sid: str) -> str:
    """The hint the report gives for subcriterion ``sid``: the probe's, else the criteria
    data's for the repository's main language (probes leave generic advice to the data)."""
    criteria = default_catalogue().criteria.values()
    cid = next(c.id for c in criteria if any(s.id == sid for s in c.subcriteria))
    return assess_repo(repo, [cid]).criteria[cid].subcriteria[sid].hint


@pytest.fixture(scope="session")
def sqaaas_exe() -> str:
    """The console script of the Python running the tests (a venv need not be activated)."""
    beside = Path(sys.executable).parent / "sqaaas"
    exe = str(beside) if beside.is_file() else shutil.which("sqaaas")
    if exe is None:
        pytest.fail("the sqaaas console script is not installed: pip install -e '.[test]'")
    return exe


@pytest.fixture
def run_cli(sqaaas_exe: str, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `sqaaas` as a subprocess (isolated cache dir, 120 s limit)."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SQAAAS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "120"}
        return subprocess.run(
            [sqaaas_exe, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    return run
