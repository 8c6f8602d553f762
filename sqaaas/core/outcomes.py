"""Outcomes and evidence: the vocabulary every probe answers in.

Kept free of any I/O so that probes, scoring and renderers can all import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sqaaas.textsafe import Printable


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
    """One observation backing an outcome: where it was seen and what was seen.

    Texts are ``Printable``: a file name that is not UTF-8 is shown escaped, never fatal.
    """

    model_config = ConfigDict(extra="forbid")

    message: Printable
    path: Printable | None = None
    line: int | None = None
    value: Printable | int | float | bool | list[Printable] | None = None
    tool: str | None = None
    excerpt: Printable | None = None
    failing: bool | None = Field(
        default=None,
        description="true when this line states why the subcriterion fails or errs, false "
        "when it backs a pass or only gives context (a summary, a file found); null when the "
        "producer did not say",
    )


class Finding(BaseModel):
    """A probe's answer: one outcome, the evidence for it, and an optional specific hint."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    evidence: list[Evidence] = Field(default_factory=list)
    hint: Printable | None = None

    @classmethod
    def passed(cls, message: str, **where: object) -> Finding:
        return cls(outcome=Outcome.PASS, evidence=[Evidence(message=message, **where)]).settled()

    @classmethod
    def failed(cls, message: str, hint: str | None = None, **where: object) -> Finding:
        evidence = [Evidence(message=message, **where)]
        return cls(outcome=Outcome.FAIL, evidence=evidence, hint=hint).settled()

    @classmethod
    def not_applicable(cls, message: str, **where: object) -> Finding:
        evidence = [Evidence(message=message, **where)]
        return cls(outcome=Outcome.NOT_APPLICABLE, evidence=evidence).settled()

    @classmethod
    def error(cls, message: str, **where: object) -> Finding:
        return cls(outcome=Outcome.ERROR, evidence=[Evidence(message=message, **where)]).settled()

    def settled(self) -> Finding:
        """This finding with every unmarked evidence line marked by the finding's own outcome.

        A probe marks the lines that only give context (``failing=False``) in a failing
        finding; all its other lines then state the failure. Once findings are merged
        (combine) a passing probe's "file found" could no longer be told from a failure,
        so each finding is settled first. Lines are copied: facts share Evidence objects.
        """
        if all(e.failing is not None for e in self.evidence):
            return self
        failing = self.outcome in (Outcome.FAIL, Outcome.ERROR)
        marked = [
            e if e.failing is not None else e.model_copy(update={"failing": failing})
            for e in self.evidence
        ]
        return self.model_copy(update={"evidence": marked})


def unique_hints(hints: Iterable[str | None]) -> list[str]:
    """Non-blank hints, each once, in first-seen order.

    The one place hints are deduplicated: combined probes, badge items and every renderer
    use it, so that a hint shared by several probes or subcriteria reads once.
    """
    return list(dict.fromkeys(h.strip() for h in hints if h and h.strip()))


def combine(findings: list[Finding]) -> Finding:
    """Merge the findings of several probes for one subcriterion.

    Error dominates, then fail; pass needs at least one pass and no fail/error;
    all not-applicable stays not-applicable.
    """
    if not findings:
        raise ValueError("combine() needs at least one finding")
    findings = [f.settled() for f in findings]
    if len(findings) == 1:
        return findings[0]
    evidence = [e for f in findings for e in f.evidence]
    hints = unique_hints(f.hint for f in findings)
    outcomes = {f.outcome for f in findings}
    for decisive in (Outcome.ERROR, Outcome.FAIL, Outcome.PASS, Outcome.NOT_AUTOMATED):
        if decisive in outcomes:
            outcome = decisive
            break
    else:
        outcome = Outcome.NOT_APPLICABLE
    return Finding(outcome=outcome, evidence=evidence, hint=" ".join(hints) or None)
