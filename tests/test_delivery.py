"""QC.Del01 (a build configuration declares an artefact) and QC.Del02 (CI publishes it)."""

from __future__ import annotations

import pytest

from sqaaas.core.outcomes import Outcome
from tests.conftest import report_hint, run_probe

PYPROJECT = """[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "example"
version = "1.0.0"
"""

PUBLISH_WORKFLOW = """name: release
on:
  release:
    types: [published]
jobs:
  pypi:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"""


# --- QC.Del01: del.build_config ---------------------------------------------------------


def test_pyproject_with_build_system_passes(repo_factory):
    repo = repo_factory({"pyproject.toml": PYPROJECT, "example/__init__.py": ""})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert evidence.path == "pyproject.toml"
    assert evidence.line == 1
    assert evidence.message == (
        "declares [build-system] requires hatchling, build-backend hatchling.build"
    )


def test_empty_repository_fails_with_hint(repo_factory):
    repo = repo_factory({})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no packaging or build configuration found")
    assert "[build-system]" in report_hint(repo, "QC.Del01")


def test_invalid_pyproject_fails_with_the_parse_error_line(repo_factory):
    broken = '[build-system]\nrequires = ["hatchling"\n\n[project]\nname = "x"\n'
    repo = repo_factory({"pyproject.toml": broken})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL  # a verdict, not a crash (error)
    [evidence] = finding.evidence
    assert evidence.path == "pyproject.toml"
    assert evidence.message.startswith("invalid TOML: ")
    assert evidence.line == 4
    assert "Fix pyproject.toml" in (finding.hint or "")


def test_broken_manifest_fails_even_next_to_a_valid_one(repo_factory):
    repo = repo_factory(
        {"pyproject.toml": "[project\nname='x'\n", "Dockerfile": "FROM python:3.12-slim\n"}
    )
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert [e.path for e in finding.evidence] == ["pyproject.toml", "Dockerfile"]
    assert finding.evidence[0].line == 1
    assert finding.evidence[1].message == "declares container image built FROM python:3.12-slim"


