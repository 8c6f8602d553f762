"""Hostile values in a spec (branch names, URLs, commands, variables) cannot change the
structure of a generated pipeline: every file parses to the same shape as for a benign
spec, and the hostile text comes back only as a quoted value, intact."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import pytest
import yaml

from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import PipelineSpec, parse_spec
from sqaaas.pipelines.targets.github_actions import EXPRESSIONS
from tests.pipeline_support import (
    SCHEMAS,
    check_lines,
    groovy_braces_balanced,
    load_yaml_file,
    schema_errors,
)

HOSTILE = [
    'main"\n  evil: "x',
    "$(curl x)",
    "${{ github.token }}",
    "${{ github.event.issue.title }}",
    "'; sh -c 'id' #",
    "first\nsecond: {a: b}\n- item",
    "x\r\n  injected: true\x85\u2028}",
    "`id` & | > ; # : - ? [ ] { } * ! % @ \\ ' \" $HOME ${HOME} $$",
]


def make_spec(text: str) -> PipelineSpec:
    """Every free-text field of the spec set to ``text`` (names are validated identifiers)."""
    return parse_spec(
        {
            "name": text,
            "repositories": [
                {"name": "main", "url": text, "branch": text},
                {"name": "other", "url": text, "branch": text, "subfolder": text},
            ],
            "environment": {"MY_VAR": text},
            "criteria": {
                "QC.Sty": [
                    {"name": "qc_sty", "when": {"branch": {"pattern": text}}},
                    {
                        "name": "flake8",
                        "tool": "flake8",
                        "args": [text],
                        "when": {"branch": {"pattern": text}},
                    },
                ],
                "QC.Uni": [
                    {
                        "name": "tests",
                        "image": text,
                        "commands": [text, "echo ok"],
                        "when": {"branch": {"pattern": text, "comparator": "GLOB"}},
                    }
                ],
                "QC.Doc": [{"name": "docs", "repository": "other"}],
            },
        }
    )


BENIGN = make_spec("benign")


def shape(node: object) -> object:
    """The structure of parsed YAML: keys, list lengths and types, not the text."""
    if isinstance(node, dict):
        return {str(k): shape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [shape(v) for v in node]
    return type(node).__name__


def scalars(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from scalars(value)
    elif isinstance(node, str):
        yield node


def keys(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from keys(value)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("target", TARGETS)
def test_hostile_values_keep_the_structure(target: str, text: str) -> None:
    benign = render(BENIGN, target)
    hostile = render(make_spec(text), target)
    assert set(benign) == set(hostile)
    for rel, content in hostile.items():
        if rel == "Jenkinsfile":
            assert groovy_braces_balanced(content)
            assert content.count("\n") == benign[rel].count("\n")
            changed = [
                (a, b)
                for a, b in zip(benign[rel].splitlines(), content.splitlines(), strict=True)
                if a != b
            ]
            assert len(changed) == 1 and changed[0][1].strip().startswith("stage('")
            continue
        parsed = load_yaml_file(rel, content)
        assert shape(parsed) == shape(load_yaml_file(rel, benign[rel])), rel
        assert not any(text in key for key in keys(parsed)), rel
        if rel in SCHEMAS:
            assert schema_errors(rel, parsed) == [], rel


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_back_intact_as_data(text: str) -> None:
    spec = make_spec(text)
    jenkins = render(spec, "jenkins")
    config = yaml.safe_load(jenkins[".sqa/config.yml"])
    assert config["config"]["project_repos"]["main"] == {"repo": text, "branch": text}
    assert config["environment"]["MY_VAR"] == text
    commands = check_lines("jenkins", jenkins)["QC.Uni tests"]
    assert commands == [text, "echo ok"]  # the user's own commands, verbatim
    flake8 = check_lines("jenkins", jenkins)["QC.Sty flake8"][-1]
    assert shlex.split(flake8)[-1] == text  # one word, never re-parsed
    compose = yaml.safe_load(jenkins[".sqa/docker-compose.yml"])
    unescape = lambda value: value.replace("$$", "$")  # noqa: E731 - compose/GitLab escape
    assert unescape(compose["services"]["tests"]["image"]) == text
    qc_sty = compose["services"]["qc_sty"]["environment"]
    assert unescape(qc_sty["MY_VAR"]) == text
    assert unescape(qc_sty["SQAAAS_WHEN_PATTERN"]) == text  # the condition is data too

    gitlab = yaml.safe_load(render(spec, "gitlab-ci")[".gitlab-ci.yml"])
    assert unescape(gitlab["variables"]["MY_VAR"]) == text
    assert unescape(gitlab["QC.Uni tests"]["variables"]["SQAAAS_WHEN_PATTERN"]) == text
    assert gitlab["QC.Uni tests"]["script"][1:] == [text, "echo ok"]
    clone_line = next(x for x in gitlab["QC.Doc docs"]["script"] if x.startswith("git clone"))
    clone = shlex.split(clone_line)
    assert clone[:3] == ["git", "clone", "--quiet"]
    assert clone[-3:] == ["--", text, ".sqaaas-repos/other"]


def _expressions(value: str) -> list[str]:
    """The ``${{ ... }}`` expressions GitHub would evaluate in a value, left to right."""
    return re.findall(r"\$\{\{.*?\}\}", value, flags=re.S)


@pytest.mark.parametrize("text", HOSTILE)
def test_github_evaluates_no_expression_from_the_spec(text: str) -> None:
    rel = ".github/workflows/sqaaas.yml"
    workflow = load_yaml_file(rel, render(make_spec(text), "github-actions")[rel])
    allowed = {e for v in EXPRESSIONS.values() for e in _expressions(v)} | {"${{ '${{' }}"}
    for value in scalars(workflow):
        for expression in _expressions(value):
            assert expression in allowed or expression.startswith("${{ always() && (steps."), (
                expression
            )
    steps = workflow["jobs"]["checks"]["steps"]
    tests = next(s for s in steps if s["name"] == "QC.Uni tests")
    # GitHub turns ${{ '${{' }} back into ${{ : the shell then gets the text unchanged.
    assert tests["env"]["SQAAAS_RUN_1"].replace("${{ '${{' }}", "${{") == text
    assert tests["env"]["SQAAAS_WHEN_PATTERN"].replace("${{ '${{' }}", "${{") == text
    for step in steps:
        if "run" in step:
            assert text not in step["run"]  # scripts are fixed text: values come via env
            assert "${{" not in step["run"]
            assert "github.event" not in step["run"]
