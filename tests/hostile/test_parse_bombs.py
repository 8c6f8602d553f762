"""Parse bombs committed to an assessed repository (issue 13, point 5).

Every YAML, TOML and JSON file sqaaas parses gets a 'billion laughs' alias bomb (9 levels of
9 aliases), 100,000 levels of nesting, a 5,000-digit integer or 50 MB of content. The real
command runs in a child process whose address space is capped (a regression fails the test
instead of swapping the host), and must: finish within seconds, stay under 500 MB of RSS,
exit 0 or 1 (never 3, an internal error), and report the affected check as ``error`` with
the file and the limit in its evidence. A bad ``.sqaaas.yml`` or pipeline file is an input
error instead: exit 2 with one line naming the file and the limit.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.repos import README_GOOD, make_repo

TIMEOUT_S = 60  # the child is killed (and the test fails) after this
MAX_SECONDS = 20  # "within seconds", with room for a loaded CI machine
MAX_RSS_MB = 500
ADDRESS_SPACE_CAP = 3 << 30
DEEP = 100_000
HUGE = 50_000_000
#: criteria that parse repository files without running tools or containers
CRITERIA = ("QC.Wor", "QC.Del", "QC.Met", "QC.Lic", "QC.Ver")
WORKFLOW = ".github/workflows/ci.yml"
WORKFLOW_HEAD = "name: ci\non: [push, pull_request]\njobs: {test: {runs-on: ubuntu, steps: " \
    "[{run: pytest}]}}\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Top-level keys whose last one expands to width**levels 'lol's when walked."""
    lines = [f"x-lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    lines += [
        f"x-lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * width)}]"
        for n in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def deep_flow(opening: str = "[", closing: str = "]") -> str:
    return opening * DEEP + closing * DEEP


@dataclass(frozen=True)
class Measured:
    rc: int
    seconds: float
    rss_mb: float
    stdout: str
    stderr: str


def _cap_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def run_sqaaas(tmp_path: Path, *args: str) -> Measured:
    """``python -m sqaaas ARGS`` in a capped child, with its wall time and peak RSS."""
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sqaaas", *args],
            stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
            preexec_fn=_cap_address_space,
        )
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > TIMEOUT_S:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            pytest.fail(f"sqaaas {' '.join(args[:2])} still running after {TIMEOUT_S} s")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        proc.returncode, time.monotonic() - started, usage.ru_maxrss / 1024,
        out.read_text(errors="replace"), err.read_text(errors="replace"),
    )


def assert_bounded(run: Measured) -> None:
    assert run.seconds < MAX_SECONDS, f"took {run.seconds:.1f} s"
    assert run.rss_mb < MAX_RSS_MB, f"peak RSS {run.rss_mb:.0f} MB"
    assert run.rc != 3 and "internal error" not in run.stderr, run.stderr[-2000:]


def assess(tmp_path: Path, repo: Path, criteria: tuple[str, ...] = CRITERIA) -> dict[str, Any]:
    """The JSON report of ``sqaaas assess`` on ``repo``, after checking the run's bounds."""
    wanted = [arg for criterion in criteria for arg in ("--criteria", criterion)]
    run = run_sqaaas(tmp_path, "assess", "-q", "--format", "json", *wanted, str(repo))
    assert_bounded(run)
    assert run.rc in (0, 1), run.stderr[-2000:]
    report: dict[str, Any] = json.loads(run.stdout)
    crashed = [e["message"] for sub in _subcriteria(report).values() for e in sub["evidence"]
               if "crashed" in e["message"]]
    assert not crashed, crashed
    return report


