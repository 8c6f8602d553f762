"""QC.Dep01 (CM/IaC present), Dep02 (tracked in git), Dep03 (one CM tool family)."""

from __future__ import annotations

import pytest

from sqaaas.acquire import acquire
from sqaaas.config import RepoConfig
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.outcomes import Outcome
from tests.conftest import assess_repo, run_probe

CHART = "apiVersion: v2\nname: example\nversion: 1.0.0\n"
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\n"
COMPOSE = "services:\n  app:\n    image: ghcr.io/example-org/example:1.0\n"
PLAYBOOK = "- name: Install example\n  hosts: servers\n  tasks:\n    - name: pip\n      pip: {}\n"


@pytest.mark.parametrize(
    ("files", "path", "message"),
    [
        ({"deploy/chart/Chart.yaml": CHART}, "deploy/chart/Chart.yaml", "Helm chart"),
        ({"compose.yaml": COMPOSE}, "compose.yaml", "Docker Compose file"),
        ({"docker-compose.prod.yml": COMPOSE}, "docker-compose.prod.yml", "Docker Compose file"),
        ({"infra/main.tf": 'resource "null_resource" "x" {}\n'}, "infra/main.tf",
         "Terraform/OpenTofu configuration"),
        ({"ansible/roles/app/tasks/main.yml": "- name: x\n  debug: {}\n"},
         "ansible/roles/app/tasks/main.yml", "Ansible configuration or role tasks"),
        ({"Vagrantfile": "Vagrant.configure('2') do |c|\nend\n"}, "Vagrantfile",
         "Vagrant machine definition"),
    ],
)
def test_cm_files_recognised_by_name_pass(repo_factory, files, path, message):
    repo = repo_factory(files)
    finding = run_probe(repo, "dep.iac_present")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].message) == (path, message)
    assert "IaC linting" in finding.evidence[-1].message  # honest about what is not done yet


@pytest.mark.parametrize(
    ("path", "content", "message", "line"),
    [
        ("site.yml", "---\n" + PLAYBOOK, "Ansible playbook (hosts + tasks/roles)", 3),
        ("k8s/app.yaml", "# app\n" + DEPLOYMENT, "Kubernetes manifest (apiVersion + kind)", 2),
        ("tosca/app.yaml", "tosca_definitions_version: tosca_simple_yaml_1_0\n",
         "TOSCA service template", 1),
        ("site.pp", "# node\nnode 'web' {\n  include app\n}\n", "Puppet manifest", 2),
    ],
)
def test_cm_files_recognised_by_content_name_the_line(repo_factory, path, content, message, line):
    repo = repo_factory({path: content})
    finding = run_probe(repo, "dep.iac_present")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].message) == (path, message)
    assert finding.evidence[0].line == line


def test_library_without_cm_files_fails_and_hints_at_skipping(repo_factory):
    repo = repo_factory(
        {
            "pyproject.toml": "[project]\nname = 'lib'\n",
            "lib/__init__.py": "",
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n",
            "tests/docker-compose.yml": COMPOSE,  # test harness, not deployment
        }
    )
    finding = run_probe(repo, "dep.iac_present")
    assert finding.outcome is Outcome.FAIL
    assert "no configuration-management or infrastructure-as-code" in finding.evidence[0].message
    assert ".sqaaas.yml" in (finding.hint or "")
    assert 'skip: {QC.Dep: "' in (finding.hint or "")


def test_the_skip_given_in_the_hint_works(repo_factory):
    skip = 'skip: {QC.Dep: "library installed with pip; nothing to deploy"}\n'
    repo = repo_factory({".sqaaas.yml": skip, "lib/__init__.py": ""})
    result = assess_repo(repo, criteria=["QC.Dep"]).criteria["QC.Dep"]
    assert result.skipped_reason == "library installed with pip; nothing to deploy"
    assert result.subcriteria["QC.Dep01"].outcome is Outcome.NOT_APPLICABLE


def test_yaml_that_is_not_deployment_is_ignored(repo_factory):
    repo = repo_factory(
        {
            "mkdocs.yml": "site_name: x\nnav:\n  - index.md\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: ls\n",
            "tests/fixtures/deploy.yaml": DEPLOYMENT,
        }
    )
    assert run_probe(repo, "dep.iac_present").outcome is Outcome.FAIL


def test_iac_files_tracked_in_git_pass(repo_factory):
    repo = repo_factory({"compose.yaml": COMPOSE})
    finding = run_probe(repo, "dep.iac_tracked")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["compose.yaml"]


def test_untracked_iac_files_fail_naming_them(repo_factory):
    repo = repo_factory({"compose.yaml": COMPOSE})
    (repo / "deploy").mkdir()
    (repo / "deploy" / "main.tf").write_text('resource "null_resource" "x" {}\n')
    finding = run_probe(repo, "dep.iac_tracked")
    assert finding.outcome is Outcome.FAIL
    assert [e.path for e in finding.evidence] == ["deploy/main.tf"]
    assert finding.hint == "Commit the deployment code with the rest: git add deploy/main.tf"


def test_tracking_is_checked_relative_to_an_assessed_subfolder(repo_factory):
    repo = repo_factory({"svc/compose.yaml": COMPOSE, "README.md": "# x\n"})
    ctx = make_context(acquire(str(repo)), RepoConfig(subfolder="svc"))
    finding = registry.get("dep.iac_tracked")(ctx)
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["compose.yaml"]


def test_no_iac_is_not_applicable_for_tracking_and_tool_choice(repo_factory):
    repo = repo_factory({"README.md": "# x\n"})
    assert run_probe(repo, "dep.iac_tracked").outcome is Outcome.NOT_APPLICABLE
    assert run_probe(repo, "dep.single_cm_tool").outcome is Outcome.NOT_APPLICABLE


def test_one_cm_family_passes_dep03_and_chart_templates_stay_helm(repo_factory):
    repo = repo_factory(
        {"chart/Chart.yaml": CHART, "chart/templates/deployment.yaml": DEPLOYMENT}
    )
    finding = run_probe(repo, "dep.single_cm_tool")
    assert finding.outcome is Outcome.PASS
    assert [(e.message, e.path) for e in finding.evidence] == [
        ("Helm: 1 file(s)", "chart/Chart.yaml")
    ]


def test_two_cm_families_fail_dep03_listing_both(repo_factory):
    repo = repo_factory({"chart/Chart.yaml": CHART, "infra/main.tf": "variable \"x\" {}\n"})
    finding = run_probe(repo, "dep.single_cm_tool")
    assert finding.outcome is Outcome.FAIL
    assert [e.message for e in finding.evidence] == ["Helm: 1 file(s)", "Terraform: 1 file(s)"]
    assert "Helm, Terraform" in (finding.hint or "")
