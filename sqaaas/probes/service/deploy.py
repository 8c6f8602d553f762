"""SvcQC.Dep and SvcQC.Sec07: the service's deployment repository (--deployment-repo).

The repository is read exactly like one given to `sqaaas assess`: the software baseline's
IaC detection and verdict (sqaaas.facts.deployment), the tool registry's linters and secret
scanner (sqaaas.tools.runs, sqaaas.tools.judge), and the world-writable verdict
(sqaaas.facts.filemodes) run on ``ctx.repo``. Nothing in it is executed.
"""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome, combine
from sqaaas.core.registry import probe
from sqaaas.facts.commands import search
from sqaaas.facts.declared_tools import declared_invocations
from sqaaas.facts.deployment import cm_files, iac_finding
from sqaaas.facts.filemodes import world_writable_finding
from sqaaas.facts.service.context import ServiceContext
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_yaml
from sqaaas.tools.judge import judge
from sqaaas.tools.runs import tool_facts
from sqaaas.tools.spec import Evidencing, default_tools

NO_REPO_HINT = (
    "Pass the repository holding the service's deployment code with --deployment-repo "
    "PATH-or-URL."
)
#: IaC file suffix -> registry tool that lints it (its QC.Sty01 fail_on decides)
LINTERS = {".yml": "yamllint", ".yaml": "yamllint", ".json": "json"}
LINT_SUBCRITERION = "QC.Sty01"
#: the tool runs, with the options of the runs the repository itself declares
TOOL_FACTS = tool_facts(declared_invocations)
SECRETS_TOOL, SECRETS_SUBCRITERION = "detect-secrets", "QC.Sec02"
#: SvcQC.Sec07.6 looks for passwords in deployment files: every detector decides here, the
#: keyword one included (QC.Sec02 counts only detectors that know a credential's format)
EVERY_SECRET = Evidencing(fail_on=("error", "warning"))
#: IaC files are what deploys the service: every linter error counts (a duplicate key in a
#: compose file is a bug there), not only the syntax errors that decide QC.Sty01
IAC_LINT = Evidencing(fail_on=("error",))
_MOLECULE_FILES = ("molecule.yml", "molecule.yaml")
_MAX_MOLECULE_BYTES = 200_000
_MOLECULE_LIMITS = Limits(max_bytes=_MAX_MOLECULE_BYTES)
_IDEMPOTENCE_CI = {
    "CI runs Molecule (its default test sequence re-applies the role: idempotence step)":
        r"\bmolecule\b[^\n#]*\b(?:test|idempotence)\b",
    "CI re-plans after apply (terraform/tofu plan -detailed-exitcode: no change expected)":
        r"\b(?:terraform|tofu)\b[^\n#]*\bplan\b[^\n#]*-detailed-exitcode",
    "CI runs an explicit idempotence check": r"\bidempoten(?:ce|cy|t)\b",
}


def _no_repo() -> Finding:
    return Finding(
        outcome=Outcome.NOT_APPLICABLE,
        evidence=[Evidence(message="no deployment repository given: its code was not assessed")],
        hint=NO_REPO_HINT,
    )


def _iac_paths(repo: RepoContext) -> list[str]:
    return sorted({e.path for found in repo.fact(cm_files).values() for e in found if e.path})


@probe("svc.dep.iac")
def dep_iac(ctx: ServiceContext) -> Finding:
    """The deployment repository holds IaC (dep.iac_present's verdict on it)."""
    if ctx.repo is None:
        return _no_repo()
    found = iac_finding(ctx.repo)
    if found.outcome is Outcome.FAIL:
        return found.model_copy(
            update={"hint": "Describe the service's deployment as code in that repository, "
                    "e.g. a compose.yaml, a Helm chart or an Ansible role."}
        )
    # dep.iac_present ends with a note that it does not lint; here SvcQC.Dep03 lints.
    files = [e for e in found.evidence if e.path or e.value is not None]
    note = Evidence(message="IaC linting is reported under SvcQC.Dep03")
    return found.model_copy(update={"evidence": [*files, note]})


@probe("svc.dep.iac_lint")
def dep_iac_lint(ctx: ServiceContext) -> Finding:
    """The IaC files lint clean with the registry's linters (yamllint, JSON syntax)."""
    if ctx.repo is None:
        return _no_repo()
    repo = ctx.repo
    by_tool: dict[str, set[str]] = {}
    unlinted: list[str] = []
    for path in _iac_paths(repo):
        tool = LINTERS.get(PurePosixPath(path).suffix.lower())
        if tool is None:
            unlinted.append(path)
        else:
            by_tool.setdefault(tool, set()).add(path)
    if not by_tool and not unlinted:
        return Finding.not_applicable("no IaC files in the deployment repository: nothing to lint")
    notes = [
        Evidence(message="IaC file not linted: no linter for its kind in sqaaas's tool registry",
                 path=p)
        for p in unlinted[:10]
    ]
    if not by_tool:
        return Finding(outcome=Outcome.NOT_AUTOMATED, evidence=notes)
    judged = []
    for tool, paths in sorted(by_tool.items()):
        run = repo.fact(TOOL_FACTS[tool])
        if run.status == "ok":  # only the IaC files count here, not every YAML file
            run = replace(run, findings=[f for f in run.findings if f.path in paths],
                          files=len(paths))
        spec = default_tools()[tool]
        spec = spec.model_copy(update={"evidences": {LINT_SUBCRITERION: IAC_LINT}})
        judged.append(judge(spec, run, LINT_SUBCRITERION))
    result = combine(judged)
    return result.model_copy(update={"evidence": result.evidence + notes})


