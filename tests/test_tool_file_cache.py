"""Per-file tool results: a changed file re-runs a per-file tool on that file alone, and the
report is the one a run from scratch gives."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from sqaaas.repofs import RepoFS
from sqaaas.tools import filecache
from sqaaas.tools.model import Plan, ToolRun
from sqaaas.tools.parsers import ToolFinding
from sqaaas.tools.runner import run_tools
from sqaaas.tools.spec import default_tools
from tests.containers_support import in_containers

CLEAN = '"""Clean."""\n\n\ndef add(a, b):\n    return a + b\n'
LONG = '"""Long."""\n\nVALUE = "' + "x" * 120 + '"\n'
RISKY = ('"""Risky."""\nimport subprocess\n\n\ndef run(cmd):\n'
         '    return subprocess.call(cmd, shell=True)\n')
SUPPRESSED = ('"""Suppressed."""\nimport subprocess\n\n\ndef run(cmd):\n'
              '    return subprocess.call(cmd, shell=True)  # nosec B602\n')
TOOLS = ("flake8", "bandit", "pylint")


def _runs(repo: Path, cache: Path | None) -> tuple[dict[str, ToolRun], list[str]]:
    notes: list[str] = []
    specs = [default_tools()[name] for name in TOOLS]
    return run_tools(specs, RepoFS(repo), cache, notes.append), notes


def _same(run: ToolRun, scratch: ToolRun) -> bool:
    keep = ("status", "version", "findings", "files", "suppressed", "suppressed_in")
    return {k: asdict(run)[k] for k in keep} == {k: asdict(scratch)[k] for k in keep}


@in_containers(timeout=300)
def test_a_changed_file_reruns_per_file_tools_on_it_alone(repo_factory, tmp_path):
    repo = repo_factory({"pkg/__init__.py": "", "pkg/clean.py": CLEAN, "pkg/long.py": LONG,
                         "pkg/risky.py": RISKY, "pkg/quiet.py": SUPPRESSED})
    cache = tmp_path / "cache"
    first, _ = _runs(repo, cache)
    assert first["bandit"].suppressed == 1 and first["bandit"].suppressed_in == {
        "pkg/quiet.py": 1}
    (repo / "pkg" / "clean.py").write_text(CLEAN + "\n\n\ndef sub(a, b):\n    return a-b\n")
    second, notes = _runs(repo, cache)
    assert any("PEP 8" in n and "Bandit" in n and "changed files only" in n for n in notes)
    assert not any("Pylint" in n and "changed files only" in n for n in notes)  # cross-file
    scratch, _ = _runs(repo, None)
    for name in TOOLS:
        assert _same(second[name], scratch[name]), name
    assert [f.code for f in second["flake8"].findings] == ["E303", "E501"]  # in file order
    third, notes = _runs(repo, cache)
    assert all(third[name].cached for name in TOOLS)  # the whole runs were kept as well


@in_containers(timeout=300)
def test_a_per_file_result_is_only_reused_for_the_same_content_and_settings(repo_factory,
                                                                            tmp_path):
    repo = repo_factory({"a.py": LONG, "b.py": CLEAN})
    cache = tmp_path / "cache"
    _runs(repo, cache)
    (repo / "tox.ini").write_text("[flake8]\nmax-line-length = 200\n")
    changed, notes = _runs(repo, cache)
    assert not any("PEP 8" in n and "changed files only" in n for n in notes)
    assert changed["flake8"].findings == []  # the new setting applies to every file


def _plan(files: list[str]) -> Plan:
    spec = default_tools()["flake8"]
    return Plan(spec, files, None, "run-key",  # type: ignore[arg-type]
                file_keys={rel: f"key-{rel}" for rel in files})


def _finding(path: str) -> ToolFinding:
    return ToolFinding(path, 1, "E501", "line too long", "error")


@pytest.mark.parametrize(
    ("findings", "suppressed", "kept"),
    [
        ([_finding("a.py")], {}, True),
        ([_finding("a.py"), _finding("setup.cfg")], {}, False),  # about a file not given
        ([_finding("a.py")], {"a.py": 1}, True),
    ],
)
def test_only_results_that_belong_to_their_files_are_kept_per_file(tmp_path, findings,
                                                                   suppressed, kept):
    plan = _plan(["a.py", "b.py"])
    run = ToolRun("flake8", "ok", "7.0", findings, files=2,
                  suppressed=sum(suppressed.values()), suppressed_in=suppressed)
    filecache.store(plan, run, tmp_path)
    found = filecache.reuse(plan, tmp_path)
    assert bool(found) is kept
    if kept:
        assert found["a.py"].findings == [_finding("a.py")] and found["b.py"].findings == []


def test_suppressions_not_attributed_to_files_keep_the_run_whole(tmp_path):
    plan = _plan(["a.py"])
    run = ToolRun("bandit", "ok", "1.9", [], files=1, suppressed=2, suppressed_in={"a.py": 1})
    filecache.store(plan, run, tmp_path)
    assert filecache.reuse(plan, tmp_path) == {}
