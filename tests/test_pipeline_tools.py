"""The registry tools as generated pipelines run them without sqaaas: every install line
resolves from the public registries at a pinned version, the pins are the versions the tools
image runs, and the CI rules say what criteria/tools.yml says."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

from sqaaas.pipelines import commands, toolci
from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import parse_spec
from sqaaas.tools.spec import Condition, default_tools
from tests.pipeline_support import golden_spec

#: every criterion that has CI tools, one default step each: all their installs
ALL_TOOLS = parse_spec({
    "repositories": [{"name": "r", "url": "https://example.org/r"}],
    "criteria": {c: [{"name": c.replace(".", "_").lower()}]
                 for c in ("QC.Sty", "QC.Sec", "QC.Doc")},
})


def _shell_lines() -> list[str]:
    """Every shell line of the generated files (GitHub env lines, GitLab script items,
    JePL commands), for a spec with every CI tool and for the golden spec."""
    lines = []
    for spec in (ALL_TOOLS, golden_spec()):
        for target in TARGETS:
            files = render(spec, target)
            if target == "github-actions":
                workflow = yaml.safe_load(files[".github/workflows/sqaaas.yml"])
                lines += [v for s in workflow["jobs"]["checks"]["steps"]
                          for k, v in s.get("env", {}).items() if k.startswith("SQAAAS_RUN_")]
            elif target == "gitlab-ci":
                ci = yaml.safe_load(files[".gitlab-ci.yml"])
                lines += [x for job in ci.values() if isinstance(job, dict)
                          for x in job.get("script", [])]
            else:
                config = yaml.safe_load(files[".sqa/config.yml"])
                lines += [shlex.split(c)[2] for block in config["sqa_criteria"].values()
                          for stage in block["repos"].values() for c in stage["commands"]]
    return lines


def _install_words(lines: list[str], marker: list[str]) -> set[str]:
    """The package words after ``marker`` (e.g. pip install --quiet) in the shell lines."""
    found: set[str] = set()
    for line in lines:
        words = shlex.split(line.replace("\n", " "))
        for i in range(len(words) - len(marker) + 1):
            if words[i:i + len(marker)] == marker:
                found.update(w for w in words[i + len(marker):] if not w.startswith("-"))
    return found


def test_every_pip_and_npm_requirement_resolves(tmp_path_factory) -> None:
    """One test talks to the registries: pip download --no-deps for every pinned PyPI tool
    and npm view for every npm one, as a fresh CI runner would install them."""
    lines = _shell_lines()
    pip = _install_words(lines, ["pip", "install", "--quiet"])
    npm = _install_words(lines, ["npm", "install", "--global", "--ignore-scripts", "--no-audit",
                                 "--no-fund"])
    user_given = {golden_spec().sqaaas_requirement}  # the spec's own sqaaas requirement
    pip -= user_given
    assert pip and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^=]+", req) for req in pip), pip
    assert {"flake8", "bandit", "detect-secrets", "yamllint"} <= {r.split("==")[0] for r in pip}
    assert not any(req.lower().startswith("sqaaas") for req in pip)  # never the unpublished one
    cache = tmp_path_factory.getbasetemp() / "pip-download"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(cache),
         *sorted(pip)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(cache.iterdir())) >= len(pip)
    assert npm == {"@biomejs/biome@" + default_tools()["biome"].package.version.lstrip("=")}
    node_npm = shutil.which("npm")
    assert node_npm, "npm is missing: run 'sqaaas setup --dev'"
    for package in npm:
        view = subprocess.run([node_npm, "view", package, "version"], capture_output=True,
                              text=True, timeout=120, check=False)
        assert view.returncode == 0 and view.stdout.strip() == package.rsplit("@", 1)[1], (
            view.stderr)


def test_pins_are_the_versions_the_tools_image_runs() -> None:
    """The pins come from constraints.txt, which the tools image and this venv install."""
    for tool in default_tools().values():
        if tool.not_automated:
            continue
        requirement = toolci.pinned_requirement(tool) if tool.package else None
        if requirement is None:
            continue
        name, pinned = requirement.split("==")
        assert version(name) == pinned, name
        if tool.package and tool.package.version:  # within the range the registry supports
            assert not tool.package.version.startswith("==") or tool.package.version[2:] == pinned


def test_an_unpinned_tool_is_refused() -> None:
    tool = default_tools()["flake8"].model_copy(
        update={"package": default_tools()["flake8"].package.model_copy(
            update={"pypi": "not-in-constraints"})})
    with pytest.raises(Exception, match=r"not pinned in constraints\.txt"):
        toolci.pinned_requirement(tool)


def test_detect_secrets_ci_run_keeps_exactly_the_decisive_plugins() -> None:
    """detect-secrets-hook runs every plugin not disabled: the ones left must be the
    registry's decisive detectors, for the pinned release's plugin list."""
    how = default_tools()["detect-secrets"].evidences["QC.Sec02"]
    decisive = {code for rule in how.fail_on if isinstance(rule, Condition) for code in rule.codes}
    argv = how.ci[0].argv
    disabled = {argv[i + 1] for i, word in enumerate(argv) if word == "--disable-plugin"}
    plugins = {cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()}
    assert plugins - disabled == decisive
    assert disabled <= plugins


def test_every_decisive_rule_has_a_ci_run_or_a_documented_reason() -> None:
    """A tool that decides a subcriterion in sqaaas assess decides it in CI too, except the
    ones docs/pipelines.md names (their rule cannot be an exit status)."""
    docs = (Path(__file__).parent.parent / "docs" / "pipelines.md").read_text(encoding="utf-8")
    for tool in default_tools().values():
        if tool.not_automated:
            continue
        for sub, how in tool.evidences.items():
            if how.fail_on and not how.ci:
                assert f"`{tool.name}` ({sub}" in docs, (tool.name, sub)


@pytest.mark.parametrize(
    ("path", "product"),
    [
        ("pkg/core.py", True),
        ("src/lib/util.c", True),
        ("tests/test_core.py", False),
        ("pkg/test_core.py", False),
        ("pkg/core_test.go", False),
        ("Docs/conf.py", False),
        ("examples/demo.py", False),
        ("third_party/lib.c", False),
        ("web/app.spec.ts", False),
        ("latest/notes.py", True),  # "test" inside a name is not a test folder
    ],
)
def test_product_filter_keeps_product_code_only(tmp_path: Path, path: str, product: bool) -> None:
    result = subprocess.run(["sh", "-c", toolci.product_filter()], input=f"{path}\n",
                            capture_output=True, text=True, check=True)
    assert (result.stdout == f"{path}\n") is product


def test_a_tool_step_runs_the_tool_on_its_files_and_fails_on_a_finding(tmp_path: Path) -> None:
    """The CI line in a shell, with a stand-in tool that records its arguments: files of
    the tool's patterns only, the step's extra arguments, and the tool's exit status."""
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    for rel in ("pkg/a.py", "b.py", "notes.md"):
        (repo / rel).write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python").write_text('#!/bin/sh\necho "$@" > "$CALLS"\nexit "$VERDICT"\n')
    (fake / "python").chmod(0o755)
    step = commands.step_lines(parse_spec({
        "repositories": [{"name": "r", "url": "https://example.org/r"}],
        "criteria": {"QC.Sty": [{"name": "s", "tool": "flake8", "args": ["--max-line-length=99"]}]},
    }).criteria["QC.Sty"][0], "QC.Sty")
    calls = tmp_path / "calls"
    for verdict in (0, 1):
        env = {"PATH": f"{fake}:/usr/bin:/bin", "CALLS": str(calls), "VERDICT": str(verdict)}
        run = subprocess.run(["sh", "-c", step[0]], cwd=repo, env=env, capture_output=True,
                             text=True, check=False)
        assert (run.returncode == 0) is (verdict == 0), run.stderr
        assert calls.read_text().split() == [
            "-m", "flake8", "--select=E", "--max-line-length=99", "b.py", "pkg/a.py"]
