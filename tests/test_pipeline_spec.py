"""The pipeline spec's rules, the commands every target and ``sqaaas run`` share, and the
step checks (``sqaaas pipeline tool`` / ``verdict``) that a sqaaas install can use."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from sqaaas.acquire import acquire
from sqaaas.pipelines import commands
from sqaaas.pipelines.commands import StepKind
from sqaaas.pipelines.init import derive_spec, repository_of
from sqaaas.pipelines.spec import BranchCondition, SpecError, Step, When, parse_spec
from tests.containers_support import in_containers
from tests.repos import gold_repo_files, good_repo_files, make_repo

BASE = {"repositories": [{"name": "r", "url": "https://example.org/r"}]}


def spec_with(criteria: dict, **extra: object):
    return parse_spec({**BASE, "criteria": criteria, **extra})


@pytest.mark.parametrize(
    ("criteria", "extra", "message"),
    [
        ({"QC.Sty": [{"name": "a", "tool": "ruff", "commands": ["x"]}]}, {}, "not both"),
        ({"QC.Sty": [{"name": "a"}, {"name": "a"}]}, {}, "used twice"),
        ({"QC.Sty": [{"name": "a", "repository": "nope"}]}, {}, "unknown repository"),
        ({"Sty": [{"name": "a"}]}, {}, "not a criterion id"),
        ({"QC.Sty": [{"name": "a b"}]}, {}, "letters, digits"),
        (
            {"QC.Sty": [{"name": "a", "when": {"branch": {"pattern": "(", "comparator": "REGEXP"}}}]},  # noqa: E501
            {},
            "invalid regular expression",
        ),
        ({"QC.Sty": [{"name": "a"}]}, {"sqaaas_requirement": "--index-url=x"}, "pip requirement"),
        ({"QC.Sty": [{"name": "a"}]}, {"sqaaas_requirement": "evil==1.0"}, "must install sqaaas"),
        ({"QC.Sty": [{"name": "a"}]}, {"environment": {"A-B": "x"}}, "environment variable"),
    ],
)
def test_invalid_specs_are_refused_with_the_field(criteria, extra, message) -> None:
    with pytest.raises(SpecError, match=message):
        spec_with(criteria, **extra)


def test_registry_checks_need_known_tools_and_criteria() -> None:
    with pytest.raises(SpecError, match="unknown tool 'flake9'"):
        commands.validate(spec_with({"QC.Sty": [{"name": "a", "tool": "flake9"}]}))
    with pytest.raises(SpecError, match=r"tool bandit decides no subcriterion of QC\.Sty"):
        commands.validate(spec_with({"QC.Sty": [{"name": "a", "tool": "bandit"}]}))
    with pytest.raises(SpecError, match=r"tool ruff decides no subcriterion of QC\.Sty"):
        commands.validate(spec_with({"QC.Sty": [{"name": "a", "tool": "ruff"}]}))  # evidence
    with pytest.raises(SpecError, match=r"unknown criterion QC\.Xyz"):
        commands.validate(spec_with({"QC.Xyz": [{"name": "a"}]}))
    with pytest.raises(SpecError, match=r"no registry tool checks QC\.Lic in CI"):
        commands.validate(spec_with({"QC.Lic": [{"name": "a"}]}))
    with pytest.raises(SpecError, match="is not a badge level"):
        commands.validate(spec_with({"QC.Sec": [{"name": "a"}]}, fail_under="platinum",
                                    sqaaas_requirement="sqaaas @ https://example.org/s.tgz"))
    commands.validate(spec_with({"QC.Sec": [{"name": "a", "tool": "bandit"}]}))
    commands.validate(spec_with({"QC.Lic": [{"name": "a", "commands": ["reuse lint"]}]}))


def test_sqaaas_requirement_may_be_a_url_and_adds_the_assess_step() -> None:
    spec = spec_with(
        {"QC.Sty": [{"name": "a"}]},
        sqaaas_requirement="sqaaas @ https://example.org/sqaaas-0.1.0.tar.gz",
        fail_under="silver",
    )
    install = commands.assess_install(spec)
    assert shlex.split(install[-1]) == [
        "python", "-m", "pip", "install", "--quiet",
        "sqaaas @ https://example.org/sqaaas-0.1.0.tar.gz",
    ]  # fmt: skip
    assert commands.assess_lines(spec)[-1] == (
        "sqaaas assess . --fail-under silver --format json --output reports/sqaaas.json --quiet"
    )
    assert commands.assess_lines(spec.model_copy(update={"sqaaas_requirement": None})) == []


def test_step_kinds_and_their_commands() -> None:
    default, tool, custom = Step(name="d"), Step(name="t", tool="cppcheck"), Step(
        name="c", commands=("make test",)
    )
    assert [commands.step_kind(s) for s in (default, tool, custom)] == [
        StepKind.TOOLS,
        StepKind.TOOL,
        StepKind.COMMANDS,
    ]
    tools = commands.step_lines(default, "QC.Sec")
    for tool_name in ("bandit", "detect-secrets", "cppcheck", "flawfinder", "biome"):
        assert any(f"sqaaas: QC.Sec02 by {tool_name}" in line for line in tools), tool_name
    cpp = commands.step_lines(tool, "QC.Sec")
    assert len(cpp) == 1 and "xargs -0 -r cppcheck --error-exitcode=1" in cpp[0]
    assert commands.step_lines(custom, "QC.Uni") == ["make test"]
    assert commands.install_commands(custom, "QC.Uni") == []
    tool_install = commands.install_commands(tool, "QC.Sec", sudo=True)
    assert "sudo apt-get install -y -qq --no-install-recommends cppcheck" in tool_install
    assert not any(" pip install" in line for line in tool_install)  # cppcheck is Debian's
    assert not any("sqaaas" in line for line in commands.install_commands(default, "QC.Sec"))


def on(pattern: str, comparator: str = "EQUALS", tag: bool = False) -> When:
    return When(branch=BranchCondition(pattern=pattern, comparator=comparator), building_tag=tag)


CASES = [
    # (when, branch, tag being built) -> runs
    (When(), "main", None, True),
    (on("main"), "main", None, True),
    (on("main"), "mainline", None, False),
    (on("main"), None, "v1.0", False),
    (on("release/*", "GLOB"), "release/1.x", None, True),
    (on("release/*", "GLOB"), "hotfix/1", None, False),
    (on("rel?ase", "GLOB"), "release", None, True),
    (on("^(main|dev)$", "REGEXP"), "dev", None, True),
    (on("ma", "REGEXP"), "main", None, False),
    (When(building_tag=True), "main", None, False),
    (When(building_tag=True), None, "v1.0", True),
    (on("main", tag=True), None, "v2", True),
    (on("main", tag=True), "main", None, True),
    (on("$(touch pwned)"), "$(touch pwned)", None, True),
    (on("*", "GLOB"), "a'b\"c;d", None, True),
]


@pytest.mark.parametrize(("when", "branch", "tag", "runs"), CASES)
def test_when_rule_is_the_same_in_python_and_in_the_ci_shell_gate(
    tmp_path: Path, when: When, branch: str | None, tag: str | None, runs: bool
) -> None:
    assert when.matches(branch, tag is not None) is runs
    step = Step(name="s", when=when)
    env = {
        "PATH": os.environ["PATH"],
        "SQAAAS_BRANCH": branch or "",
        "SQAAAS_TAG": tag or "",
        **commands.when_env(step),
    }
    script = (commands.WHEN_GATE if commands.when_env(step) else "") + "\necho RAN\n"
    result = subprocess.run(
        ["sh", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert ("RAN" in result.stdout) is runs
    assert ("skipped" in result.stdout) is not runs
    assert not (tmp_path / "pwned").exists()


def test_init_derives_one_step_per_tool_with_files_here(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", gold_repo_files())
    spec = derive_spec(acquire(str(repo)))
    assert set(spec.criteria) <= {"QC.Sty", "QC.Sec", "QC.Doc"}  # what registry tools decide
    assert {s.tool for s in spec.criteria["QC.Sec"]} == {"bandit", "detect-secrets"}
    assert all(s.name == f"qc_sec_{s.tool}" for s in spec.criteria["QC.Sec"])
    assert spec.sqaaas_requirement is None
    assert spec.repositories[0].url == "https://github.com/example-org/example"
    commands.validate(spec)


def test_init_without_a_remote_uses_the_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "my tool", good_repo_files(), remote=None)
    repository = repository_of(acquire(str(repo)))
    assert repository.url == repo.resolve().as_uri()
    assert repository.name == "my-tool"
    assert repository.branch == "main"


def test_init_refuses_a_url(run_cli) -> None:
    result = run_cli("pipeline", "init", "https://github.com/example-org/example")
    assert result.returncode == 2 and "local folder" in result.stderr


@in_containers(timeout=300)  # the static tools run in the tools container
def test_tool_step_passes_on_clean_code(repo_factory, run_cli, tmp_path: Path) -> None:
    repo = repo_factory({"pkg/ok.py": '"""Fine."""\n\nVALUE = 1\n'})
    out = tmp_path / "r.json"
    result = run_cli("pipeline", "tool", "flake8", str(repo), "--criterion", "QC.Sty", "-o",
                     str(out))
    assert result.returncode == 0, result.stderr
    assert "QC.Sty01: pass" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True and data["files"] == 1


@in_containers(timeout=300)  # the static tools run in the tools container
def test_tool_step_fails_with_sqaaas_rule_and_honours_extra_args(repo_factory, run_cli) -> None:
    repo = repo_factory({"pkg/bad.py": "import os, sys\n"})  # E401: PEP 8
    failed = run_cli("pipeline", "tool", "flake8", str(repo), "--criterion", "QC.Sty")
    assert failed.returncode == 1  # flake8 itself runs with --exit-zero: the verdict is ours
    assert "QC.Sty01: fail" in failed.stdout
    ignored = run_cli(
        "pipeline", "tool", "flake8", str(repo), "--criterion", "QC.Sty", "--arg=--ignore=E401"
    )
    assert ignored.returncode == 0, ignored.stdout


def test_verdict_gate_follows_the_assess_report(repo_factory, run_cli, tmp_path: Path) -> None:
    good = repo_factory(good_repo_files())
    report = tmp_path / "lic.json"
    assess = run_cli("assess", str(good), "--criteria", "QC.Lic", "--format", "json",
                     "--output", str(report), "--quiet")  # fmt: skip
    assert assess.returncode == 0, assess.stderr
    assert run_cli("pipeline", "verdict", str(report), "--criterion", "QC.Lic").returncode == 0
    bad = make_repo(tmp_path / "bad", {"README.md": "# x\n"})
    run_cli("assess", str(bad), "--criteria", "QC.Lic", "--format", "json",
            "--output", str(report), "--quiet")  # fmt: skip
    failed = run_cli("pipeline", "verdict", str(report), "--criterion", "QC.Lic")
    assert failed.returncode == 1 and "QC.Lic: not valid" in failed.stdout
    missing = run_cli("pipeline", "verdict", str(report), "--criterion", "QC.Sty")
    assert missing.returncode == 2 and "no verdict for QC.Sty" in missing.stderr
