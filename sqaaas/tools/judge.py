"""sqaaas' verdict on one tool run for one subcriterion: pass, fail or error.

A tool that is missing, crashes or times out makes the outcome ``error``: never a pass.
The decisive findings are those the subcriterion's ``fail_on`` names (criteria/tools.yml: a
severity, or a condition on severity, confidence and code such as bandit's MEDIUM severity
with HIGH confidence or detect-secrets' private-key detector), plus a score below the
tool's ``min_score``; the other findings are warnings in the evidence. Used by the ``tools.*``
probes, the service probes on a deployment repository and ``sqaaas pipeline tool``.
"""

from __future__ import annotations

from collections import Counter

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.tools.model import ToolRun
from sqaaas.tools.spec import Evidencing, ToolSpec

MAX_FINDINGS_SHOWN = 15  # per tool and subcriterion: the report stays readable
MAX_PER_FILE = 3


def _summary(spec: ToolSpec, run: ToolRun, failing: list, how: Evidencing) -> str:
    counts = Counter(f.severity for f in run.findings)
    parts = ", ".join(f"{n} {sev}" for sev, n in counts.most_common()) or "no findings"
    text = f"{spec.title} {run.version or ''}".strip() + f": {run.files} file(s), {parts}"
    if run.score is not None:
        text += f"; score {run.score}/10"
    if failing:
        text += f"; {len(failing)} decisive"
    if len(failing) < len(run.findings) and any(not isinstance(r, str) for r in how.fail_on):
        # a rule finer than severities: say which findings decide and which only warn
        text += f" ({how.describe(scope=False, brief=True)}; the others are warnings)"
    if run.suppressed:
        text += f"; {run.suppressed} suppressed inline by the repository (e.g. # nosec)"
    if run.config_files:
        text += f"; configuration from {', '.join(run.config_files)}"
    return text + (" (cached)" if run.cached else "")


def _shown(spec: ToolSpec, findings: list, failing_first: list) -> list[Evidence]:
    """Up to MAX_FINDINGS_SHOWN findings, decisive ones first; only those are failing lines."""
    ordered = failing_first + [f for f in findings if f not in failing_first]
    per_file: Counter[str] = Counter()
    shown = []
    for f in ordered:
        if per_file[f.path] >= MAX_PER_FILE:
            continue
        per_file[f.path] += 1
        shown.append(f)
        if len(shown) >= MAX_FINDINGS_SHOWN:
            break
    return [
        Evidence(
            message=f"{f.code}: {f.message}",
            path=f.path,
            line=f.line,
            tool=spec.name,
            value=f.severity,
            failing=f in failing_first,
        )
        for f in shown
    ]


def _notes(spec: ToolSpec, run: ToolRun) -> list[Evidence]:
    """Refused configuration options and files left out: context, never failing."""
    return [
        Evidence(message=f"{spec.title}: {note}", tool=spec.name, failing=False)
        for note in run.notes
    ]


def judge(spec: ToolSpec, run: ToolRun, subcriterion: str) -> Finding:
    """A tool run as a finding for one subcriterion (also used by `sqaaas pipeline tool`)."""
    if run.status != "ok":
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[Evidence(message=run.message, tool=spec.name), *_notes(spec, run)],
            hint=run.message,
        )
    how = spec.evidences[subcriterion]
    fail_on = how.fail_on
    failing = [f for f in run.findings if how.decides(f.severity, f.code, f.confidence)]
    low_score = (
        bool(fail_on)
        and spec.min_score is not None
        and run.score is not None
        and run.score < spec.min_score
    )
    # the summary (which may say "(cached)") is context; the decisive findings and a low
    # score are what fails (SARIF turns only failing lines into results)
    evidence = [
        Evidence(
            message=_summary(spec, run, failing, how),
            tool=spec.name,
            value=len(run.findings),
            failing=False,
        )
    ]
    if low_score:
        evidence.append(
            Evidence(
                message=f"score {run.score} is below the {spec.min_score} threshold",
                tool=spec.name,
                value=run.score,
                failing=True,
            )
        )
    evidence += _notes(spec, run)
    evidence += _shown(spec, run.findings, failing)
    if failing or low_score:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Fix the {spec.title} findings shown (run {spec.title} locally on the "
            "files listed; its own configuration in the repository is respected).",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)