def _subcriteria(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {sid: sub for c in report["criteria"].values() for sid, sub in c["subcriteria"].items()}


def errors_about(report: dict[str, Any], path: str) -> dict[str, list[dict[str, Any]]]:
    """Subcriterion id -> its evidence about ``path``, for the subcriteria that say error."""
    found: dict[str, list[dict[str, Any]]] = {}
    for sid, sub in _subcriteria(report).items():
        about = [e for e in sub["evidence"] if e.get("path") == path]
        if sub["outcome"] == "error" and about:
            found[sid] = about
    return found


@dataclass(frozen=True)
class Case:
    path: str
    content: Callable[[], str]
    words: str  # in the error evidence: the limit, as the message states it
    limits: tuple[int, ...]  # the evidence's value (files several readers cap differently)
    extra: tuple[tuple[str, str], ...] = ()  # other files of the repository


ALIASES = "more than 50000 nodes once YAML aliases are expanded"
CASES = {
    "workflow-alias-bomb": Case(
        WORKFLOW, lambda: WORKFLOW_HEAD + alias_bomb(), ALIASES, (50_000,)),
    "workflow-deep-nesting": Case(
        WORKFLOW, lambda: WORKFLOW_HEAD + "x: " + deep_flow(),
        "YAML nested too deeply (over 200 levels)", (200,)),
    "workflow-50MB": Case(
        WORKFLOW, lambda: WORKFLOW_HEAD + "x: '" + "x" * HUGE + "'\n",
        "YAML document larger than 500000 bytes", (500_000,)),
    "citation-alias-bomb": Case(
        "CITATION.cff", lambda: "cff-version: 1.2.0\n" + alias_bomb(), ALIASES, (50_000,)),
    "citation-deep-nesting": Case(
        "CITATION.cff", lambda: "cff-version: 1.2.0\nx:\n" + "- " * DEEP + "leaf\n",
        "YAML nested too deeply", (200,)),
    "pyproject-deep-nesting": Case(
        "pyproject.toml", lambda: "[project]\nname = 'x'\nx = " + deep_flow(),
        "TOML nested too deeply", (200,)),
    "pyproject-deep-tables": Case(
        "pyproject.toml", lambda: "[" + ".".join(["t"] * DEEP) + "]\nx = 1\n",
        "TOML nested too deeply", (200,)),
    "pyproject-dotted-key": Case(  # tomllib would need memory quadratic in the key's parts
        "pyproject.toml", lambda: ".".join(["k"] * DEEP) + " = 1\n",
        "TOML nested too deeply", (200,)),
    "pyproject-5000-digits": Case(
        "pyproject.toml", lambda: "[project]\nname = 'x'\nn = " + "1" * 5000 + "\n",
        "TOML integer longer than 4300 digits", (4300,)),
    "package-json-deep-nesting": Case(
        "package.json", lambda: '{"name": "x", "a": ' + deep_flow() + "}",
        "JSON nested too deeply", (200,)),
    "package-json-5000-digits": Case(
        "package.json", lambda: '{"name": "x", "n": ' + "7" * 5000 + "}",
        "JSON integer longer than 4300 digits", (4300,)),
    "package-json-50MB": Case(  # QC.Del reads 500 kB of a build file, other criteria 1 MB
        "package.json", lambda: '{"name": "x", "pad": "' + "x" * HUGE + '"}',
        "larger than", (500_000, 1_000_000)),
    "codemeta-deep-nesting": Case(
        "codemeta.json", lambda: '{"name": "x", "a": ' + deep_flow('{"a": ', "}") + "}",
        "JSON nested too deeply", (200,)),
    "codemeta-50MB": Case(
        "codemeta.json", lambda: '{"name": "' + "x" * HUGE + '"}',
        "larger than 1000000 bytes", (1_000_000,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_file_is_an_error_of_the_checks_reading_it(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    files = {"README.md": README_GOOD, case.path: case.content(), **dict(case.extra)}
    repo = make_repo(tmp_path / "repo", files)
    report = assess(tmp_path, repo)
    errors = errors_about(report, case.path)
    assert errors, f"no check says error about {case.path}"
    for sid, evidence in errors.items():
        assert any(case.words in e["message"] and e["value"] in case.limits for e in evidence), (
            sid, evidence)


def test_the_workflow_bomb_errs_every_check_relying_on_its_triggers(tmp_path: Path) -> None:
    """Whether CI runs for every change is unknown: tests-in-CI and publishing say error,
    checks that do not need the workflow's YAML keep their verdicts."""
    repo = make_repo(tmp_path / "repo", {"README.md": README_GOOD,
                                         WORKFLOW: WORKFLOW_HEAD + alias_bomb()})
    report = assess(tmp_path, repo, ("QC.Wor", "QC.Del"))
    assert {"QC.Wor01.2", "QC.Del02"} <= set(errors_about(report, WORKFLOW))
    assert _subcriteria(report)["QC.Del01"]["outcome"] == "fail"  # no build file at all


def test_yaml_files_only_searched_line_by_line_cost_nothing(tmp_path: Path) -> None:
    """CI files of other systems, pre-commit, mkdocs, compose files and recipes are searched
    by line, never built into objects: a bomb in them is just text."""
    searched = (".gitlab-ci.yml", ".pre-commit-config.yaml", "mkdocs.yml", ".sqa/config.yml",
                ".sqa/docker-compose.yml", "docker-compose.yml", ".readthedocs.yaml",
                ".travis.yml", "environment.yml", "meta.yaml")
    files = {path: alias_bomb() for path in searched} | {"README.md": README_GOOD}
    report = assess(tmp_path, make_repo(tmp_path / "repo", files))
    assert not [errors_about(report, path) for path in searched if errors_about(report, path)]


@pytest.mark.parametrize(("content", "words"), [
    (alias_bomb(), "more than 50000 nodes once YAML aliases are expanded"),
    ("skip: " + "[" * DEEP, "nested too deeply (over 200 levels)"),  # unclosed: in 200 kB
    ("thresholds: {coverage: " + "1" * 5000 + "}\n", "integer longer than 4300 digits"),
    ("skip: {QC.Acc: '" + "x" * HUGE + "'}\n", "larger than 200000 bytes"),
], ids=["alias-bomb", "deep-nesting", "5000-digits", "50MB"])
def test_a_hostile_sqaaas_yml_is_a_one_line_config_error(
    tmp_path: Path, content: str, words: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": README_GOOD, ".sqaaas.yml": content})
    run = run_sqaaas(tmp_path, "assess", "-q", "--format", "json", str(repo))
    assert_bounded(run)
    assert run.rc == 2
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("sqaaas: error: .sqaaas.yml") and words in line


def test_a_hostile_pyproject_config_falls_back_to_defaults(tmp_path: Path) -> None:
    """[tool.sqaaas] cannot be read from it: defaults apply, QC.Del says why (as for any
    pyproject.toml that does not parse)."""
    text = "[tool.sqaaas]\nskip = {QC.Wor = 'no CI here, on purpose'}\nx = " + deep_flow()
    repo = make_repo(tmp_path / "repo", {"README.md": README_GOOD, "pyproject.toml": text})
    report = assess(tmp_path, repo, ("QC.Del", "QC.Wor"))
    assert report["config_source"] is None
    assert "QC.Del01" in errors_about(report, "pyproject.toml")


@pytest.mark.parametrize(("path", "content", "words"), [
    (".sqa/config.yml", alias_bomb(), "more than 50000 nodes once YAML aliases are expanded"),
    (".sqa/config.yml", "x: " + deep_flow(), "YAML nested too deeply"),
    (".sqa/docker-compose.yml", "services: {}\n" + alias_bomb(), "once YAML aliases"),
    (".sqaaas-pipeline.yml", alias_bomb(), "once YAML aliases are expanded"),
    (".sqaaas-pipeline.yml", "x: '" + "x" * HUGE + "'\n", "larger than 2097152 bytes"),
], ids=["jepl-alias-bomb", "jepl-deep", "jepl-compose-bomb", "spec-alias-bomb", "spec-50MB"])
def test_a_hostile_pipeline_file_is_a_one_line_error(
    tmp_path: Path, path: str, content: str, words: str
) -> None:
    files = {"README.md": README_GOOD, path: content}
    if path == ".sqa/docker-compose.yml":
        files[".sqa/config.yml"] = (
            "sqa_criteria: {QC.Doc: {repos: {this_repo: {container: c, commands: [ls]}}}}\n"
        )
    repo = make_repo(tmp_path / "repo", files)
    run = run_sqaaas(tmp_path, "run", "-q", str(repo))
    assert_bounded(run)
    assert run.rc == 2
    (line,) = run.stderr.strip().splitlines()
    assert path in line and words in line


# --- what the repository's code writes, and what a service sends ------------------------------


@pytest.mark.parametrize("report", [
    b"<testsuites>" + b"<t>" * DEEP + b"</t>" * DEEP + b"</testsuites>",
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">]><testsuites>&a;</testsuites>',
], ids=["deep", "entities"])
def test_a_hostile_junit_report_is_no_result(report: bytes) -> None:
    """The sandboxed suite writes junit.xml: a bomb there is 'no results' (an error)."""
    from sqaaas.sandbox.results import parse_junit

    started = time.monotonic()
    assert parse_junit(report) is None
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("report", [
    '{"totals": ' + "[" * DEEP + "]" * DEEP + "}",
    '{"totals": {"num_statements": ' + "1" * 5000 + ', "covered_lines": 1}}',
], ids=["deep", "5000-digits"])
def test_a_hostile_coverage_report_is_no_coverage(report: str) -> None:
    from sqaaas.sandbox.results import parse_coverage

    assert parse_coverage(report.encode(), "/work/tree") is None


@pytest.mark.parametrize(("body", "problem"), [
    ('{"openapi": "3.0.3", "x": ' + deep_flow() + "}", "JSON nested too deeply"),
    ('{"openapi": "3.0.3", "x": ' + "1" * 5000 + "}", "JSON integer longer than 4300 digits"),
    ("openapi: 3.0.3\nx: " + "[" * DEEP, "YAML nested too deeply"),
    ("openapi: 3.0.3\n" + alias_bomb(), "once YAML aliases are expanded"),
], ids=["json-deep", "json-5000-digits", "yaml-deep", "yaml-alias-bomb"])
def test_a_hostile_openapi_document_is_refused_with_the_limit(body: str, problem: str) -> None:
    from sqaaas.facts.service.openapi import parse_document

    data, why = parse_document(body.encode())
    assert data is None and why is not None and problem in why
