"""Which configuration-management / infrastructure-as-code files a repository holds (QC.Dep).

Files are recognised by name and, for YAML and Puppet manifests, by a few lines of content;
nothing is applied or linted here. The software baseline (QC.Dep) and the service baseline
(SvcQC.Dep, on the service's deployment repository) read the same fact and the same verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome

_MAX_SCAN_BYTES = 200_000
_SHOWN_PER_FAMILY = 5
#: Test harnesses (e.g. a compose file starting a database for the tests) are not deployment.
_TEST_DIRS = frozenset({"test", "tests", "testing", "fixtures"})
_NOT_LINTED = (
    "recognised from file names and content only: IaC linting (ansible-lint, helm lint, "
    "tflint, ...) arrives with the next release of sqaaas"
)

#: family -> (what the file is, predicate on its path alone)
_BY_PATH: dict[str, tuple[str, Callable[[PurePosixPath], bool]]] = {
    "Ansible": (
        "Ansible configuration or role tasks",
        lambda p: p.name == "ansible.cfg"
        or (len(p.parts) >= 4 and p.parts[-4] == "roles" and p.parts[-2] == "tasks"
            and p.name in ("main.yml", "main.yaml")),
    ),
    "Helm": ("Helm chart", lambda p: p.name == "Chart.yaml"),
    "Kubernetes": (
        "Kustomize configuration",
        lambda p: p.name in ("kustomization.yaml", "kustomization.yml", "Kustomization"),
    ),
    "Terraform": (
        "Terraform/OpenTofu configuration", lambda p: p.name.endswith((".tf", ".tf.json", ".tofu"))
    ),
    "Docker Compose": (
        "Docker Compose file",
        lambda p: p.name in ("compose.yml", "compose.yaml")
        or (p.name.startswith("docker-compose") and p.suffix in (".yml", ".yaml")),
    ),
    "Puppet": (
        "Puppet module file",
        lambda p: p.name == "Puppetfile" or (p.suffix == ".pp" and "manifests" in p.parts[:-1]),
    ),
    "Chef": (
        "Chef cookbook file",
        lambda p: p.name in ("Berksfile", "Policyfile.rb")
        or (p.suffix == ".rb" and len(p.parts) >= 2 and p.parts[-2] == "recipes"),
    ),
    "Salt": ("Salt state", lambda p: p.suffix == ".sls" or p.name == "Saltfile"),
    "Vagrant": ("Vagrant machine definition", lambda p: p.name == "Vagrantfile"),
    "Pulumi": ("Pulumi project", lambda p: p.name in ("Pulumi.yaml", "Pulumi.yml")),
}

_TOSCA = re.compile(r"^tosca_definitions_version\s*:", re.MULTILINE)
_K8S_API = re.compile(r"^apiVersion\s*:\s*\S", re.MULTILINE)
_K8S_KIND = re.compile(r"^kind\s*:\s*\S", re.MULTILINE)
_PLAY_HOSTS = re.compile(r"^\s*(?:-\s+)?hosts\s*:\s*\S", re.MULTILINE)
_PLAY_BODY = re.compile(r"^\s+(?:tasks|roles|pre_tasks|post_tasks)\s*:", re.MULTILINE)
_PUPPET = re.compile(
    r"^\s*(?:class|node|define)\s+[\w:'\"-]+[^\n]*\{|^\s*[a-z_:]+\s*\{\s*['\"$]", re.MULTILINE
)


def _line(text: str, rx: re.Pattern[str]) -> int | None:
    match = rx.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _by_content(text: str, suffix: str) -> tuple[str, str, int | None] | None:
    """(family, what, line) for YAML/Puppet files recognised by what they contain."""
    if suffix == ".pp":
        line = _line(text, _PUPPET)
        return ("Puppet", "Puppet manifest", line) if line else None
    if line := _line(text, _TOSCA):
        return "TOSCA", "TOSCA service template", line
    if _K8S_KIND.search(text) and (line := _line(text, _K8S_API)):
        return "Kubernetes", "Kubernetes manifest (apiVersion + kind)", line
    if _PLAY_BODY.search(text) and (line := _line(text, _PLAY_HOSTS)):
        return "Ansible", "Ansible playbook (hosts + tasks/roles)", line
    return None


def _outside_tests(path: PurePosixPath) -> bool:
    return not any(p.startswith(".") or p.lower() in _TEST_DIRS for p in path.parent.parts)


def _in_chart(path: PurePosixPath, chart_dirs: set[PurePosixPath]) -> bool:
    """Templates inside a Helm chart are the chart's, not separate Kubernetes manifests."""
    return any(chart == path.parent or chart in path.parents for chart in chart_dirs)


def cm_files(ctx: RepoContext) -> dict[str, list[Evidence]]:
    """Configuration-management / IaC files found, grouped by tool family."""
    found: dict[str, list[Evidence]] = {}
    charts = {PurePosixPath(e.path).parent for e in ctx.fs.files if e.name == "Chart.yaml"}
    for entry in ctx.fs.files:
        path = PurePosixPath(entry.path)
        if not _outside_tests(path):
            continue
        by_path = next(
            ((f, spec[0]) for f, spec in _BY_PATH.items() if spec[1](path)), None
        )
        if by_path is not None:
            family, what = by_path
            found.setdefault(family, []).append(Evidence(message=what, path=entry.path))
            continue
        if entry.suffix not in (".yml", ".yaml", ".pp") or _in_chart(path, charts):
            continue
        if (file := ctx.fs.try_read_text(entry.path, limit=_MAX_SCAN_BYTES)) is None:
            continue
        text = file.text
        if recognised := _by_content(text, entry.suffix):
            family, what, line = recognised
            found.setdefault(family, []).append(Evidence(message=what, path=entry.path, line=line))
    return found


def _shown(family: str, evidence: list[Evidence]) -> list[Evidence]:
    shown = evidence[:_SHOWN_PER_FAMILY]
    if len(evidence) > _SHOWN_PER_FAMILY:
        shown.append(
            Evidence(
                message=f"{family}: {len(evidence) - _SHOWN_PER_FAMILY} more file(s)",
                value=len(evidence),
            )
        )
    return shown


def iac_finding(ctx: RepoContext) -> Finding:
    """Deployment is described by CM/IaC files (Ansible, Helm, Kubernetes, Terraform, ...).

    The verdict of dep.iac_present, given also on a service's deployment repository
    (svc.dep.iac): one rule for both.
    """
    families = ctx.fact(cm_files)
    if not families:
        return Finding.failed(
            "no configuration-management or infrastructure-as-code files found (Ansible, "
            "Helm, Kubernetes, Terraform, TOSCA, Docker Compose, Puppet, Chef, Salt, Vagrant)",
            hint="Describe the deployment as code, e.g. a compose.yaml or a Helm chart for a "
            "service, or an Ansible role. For a library that is only installed, not deployed, "
            "skip the criterion with a reason in .sqaaas.yml: "
            'skip: {QC.Dep: "library installed with pip; nothing to deploy"}',
        )
    evidence = [e for family, found in sorted(families.items()) for e in _shown(family, found)]
    evidence.append(Evidence(message=_NOT_LINTED))
    return Finding(outcome=Outcome.PASS, evidence=evidence)