def test_pyproject_with_only_tool_settings_is_not_a_build(repo_factory):
    repo = repo_factory({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].path == "pyproject.toml"
    assert "tool settings only" in finding.evidence[0].message


def test_private_package_json_is_not_an_artefact(repo_factory):
    repo = repo_factory({"package.json": '{\n  "name": "site",\n  "private": true\n}\n'})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == '"private": true: marked as never to be published'


def test_invalid_package_json_names_the_line(repo_factory):
    repo = repo_factory({"package.json": '{\n  "name": "x",\n  "version": \n}\n'})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("invalid JSON: ")
    assert finding.evidence[0].line == 4


OTHER_ECOSYSTEMS = [
    # (path, content, what it declares, line)
    ("Dockerfile", "# app\nFROM --platform=amd64 python:3.12\n",
     "container image built FROM python:3.12", 2),
    ("package.json", '{\n  "name": "tool",\n  "version": "2.0.0"\n}\n',
     "npm package tool@2.0.0", 2),
    ("go.mod", "module example.org/tool\n\ngo 1.22\n", "Go module example.org/tool", 1),
    ("Cargo.toml", '[package]\nname = "tool"\nversion = "0.1.0"\n', "Rust crate tool", 1),
    ("pom.xml", "<project>\n  <artifactId>tool</artifactId>\n</project>\n",
     "Maven artifact tool (jar)", 2),
    ("CMakeLists.txt", "cmake_minimum_required(VERSION 3.20)\nproject(tool CXX)\n",
     "CMake project tool", 2),
    ("DESCRIPTION", "Package: tool\nVersion: 1.0\n", "R package tool", 1),
    ("Project.toml", 'name = "Tool"\nuuid = "8f6e1f7a-0000-4000-8000-000000000000"\n',
     "Julia package Tool", 1),
    ("recipe/meta.yaml", "package:\n  name: tool\n", "conda recipe for tool", 1),
    ("tool.gemspec", "Gem::Specification.new do |s|\nend\n", "Ruby gem specification", 1),
    ("Makefile", "all:\n\tcc x.c\n\ninstall: all\n\tcp x /usr/bin\n",
     "Makefile with an install target", 4),
    ("setup.py", "from setuptools import setup\n\nsetup(name='x')\n",
     "setuptools build script calling setup()", 3),
]


@pytest.mark.parametrize(("path", "content", "message", "line"), OTHER_ECOSYSTEMS)
def test_build_files_of_other_ecosystems_pass(repo_factory, path, content, message, line):
    repo = repo_factory({path: content})
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert (evidence.path, evidence.message, evidence.line) == (path, f"declares {message}", line)


def test_makefile_without_install_and_fixture_builds_do_not_count(repo_factory):
    repo = repo_factory(
        {"Makefile": "test:\n\tpytest\n", "tests/fixtures/pkg/pyproject.toml": PYPROJECT}
    )
    finding = run_probe(repo, "del.build_config")
    assert finding.outcome is Outcome.FAIL
    assert [(e.path, e.message) for e in finding.evidence] == [("Makefile", "no install target")]


# --- QC.Del02: del.publish_in_ci --------------------------------------------------------


def test_pypi_publish_action_passes(repo_factory):
    repo = repo_factory({".github/workflows/release.yml": PUBLISH_WORKFLOW})
    finding = run_probe(repo, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    [evidence] = finding.evidence
    assert evidence.path == ".github/workflows/release.yml"
    assert evidence.line == 11
    assert evidence.message == "publishes to PyPI (pypa/gh-action-pypi-publish)"


def test_no_publishing_step_fails_with_hint(repo_factory):
    workflow = "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n"
    repo = repo_factory({".github/workflows/ci.yml": workflow, ".zenodo.json": "{}\n"})
    finding = run_probe(repo, "del.publish_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no publishing step in 1 CI file(s)")
    # Zenodo archiving is reported, but is not a registry.
    assert finding.evidence[1].path == ".zenodo.json"
    assert "not a package registry" in finding.evidence[1].message
    assert "pypa/gh-action-pypi-publish" in (finding.hint or "")


def test_commented_out_publish_step_does_not_count(repo_factory):
    workflow = PUBLISH_WORKFLOW.replace(
        "      - uses: pypa/gh-action-pypi-publish", "      # - uses: pypa/gh-action-pypi-publish"
    )
    repo = repo_factory({".github/workflows/release.yml": workflow})
    assert run_probe(repo, "del.publish_in_ci").outcome is Outcome.FAIL


def test_build_push_action_counts_only_when_pushing(repo_factory):
    workflow = """on: push
jobs:
  image:
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: {push}
"""
    pushing = repo_factory({".github/workflows/image.yml": workflow.format(push="true")})
    finding = run_probe(pushing, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].line, finding.evidence[0].message) == (
        5, "pushes a container image (docker/build-push-action with push)"
    )

    building = repo_factory({".github/workflows/image.yml": workflow.format(push="false")})
    assert run_probe(building, "del.publish_in_ci").outcome is Outcome.FAIL


def test_release_trigger_of_a_github_workflow_is_not_a_gitlab_release(repo_factory):
    workflow = "on:\n  release:\n    types: [published]\njobs:\n  t:\n    steps:\n      - run: ls\n"
    repo = repo_factory({".github/workflows/ci.yml": workflow})
    assert run_probe(repo, "del.publish_in_ci").outcome is Outcome.FAIL


def test_gitlab_release_keyword_passes(repo_factory):
    gitlab = "release_job:\n  script: [echo]\n  release:\n    tag_name: $CI_COMMIT_TAG\n"
    repo = repo_factory({".gitlab-ci.yml": gitlab})
    finding = run_probe(repo, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == (".gitlab-ci.yml", 3)


def test_tox_upload_counts_only_when_a_pipeline_runs_tox(repo_factory):
    tox = "[testenv:release]\ncommands = twine upload dist/*\n"
    alone = repo_factory({"tox.ini": tox})
    finding = run_probe(alone, "del.publish_in_ci")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message == "uploads with twine, but no CI pipeline runs tox"

    workflow = (
        "on:\n  push:\n    tags: ['v*']\njobs:\n  r:\n    steps:\n      - run: tox -e release\n"
    )
    wired = repo_factory({"tox.ini": tox, ".github/workflows/release.yml": workflow})
    finding = run_probe(wired, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    first = finding.evidence[0]
    assert (first.path, first.line) == (".github/workflows/release.yml", 7)
    assert finding.evidence[0].excerpt == (
        "tox -e release -> tox.ini:2 [testenv:release]: twine upload dist/*"
    )
