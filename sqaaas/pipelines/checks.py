"""What a pipeline step's check does once inside CI: run one registry tool the way
``sqaaas assess`` runs it, or gate on a criterion's verdict in an assess report.

Both exist so that a CI job passes or fails for exactly the reason ``sqaaas assess`` gives,
never for a tool's own exit status (registry tools run with options like ``--exit-zero``
because sqaaas parses their output and applies its own rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.errors import SqaaasError
from sqaaas.facts.declared_tools import declared_invocations
from sqaaas.paths import default_cache_dir
from sqaaas.pipelines.commands import evidenced
from sqaaas.probes.judging import judge_in_scope
from sqaaas.safeparse import Limits, ParseError, load_json, read_document
from sqaaas.tools.runner import run_tool
from sqaaas.tools.spec import default_tools

#: Reports are written where the repository's own steps run: read them as untrusted.
REPORT_LIMITS = Limits(max_bytes=50_000_000, max_nodes=5_000_000)


@dataclass
class CheckResult:
    """A step's verdict: passed or not, with one line per subcriterion or criterion."""

    passed: bool
    lines: list[str] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)


def run_tool_check(
    tool_name: str, target: str, criterion: str, extra_args: tuple[str, ...] = ()
) -> CheckResult:
    """Run registry tool ``tool_name`` with ``extra_args`` on the repository at ``target`` and
    judge each subcriterion of ``criterion`` it evidences with sqaaas's own rule."""
    spec = default_tools().get(tool_name)
    if spec is None or spec.not_automated or not evidenced(spec, criterion):
        raise SqaaasError(f"{tool_name}: not a registry tool run for {criterion} "
                          "(see criteria/tools.yml)")
    spec = spec.model_copy(update={"args": (*spec.args, *extra_args)})
    ctx = make_context(acquire(target))
    declared = declared_invocations(ctx, spec.declared_as) if spec.declared_as else ()
    run = run_tool(spec, ctx.fs, default_cache_dir(), declared)
    judged: dict[str, Finding] = {}
    for sub in evidenced(spec, criterion):
        how = spec.evidences[sub]
        if run.status == "ok" and run.files == 0:
            judged[sub] = Finding.not_applicable(f"no files match {', '.join(spec.include)}")
        else:
            judged[sub] = judge_in_scope(ctx, spec, run, sub)
        if not how.fail_on and judged[sub].outcome is Outcome.PASS:
            judged[sub] = judged[sub].model_copy(update={"outcome": Outcome.NOT_AUTOMATED})
    decisive = [f.outcome for sub, f in judged.items() if spec.evidences[sub].fail_on]
    passed = all(o in (Outcome.PASS, Outcome.NOT_APPLICABLE) for o in decisive)
    lines = [
        f"{sub}: {finding.outcome.value}: {_first(finding.evidence)}"
        for sub, finding in judged.items()
    ]
    data: dict[str, object] = {
        "tool": spec.name,
        "title": spec.title,
        "version": run.version,
        "status": run.status,
        "message": run.message,
        "criterion": criterion,
        "args": list(spec.args),
        "files": run.files,
        "duration_s": run.duration_s,
        "passed": passed,
        "subcriteria": {sub: f.model_dump(mode="json") for sub, f in judged.items()},
    }
    return CheckResult(passed, lines, data)


def _first(evidence: list[Evidence]) -> str:
    return evidence[0].message if evidence else "no evidence"


def report_verdict(report_path: Path, criterion: str) -> CheckResult:
    """Whether ``criterion`` is valid in an assess JSON report (a missing criterion or an
    unreadable report is an error, never a pass)."""
    try:
        text = read_document(report_path, kind="JSON", limits=REPORT_LIMITS)
        data = load_json(text, source=str(report_path), limits=REPORT_LIMITS)
    except OSError as exc:
        raise SqaaasError(f"{report_path}: cannot read: {exc.strerror or exc}") from None
    except ParseError as exc:
        raise SqaaasError(f"{report_path}: not a JSON report: {exc.problem}") from None
    results = data.get("criteria") if isinstance(data, dict) else None
    result = results.get(criterion) if isinstance(results, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("valid"), bool):
        raise SqaaasError(f"{report_path}: no verdict for {criterion} in this report")
    lines = [
        f"{sub}: {entry.get('outcome')}"
        for sub, entry in sorted((result.get("subcriteria") or {}).items())
        if isinstance(entry, dict) and entry.get("gating")
    ]
    state = "valid" if result["valid"] else "not valid"
    return CheckResult(result["valid"], [f"{criterion}: {state}", *lines], {"criterion": criterion})