def _molecule_scenarios(repo: RepoContext) -> list[tuple[str, bool]]:
    """(molecule.yml path, whether its test sequence includes the idempotence step).

    A scenario file over a parsing bound raises ParseLimitError (the probe says ``error``);
    one that is not valid YAML counts as Molecule's default sequence.
    """
    scenarios = []
    for entry in repo.fs.files:
        path = PurePosixPath(entry.path)
        if path.name not in _MOLECULE_FILES or len(path.parts) < 3 or path.parts[-3] != "molecule":
            continue
        file = repo.fs.try_read_text(entry.path, limit=_MAX_MOLECULE_BYTES)
        try:
            data = load_yaml(
                file.text, source=entry.path, limits=_MOLECULE_LIMITS, size=file.size
            ) if file else None
        except ParseLimitError:
            raise
        except ParseError:
            data = None
        scenario = data.get("scenario") if isinstance(data, dict) else None
        sequence = scenario.get("test_sequence") if isinstance(scenario, dict) else None
        # Molecule's default test sequence includes idempotence.
        scenarios.append((entry.path, sequence is None or "idempotence" in sequence))
    return sorted(scenarios)


@probe("svc.dep.iac_idempotence")
def dep_iac_idempotence(ctx: ServiceContext) -> Finding:
    """IaC tests check idempotence: Molecule scenarios or CI re-applying the deployment."""
    if ctx.repo is None:
        return _no_repo()
    repo = ctx.repo
    if not _iac_paths(repo):
        return Finding.not_applicable("no IaC files in the deployment repository: no IaC tests")
    scenarios = _molecule_scenarios(repo)
    skipping = [p for p, idempotent in scenarios if not idempotent]
    if skipping:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(message="Molecule scenario whose test_sequence leaves out idempotence",
                         path=p)
                for p in skipping
            ],
            hint="Put 'idempotence' back into the scenario's test_sequence (or drop the "
            "custom sequence to use Molecule's default).",
        )
    evidence = [
        Evidence(message="Molecule scenario; its test sequence includes idempotence", path=p)
        for p, _ in scenarios
    ]
    evidence += search(repo, _IDEMPOTENCE_CI)
    if not evidence:
        return Finding.failed(
            "no IaC test checks idempotence: no Molecule scenario, and no CI step re-applies "
            "the deployment",
            hint="Test the deployment code with Molecule (molecule test includes the "
            "idempotence step) or re-run terraform plan -detailed-exitcode after apply, in CI.",
        )
    evidence.append(Evidence(message="configuration read only: sqaaas does not run IaC tests"))
    return Finding(outcome=Outcome.PASS, evidence=evidence)


@probe("svc.sec.world_writable")
def sec_world_writable(ctx: ServiceContext) -> Finding:
    """No world-writable file in the deployment repository (sec.no_world_writable's verdict)."""
    return _no_repo() if ctx.repo is None else world_writable_finding(ctx.repo)


@probe("svc.sec.passwords")
def sec_passwords(ctx: ServiceContext) -> Finding:
    """No secret (password, key, token) that detect-secrets finds in a world-readable file."""
    if ctx.repo is None:
        return _no_repo()
    repo = ctx.repo
    spec = default_tools()[SECRETS_TOOL]
    spec = spec.model_copy(update={"evidences": {SECRETS_SUBCRITERION: EVERY_SECRET}})
    run = repo.fact(TOOL_FACTS[SECRETS_TOOL])
    if run.status != "ok":
        return judge(spec, run, SECRETS_SUBCRITERION)
    modes = {e.path: e.mode for e in repo.fs.files}
    readable = [f for f in run.findings if modes.get(f.path, stat.S_IROTH) & stat.S_IROTH]
    hidden = len(run.findings) - len(readable)
    result = judge(spec, replace(run, findings=readable), SECRETS_SUBCRITERION)
    scope = Evidence(
        message="secrets looked for in world-readable files (mode o+r)"
        + (f"; {hidden} in files others cannot read not counted" if hidden else "")
        + (f"; {run.unreadable} file(s) others cannot read not scanned" if run.unreadable
           else ""),
        tool=spec.name,
    )
    update: dict[str, object] = {"evidence": [scope, *result.evidence]}
    if result.outcome is Outcome.FAIL:
        update["hint"] = (
            "Remove the secrets from the repository (use a secret store, Ansible Vault or "
            "environment variables), rotate them, and mark false positives with "
            "'pragma: allowlist secret'."
        )
    return result.model_copy(update=update)
