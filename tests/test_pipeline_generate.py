"""Rendering a pipeline spec for Jenkins (JePL), GitHub Actions and GitLab CI.

Golden files: tests/data/pipelines/golden/<target>/... are rendered from golden/spec.yml.
After an intended change, regenerate them with
``SQAAAS_UPDATE_GOLDEN=1 python -m pytest tests/test_pipeline_generate.py`` and review the
diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from sqaaas.pipelines import commands
from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import PipelineSpec, SpecError, load_spec, parse_spec
from sqaaas.pipelines.targets import jenkins
from sqaaas.pipelines.targets.github_actions import pinned_actions
from tests.pipeline_support import (
    GOLDEN,
    LIBRARY_LINE,
    SCHEMAS,
    check_lines,
    golden_spec,
    groovy_braces_balanced,
    load_yaml_file,
    schema_errors,
)
from tests.repos import gold_repo_files, good_repo_files, make_repo

FILES = {
    "jenkins": {".sqa/config.yml", ".sqa/docker-compose.yml", "Jenkinsfile"},
    "github-actions": {".github/workflows/sqaaas.yml"},
    "gitlab-ci": {".gitlab-ci.yml"},
}


@pytest.mark.parametrize("target", TARGETS)
def test_golden_files(target: str) -> None:
    files = render(golden_spec(), target)
    assert set(files) == FILES[target]
    for rel, text in files.items():
        golden = GOLDEN / target / rel
        if os.environ.get("SQAAAS_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"missing golden file {golden} (set SQAAAS_UPDATE_GOLDEN=1)"
        assert text == golden.read_text(encoding="utf-8"), f"{target}: {rel} differs"


def _assert_valid(target: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        if rel == "Jenkinsfile":
            _assert_jenkinsfile(text)
            continue
        data = load_yaml_file(rel, text)
        if rel in SCHEMAS:
            assert schema_errors(rel, data) == [], f"{target}: {rel}"


def _assert_jenkinsfile(text: str) -> None:
    assert len(LIBRARY_LINE.findall(text)) == 1
    assert "configFile: '.sqa/config.yml'," in text
    assert "validatorDockerImage: 'eoscsynergy/jpl-validator:2.4.0'" in text
    assert "buildStages(projectConfig)" in text
    assert re.search(r"cleanup\s*\{\s*cleanWs\(\)\s*\}", text)
    assert groovy_braces_balanced(text)


@pytest.mark.parametrize("target", TARGETS)
def test_golden_spec_renders_valid_files(target: str) -> None:
    _assert_valid(target, render(golden_spec(), target))


def test_schemas_reject_a_broken_file() -> None:
    """The validation used above can fail: a misspelt key is reported for every schema."""
    files = {**render(golden_spec(), "github-actions"), **render(golden_spec(), "gitlab-ci")}
    files.update(render(golden_spec(), "jenkins"))
    for rel in SCHEMAS:
        data = load_yaml_file(rel, files[rel])
        if rel.endswith("docker-compose.yml"):
            data["services"]["qc_sty"]["imagee"] = "x"
        elif rel == ".gitlab-ci.yml":
            data["QC.Sty qc_sty"]["scripts"] = data["QC.Sty qc_sty"].pop("script")
        else:
            data["jobs"]["checks"]["runs_on"] = data["jobs"]["checks"].pop("runs-on")
        assert schema_errors(rel, data), rel
    assert not groovy_braces_balanced("pipeline { stages { }")
    assert groovy_braces_balanced("pipeline { echo '}' // }\n }")


@pytest.mark.parametrize("target", TARGETS)
def test_init_then_generate_on_a_python_repository(
    tmp_path: Path, run_cli, target: str
) -> None:
    repo = make_repo(tmp_path / "repo", gold_repo_files())
    init = run_cli("pipeline", "init", ".", cwd=repo)
    assert init.returncode == 0, init.stderr
    spec = load_spec(repo / ".sqaaas-pipeline.yml")
    assert spec.repositories[0].url == "https://github.com/example-org/example"
    assert spec.repositories[0].branch == "main"
    generate = run_cli("pipeline", "generate", "--target", target, cwd=repo)
    assert generate.returncode == 0, generate.stderr
    assert set(generate.stdout.split()) == FILES[target]
    files = {rel: (repo / rel).read_text(encoding="utf-8") for rel in FILES[target]}
    _assert_valid(target, files)
    lines = check_lines(target, files)
    flake8 = next(s for s in spec.criteria["QC.Sty"] if s.tool == "flake8")
    assert lines[f"QC.Sty {flake8.name}"][-1:] == commands.step_lines(flake8, "QC.Sty")
    assert "sqaaas" not in {s.tool for steps in spec.criteria.values() for s in steps}
    for text in files.values():  # sqaaas is not on PyPI: nothing installs it
        assert "install --quiet sqaaas" not in text and "sqaaas==" not in text


def test_github_workflow_pins_actions_and_limits_permissions() -> None:
    text = render(golden_spec(), "github-actions")[".github/workflows/sqaaas.yml"]
    workflow = load_yaml_file(".github/workflows/sqaaas.yml", text)
    uses = re.findall(r"uses: (\S+)@(\S+) # (\S+)", text)
    assert {u for u, _, _ in uses} == {a["uses"] for a in pinned_actions().values()}
    for action, sha, version in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", sha), action
        assert re.fullmatch(r"v\d+\.\d+\.\d+", version), action
    assert text.count("uses:") == len(uses)  # no unpinned action anywhere
    assert workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in workflow["jobs"]["checks"]
    assert workflow["jobs"]["code-scanning"]["permissions"]["security-events"] == "write"
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert set(workflow["on"]) == {"push", "pull_request", "workflow_dispatch"}
    steps = workflow["jobs"]["checks"]["steps"]
    assert any(s.get("uses", "").startswith("actions/cache@") for s in steps)
    checks = [s for s in steps if str(s.get("id", "")).startswith("check")]
    assert checks and all(s["continue-on-error"] is True for s in checks)
    final = steps[-1]
    assert final["run"].endswith("exit 1")
    assert all(f"steps.{s['id']}.outcome == 'failure'" in final["if"] for s in checks)
    sarif = workflow["jobs"]["code-scanning"]["steps"][-1]
    assert sarif["uses"].startswith("github/codeql-action/upload-sarif@")


def test_every_target_runs_the_same_check_commands() -> None:
    spec = golden_spec()
    by_target = {t: check_lines(t, render(spec, t)) for t in TARGETS}
    main = {r.name for r in spec.repositories[:1]}
    compared = 0
    for criterion, steps in spec.criteria.items():
        for step in steps:
            if (step.repository or spec.main.name) not in main:
                continue
            expected = commands.step_lines(step, criterion)
            for target in TARGETS:
                key = jenkins.jepl_key(criterion) if target == "jenkins" else criterion
                lines = by_target[target][f"{key} {step.name}"]
                assert lines[-len(expected) :] == expected, (target, step.name)
            compared += 1
    assert compared == 4


def test_default_step_runs_the_criterions_tools_pinned() -> None:
    step = golden_spec().criteria["QC.Sty"][0]
    lines = commands.step_lines(step, "QC.Sty")
    assert any("xargs -0 -r python -m flake8 --select=E" in line for line in lines)
    install = commands.install_commands(step, "QC.Sty")
    pip = next(line for line in install if " pip install " in line)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", word)
               for word in pip.split()[5:]), pip


def test_full_history_is_fetched_everywhere() -> None:
    """Versions, tags and workflow verdicts read the history: no shallow checkout."""
    spec = golden_spec()
    workflow = load_yaml_file(".github/workflows/sqaaas.yml",
                              render(spec, "github-actions")[".github/workflows/sqaaas.yml"])
    checkouts = [s for s in workflow["jobs"]["checks"]["steps"]
                 if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["fetch-depth"] == 0 for s in checkouts)
    gitlab = yaml.safe_load(render(spec, "gitlab-ci")[".gitlab-ci.yml"])
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    for files in (render(spec, t) for t in TARGETS):
        assert not any("--depth" in text for text in files.values())


def test_the_sqaaas_assess_step_only_with_a_requirement() -> None:
    spec = golden_spec()
    workflow = render(spec, "github-actions")[".github/workflows/sqaaas.yml"]
    assert "--fail-under bronze" in workflow and "code-scanning:" in workflow
    assert spec.sqaaas_requirement and spec.sqaaas_requirement in workflow
    bare = spec.model_copy(update={"sqaaas_requirement": None, "fail_under": None})
    for target in TARGETS:
        for text in render(bare, target).values():
            assert "sqaaas assess" not in text and "code-scanning" not in text, target
    with pytest.raises(SpecError, match="fail_under needs sqaaas_requirement"):
        parse_spec({**spec.model_dump(mode="json", exclude_none=True),
                    "sqaaas_requirement": None})


def test_jenkins_layout_matches_jepl() -> None:
    files = render(golden_spec(), "jenkins")
    config = yaml.safe_load(files[".sqa/config.yml"])
    assert config["config"]["project_repos"] == {
        "example": {"repo": "https://github.com/example-org/example", "branch": "main"},
        "docs": {"repo": "https://gitlab.com/example-org/docs.git", "branch": "stable"},
    }
    assert config["config"]["credentials"] == []
    assert config["environment"] == {
        "JPL_KEEPGOING": "enabled",
        "JPL_DOCKERFORCEBUILD": "enabled",
        "LANG": "C.UTF-8",
    }
    assert config["timeout"] == 2400
    # QC.Tdd has no key in jpl-validator 2.4.0: its tests run in the QC.Uni stage, said so
    assert set(config["sqa_criteria"]) == {"QC.Sty", "QC.Sec", "QC.Doc", "QC.Uni", "QC.Acc"}
    assert "(QC.Tdd) runs under QC.Uni" in files[".sqa/config.yml"]
    assert set(config["sqa_criteria"]["QC.Sty"]["repos"]) == {"qc_sty", "flake8_wide"}
    assert set(config["sqa_criteria"]["QC.Acc"]["repos"]) == {"sqaaas-assess"}
    compose = yaml.safe_load(files[".sqa/docker-compose.yml"])
    services = compose["services"]
    assert set(services) == {"qc_sty", "flake8_wide", "cppcheck", "qc_doc_docs", "unit_tests",
                             "sqaaas-assess"}
    assert services["qc_doc_docs"]["working_dir"] == "/sqaaas-build/docs/site"
    assert services["qc_doc_docs"]["environment"]["SQAAAS_WHEN_PATTERN"] == "release/*"
    assert services["unit_tests"]["image"] == "python:3.12-slim"
    for stage in config["sqa_criteria"].values():
        for name, entry in stage["repos"].items():
            assert entry["container"] == name and name in services
    assert "validatorDockerImage: 'eoscsynergy/jpl-validator:2.4.0'" in files["Jenkinsfile"]


def test_jenkins_leaves_out_criteria_without_a_jepl_stage_and_says_why() -> None:
    raw = yaml.safe_load((GOLDEN / "spec.yml").read_text(encoding="utf-8"))
    raw["criteria"]["QC.Del"] = [{"name": "build", "commands": ["python -m build"]}]
    files = render(parse_spec(raw), "jenkins")
    config = yaml.safe_load(files[".sqa/config.yml"])
    assert "QC.Del" not in config["sqa_criteria"]
    assert 'Left out: step "QC.Del build": jpl-validator 2.4.0 has no' in files[".sqa/config.yml"]
    assert "build" not in yaml.safe_load(files[".sqa/docker-compose.yml"])["services"]
    workflow = render(parse_spec(raw), "github-actions")[".github/workflows/sqaaas.yml"]
    assert "QC.Del build" in workflow  # the other targets have no such limit


def test_generate_refuses_to_overwrite_without_force(tmp_path: Path, run_cli) -> None:
    spec_file = tmp_path / "spec.yml"
    spec_file.write_text((GOLDEN / "spec.yml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    args = ("pipeline", "generate", "--target", "gitlab-ci", "--spec", str(spec_file))
    first = run_cli(*args, "--output", str(out), "--format", "json")
    assert first.returncode == 0, first.stderr
    (out / ".gitlab-ci.yml").write_text("mine\n", encoding="utf-8")
    again = run_cli(*args, "--output", str(out))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr
    assert (out / ".gitlab-ci.yml").read_text(encoding="utf-8") == "mine\n"
    forced = run_cli(*args, "--output", str(out), "--force")
    assert forced.returncode == 0
    assert (out / ".gitlab-ci.yml").read_text(encoding="utf-8").startswith("# Generated")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{name: s, tool: ruff, commands: [ls]}", "either 'tool' or 'commands'"),
        ("{name: s, tool: ruff}", "tool ruff decides no subcriterion of QC.Sec in CI"),
    ],
)
def test_generate_reports_a_bad_spec_in_one_line(
    tmp_path: Path, run_cli, step: str, message: str
) -> None:
    bad = tmp_path / "spec.yml"
    bad.write_text(
        f"repositories: [{{name: r, url: https://x.org/r}}]\ncriteria: {{QC.Sec: [{step}]}}\n",
        encoding="utf-8",
    )
    result = run_cli("pipeline", "generate", "--target", "jenkins", "--spec", str(bad))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / ".sqa").exists()


def test_init_follows_the_repository_config(tmp_path: Path, run_cli) -> None:
    files = {
        **good_repo_files(),
        ".sqaaas.yml": "skip:\n  QC.Uni: the package has no code of its own to test\n",
    }
    repo = make_repo(tmp_path / "repo", files, remote="git@gitlab.com:group/tool.git")
    result = run_cli("pipeline", "init", str(repo), "--output", str(tmp_path / "p.yml"))
    assert result.returncode == 0, result.stderr
    spec: PipelineSpec = load_spec(tmp_path / "p.yml")
    assert spec.repositories[0].url == "https://gitlab.com/group/tool"
    assert spec.repositories[0].name == "tool"
    assert "QC.Uni" not in spec.criteria
    assert [s.tool for s in spec.criteria["QC.Sty"]] == ["flake8", "yamllint"]  # files here
    assert spec.criteria["QC.Sty"][0].name == "qc_sty_flake8"
    assert "QC.Lic" in result.stdout and "sqaaas_requirement" in result.stdout
    again = run_cli("pipeline", "init", str(repo), "--output", str(tmp_path / "p.yml"))
    assert again.returncode == 2 and "--force" in again.stderr


def test_schema_command_prints_the_spec_schema(run_cli) -> None:
    result = run_cli("pipeline", "schema")
    assert result.returncode == 0
    schema = yaml.safe_load(result.stdout)
    assert {"repositories", "criteria"} <= set(schema["required"])
    assert "Step" in schema["$defs"]
