"""QC.Sec01 (security policy), Sec03 (security tools in CI), Sec04 (no world-writable files)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.outcomes import Outcome
from tests.conftest import report_hint, run_probe

POLICY = "# Security policy\n\nReport vulnerabilities privately to security@example.org.\n"


# --- QC.Sec01: sec.security_policy ------------------------------------------------------


def test_security_policy_in_github_folder_passes(repo_factory):
    repo = repo_factory({".github/SECURITY.md": POLICY})
    finding = run_probe(repo, "sec.security_policy")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert evidence.path == ".github/SECURITY.md"
    assert evidence.excerpt == "# Security policy"


def test_security_policy_any_case_and_extension_in_docs(repo_factory):
    repo = repo_factory({"docs/security.rst": "Security\n========\n\nMail us.\n"})
    finding = run_probe(repo, "sec.security_policy")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "docs/security.rst"


def test_missing_security_policy_fails_with_hint(repo_factory):
    repo = repo_factory({"README.md": "# x\n", "src/security.py": "x = 1\n"})
    finding = run_probe(repo, "sec.security_policy")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no security policy")
    assert "SECURITY.md" in (finding.hint or "")


def test_empty_security_policy_fails(repo_factory):
    repo = repo_factory({"SECURITY.md": "\n  \n"})
    finding = run_probe(repo, "sec.security_policy")
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence[0].message, finding.evidence[0].path) == (
        "the security policy is empty", "SECURITY.md"
    )


# --- QC.Sec03: sec.tools_in_ci ----------------------------------------------------------


def test_bandit_in_pre_commit_passes(repo_factory):
    config = "repos:\n  - repo: https://github.com/PyCQA/bandit\n    rev: 1.7.9\n"
    repo = repo_factory({".pre-commit-config.yaml": config})
    finding = run_probe(repo, "sec.tools_in_ci")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert (evidence.message, evidence.path, evidence.line) == (
        "SAST: bandit", ".pre-commit-config.yaml", 2
    )


def test_scheduled_codeql_workflow_passes(repo_factory):
    workflow = (
        "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  analyse:\n    steps:\n"
        "      - uses: github/codeql-action/init@v3\n"
    )
    repo = repo_factory({".github/workflows/codeql.yml": workflow})
    finding = run_probe(repo, "sec.tools_in_ci")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].message, finding.evidence[0].line) == ("SAST: CodeQL", 7)


def test_dependabot_counts_as_dependency_update_evidence(repo_factory):
    repo = repo_factory({".github/dependabot.yml": "version: 2\nupdates: []\n"})
    finding = run_probe(repo, "sec.tools_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == ".github/dependabot.yml"
    assert "Dependabot" in finding.evidence[0].message


def test_no_security_tooling_fails(repo_factory):
    workflow = "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n      # - run: bandit .\n"
    repo = repo_factory({".github/workflows/ci.yml": workflow, "app.py": "X = 1\n"})
    finding = run_probe(repo, "sec.tools_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert "bandit" in report_hint(repo, "QC.Sec03")  # the hint for a Python repository


def test_tox_security_env_not_run_by_ci_does_not_count(repo_factory):
    repo = repo_factory({"tox.ini": "[testenv:sec]\ncommands = bandit -r src\n"})
    finding = run_probe(repo, "sec.tools_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message == "SAST: bandit, but no CI pipeline runs tox"
    assert (finding.evidence[1].path, finding.evidence[1].line) == ("tox.ini", 2)


# --- QC.Sec04: sec.no_world_writable ----------------------------------------------------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Fixture files get the modes a developer's checkout has, whatever the runner's umask."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_world_writable_file_fails_naming_it(repo_factory):
    repo = repo_factory({"etc/app.conf": "debug = false\n", "README.md": "# x\n"})
    (repo / "etc" / "app.conf").chmod(0o666)
    finding = run_probe(repo, "sec.no_world_writable")
    assert finding.outcome is Outcome.FAIL
    [evidence] = finding.evidence
    assert (evidence.path, evidence.value, evidence.message) == (
        "etc/app.conf", "0o666", "world-writable file"
    )
    assert finding.hint == "Remove write permission for others: chmod o-w 'etc/app.conf'"


@pytest.mark.usefixtures("usual_umask")
def test_world_writable_directory_fails(repo_factory):
    repo = repo_factory({"logs/.keep": ""})
    (repo / "logs").chmod(0o777)
    finding = run_probe(repo, "sec.no_world_writable")
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence[0].path, finding.evidence[0].message) == (
        "logs", "world-writable directory"
    )


@pytest.mark.usefixtures("usual_umask")
def test_no_world_writable_files_pass(repo_factory):
    repo = repo_factory({"etc/app.conf": "debug = false\n", "run.sh": "#!/bin/sh\n"})
    (repo / "run.sh").chmod(0o755)
    finding = run_probe(repo, "sec.no_world_writable")
    assert finding.outcome is Outcome.PASS
    assert "no world-writable file" in finding.evidence[0].message


@pytest.mark.usefixtures("usual_umask")
def test_cloned_repository_says_modes_come_from_git(repo_factory):
    repo = repo_factory({"etc/app.conf": "x\n"})
    (repo / "etc" / "app.conf").chmod(0o666)  # e.g. a permissive umask at clone time
    checkout = replace(acquire(str(repo)), cloned=True)
    finding = registry.get("sec.no_world_writable")(make_context(checkout))
    assert finding.outcome is Outcome.PASS
    assert "file modes come from git, which records only 644 or 755" in finding.evidence[0].message
