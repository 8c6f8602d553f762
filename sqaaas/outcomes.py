"""Outcomes and evidence: the vocabulary every probe answers in.

Kept free of any I/O so that probes, scoring and renderers can all import it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    """What a probe concluded for one subcriterion. An error is never a pass."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_AUTOMATED = "not_automated"
    ERROR = "error"

    @property
    def assessed(self) -> bool:
        """Whether this outcome counts towards coverage (a verdict was attempted)."""
        return self in (Outcome.PASS, Outcome.FAIL, Outcome.ERROR)


class Evidence(BaseModel):
    """One observation backing an outcome: where it was seen and what was seen."""

    model_config = ConfigDict(extra="forbid")

    message: str
    path: str | None = None
    line: int | None = None
    value: str | int | float | bool | list[str] | None = None
    tool: str | None = None
    excerpt: str | None = None


class Finding(BaseModel):
    """A probe's answer: one outcome, the evidence for it, and an optional specific hint."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    evidence: list[Evidence] = Field(default_factory=list)
    hint: str | None = None

    @classmethod
    def passed(cls, message: str, **where: object) -> Finding:
        return cls(outcome=Outcome.PASS, evidence=[Evidence(message=message, **where)])

    @classmethod
    def failed(cls, message: str, hint: str | None = None, **where: object) -> Finding:
        return cls(outcome=Outcome.FAIL, evidence=[Evidence(message=message, **where)], hint=hint)

    @classmethod
    def not_applicable(cls, message: str, **where: object) -> Finding:
        return cls(outcome=Outcome.NOT_APPLICABLE, evidence=[Evidence(message=message, **where)])

    @classmethod
    def error(cls, message: str, **where: object) -> Finding:
        return cls(outcome=Outcome.ERROR, evidence=[Evidence(message=message, **where)])


def combine(findings: list[Finding]) -> Finding:
    """Merge the findings of several probes for one subcriterion.

    Error dominates, then fail; pass needs at least one pass and no fail/error;
    all not-applicable stays not-applicable.
    """
    if not findings:
        raise ValueError("combine() needs at least one finding")
    if len(findings) == 1:
        return findings[0]
    evidence = [e for f in findings for e in f.evidence]
    hints = [f.hint for f in findings if f.hint]
    outcomes = {f.outcome for f in findings}
    for decisive in (Outcome.ERROR, Outcome.FAIL, Outcome.PASS, Outcome.NOT_AUTOMATED):
        if decisive in outcomes:
            outcome = decisive
            break
    else:
        outcome = Outcome.NOT_APPLICABLE
    return Finding(outcome=outcome, evidence=evidence, hint=" ".join(hints) or None)
