"""Generated pipelines as their real consumers check them: actionlint and zizmor on the
GitHub workflow, check-jsonschema's vendored github-workflows, gitlab-ci and compose-spec
schemas, and jpl-validator 2.4.0's rules (our own schema of its facts) on the JePL config.
Each runs on the files generated for fixture repositories and must report nothing; each is
shown to report a planted defect, so none of these checks can pass by not looking.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from sqaaas.acquire import acquire
from sqaaas.pipelines.init import derive_spec
from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import PipelineSpec
from tests.pipeline_support import actionlint_findings, golden_spec
from tests.repos import gold_repo_files, make_repo

WORKFLOW = ".github/workflows/sqaaas.yml"
#: check-jsonschema's vendored schema for each generated file
BUILTIN = {
    WORKFLOW: "vendor.github-workflows",
    ".gitlab-ci.yml": "vendor.gitlab-ci",
    ".sqa/docker-compose.yml": "vendor.compose-spec",
}
JEPL_SCHEMA = Path(__file__).parent / "data" / "pipelines" / "jepl-config-2.4.0.schema.json"
BIN = Path(sys.executable).parent

POLYGLOT = {  # a file for every registry tool that decides something in CI
    "app/main.js": "export const answer = 42;\n",
    "scripts/build.sh": "#!/bin/sh\necho build\n",
    "cmd/tool.go": "package main\n\nfunc main() {}\n",
    "src/lib.c": "int add(int a, int b) { return a + b; }\n",
    "docs/index.rst": "Title\n=====\n\nText.\n",
    "config.yml": "key: value\n",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, str]]]:
    """Files of every target for: the golden spec, and what `pipeline init` derives for a
    Python repository and a many-language one (with and without a sqaaas requirement)."""
    root = tmp_path_factory.mktemp("validators")
    specs: dict[str, PipelineSpec] = {"golden": golden_spec()}
    for name, files in (("python", gold_repo_files()),
                        ("polyglot", {**gold_repo_files(), **POLYGLOT})):
        spec = derive_spec(acquire(str(make_repo(root / name, files))))
        specs[name] = spec
        specs[f"{name}+assess"] = spec.model_copy(update={
            "sqaaas_requirement": "sqaaas @ git+https://github.com/sqaaas/sqaaas@v0.1.0",
            "fail_under": "bronze",
        })
    out = {}
    for name, spec in specs.items():
        out[name] = {}
        for target in TARGETS:
            out[name].update(render(spec, target))
            for rel, text in out[name].items():
                path = root / "out" / name / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return out


def _write(tmp_path: Path, rel: str, text: str) -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    """zizmor offline (no GitHub API), pedantic: code smells count too."""
    return subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "--format=json", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def check_jsonschema(builtin: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", builtin, str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def jepl_errors(text: str) -> list[str]:
    schema = json.loads(JEPL_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    data = yaml.safe_load(text)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


SPECS = ["golden", "python", "python+assess", "polyglot", "polyglot+assess"]


@pytest.mark.system_tools  # actionlint: installed by sqaaas setup --dev
@pytest.mark.parametrize("name", SPECS)
def test_github_workflow_passes_actionlint_and_zizmor(generated, tmp_path, name) -> None:
    path = _write(tmp_path, WORKFLOW, generated[name][WORKFLOW])
    assert actionlint_findings(path) == []
    result = zizmor(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.system_tools  # actionlint: installed by sqaaas setup --dev
def test_actionlint_and_zizmor_catch_an_injected_expression(generated, tmp_path) -> None:
    """The failing fixture: an attacker's issue title spliced into a run: script."""
    planted = '          echo "${{ github.event.issue.title }}"\n'
    text = generated["python"][WORKFLOW].replace("        run: |-\n",
                                                 "        run: |-\n" + planted, 1)
    path = _write(tmp_path, WORKFLOW, text)
    assert any("github.event.issue.title" in f["message"] for f in actionlint_findings(path))
    result = zizmor(path)
    assert result.returncode != 0
    assert "template-injection" in {f["ident"] for f in json.loads(result.stdout)}


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("rel", sorted(BUILTIN))
def test_files_pass_check_jsonschema_vendored_schemas(generated, tmp_path, name, rel) -> None:
    result = check_jsonschema(BUILTIN[rel], _write(tmp_path, rel, generated[name][rel]))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rel", sorted(BUILTIN))
def test_check_jsonschema_catches_a_broken_file(generated, tmp_path, rel) -> None:
    data = yaml.safe_load(generated["python"][rel])
    if rel == WORKFLOW:
        data["jobs"]["checks"]["runs_on"] = data["jobs"]["checks"].pop("runs-on")
    elif rel == ".gitlab-ci.yml":
        job = next(k for k, v in data.items() if isinstance(v, dict) and "script" in v)
        data[job]["scripts"] = data[job].pop("script")
    else:
        next(iter(data["services"].values()))["imagee"] = "x"
    result = check_jsonschema(BUILTIN[rel], _write(tmp_path, rel, yaml.safe_dump(data)))
    assert result.returncode == 1, result.stdout


@pytest.mark.parametrize("name", SPECS)
def test_jepl_config_passes_jpl_validator_2_4_0_rules(generated, name) -> None:
    assert jepl_errors(generated[name][".sqa/config.yml"]) == []
    assert "validatorDockerImage: 'eoscsynergy/jpl-validator:2.4.0'" in generated[name][
        "Jenkinsfile"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["sqa_criteria"].update({"QC.Wor": d["sqa_criteria"]["QC.Sty"]}),
         "QC.Wor"),
        (lambda d: d["sqa_criteria"]["QC.Sty"].update({"when": {"building_tag": True}}),
         "is not valid under any of the given schemas"),
        (lambda d: next(iter(d["sqa_criteria"]["QC.Sty"]["repos"].values())).pop("container"),
         "is not valid under any of the given schemas"),
        (lambda d: d.update({"timeout": "1h"}), "is not of type 'integer'"),
    ],
)
def test_jepl_rules_catch_what_jpl_validator_rejects(generated, change, message) -> None:
    data = yaml.safe_load(generated["python"][".sqa/config.yml"])
    change(data)
    errors = jepl_errors(yaml.safe_dump(data))
    assert any(message in e for e in errors), errors


def test_the_original_sqaaas_when_key_is_what_2_4_0_rejects() -> None:
    """Why generated files carry no 'when': the original's layout with it is refused."""
    text = ("sqa_criteria:\n  QC.Sty:\n    repos:\n      s: {container: c, commands: [x]}\n"
            "    when: {building_tag: true}\n")
    assert jepl_errors(text)
