"""The README's Quick start is what CI runs: its two commands, locked installs, no drift."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
FENCED = re.compile(r"^```\n(.+?)\n```$", re.M | re.S)


def quick_start_commands() -> list[str]:
    """The fenced one-line commands of the README's Quick start section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in FENCED.findall(section)]


def test_the_readme_starts_with_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^## .+$", text, re.M)[0] == "## Quick start"
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in command for command in commands)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = quick_start_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines
    assert "python -m pytest" in test_command


def test_every_install_is_locked() -> None:
    """Each pip install of the Quick start uses constraints.txt, which pins every package."""
    for command in quick_start_commands():
        for install in re.findall(r"pip install [^&]+", command):
            assert "-c constraints.txt" in install, install
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+!]+", pin) for pin in pins), pins
    names = {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    for needed in ("pytest", "schemathesis", "playwright", "click", "pylint", "tox"):
        assert needed in names, needed


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_canonical(name)] = version
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_installed_requirements_are_the_locked_versions() -> None:
    """What the suite runs with is what constraints.txt says: a dependency added to
    pyproject.toml without re-locking (.ci/lock), or an install without -c, shows here."""
    pins = locked()
    for spec in importlib.metadata.requires("sqaaas") or []:
        requirement = Requirement(spec)
        name = _canonical(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: run .ci/lock"
        installed = importlib.metadata.version(requirement.name)
        assert installed == pins[name], f"{name} {installed} installed, {pins[name]} locked"
        assert requirement.specifier.contains(pins[name]), f"{name}: lock outside {spec}"


def test_the_readme_states_measured_times() -> None:
    """Every row of the Quick start's timing table has a measured figure, not a placeholder."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    rows = re.findall(r"^\| `[^|]*\| ([^|]+) \|$", section.split("\n## ", 1)[0], re.M)
    assert len(rows) >= 6, rows
    assert all(re.search(r"\d+(\.\d+)? (s|min)\b", cell) for cell in rows), rows


SKIPPING_TEST = """
import pytest

def test_needs_a_missing_tool():
    pytest.skip("no frobnicator installed")
"""


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), (None, "skipped")])
def test_in_ci_a_skip_is_a_failure(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None, outcome: str
) -> None:
    """The README promises 0 skipped on a fresh machine: CI checks it by failing skips."""
    monkeypatch.delenv("SQAAAS_SANDBOX", raising=False)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makepyfile(SKIPPING_TEST)
    result = pytester.runpytest("-p", "tests.ci_skips")
    result.assert_outcomes(**{outcome: 1})
    if outcome == "failed":
        result.stdout.fnmatch_lines(["*could not run in CI*no frobnicator installed*"])
