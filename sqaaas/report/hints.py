"""Which hints every renderer shows, decided once: each hint once per badge panel and per
criterion.

Subcriteria decided by the same probe (QC.Uni03 and QC.Uni04), and criteria failing for
the same reason (QC.Wor01 and QC.Har04: no CI running the tests), carry the same hint. A
list showing it twice reads as two tasks, so the terminal, Markdown and web renderers all
take their hints from here (deduplicated with outcomes.unique_hints).
"""

from __future__ import annotations

from sqaaas.core.model import BadgeResult, CriterionResult, MissingItem
from sqaaas.core.outcomes import Outcome, unique_hints

#: outcomes whose hint is shown (a pass or a not-assessed subcriterion needs no fix)
WITH_HINT = (Outcome.FAIL, Outcome.ERROR)


def missing_hints(badge: BadgeResult) -> list[tuple[MissingItem, list[str]]]:
    """Each item missing for the next level, with the hints no earlier item listed."""
    seen: set[str] = set()
    items: list[tuple[MissingItem, list[str]]] = []
    for item in badge.missing_for_next:
        fresh = [hint for hint in unique_hints(item.hints) if hint not in seen]
        seen.update(fresh)
        items.append((item, fresh))
    return items


def subcriterion_hints(result: CriterionResult) -> dict[str, str]:
    """Subcriterion id -> the hint line of each failing or erroring subcriterion.

    A hint already shown for an earlier subcriterion of the criterion becomes a pointer,
    "same as QC.Uni03", so that it is read once but every failure still says how to fix it.
    """
    first: dict[str, str] = {}
    shown: dict[str, str] = {}
    for sid, sub in result.subcriteria.items():
        if sub.outcome not in WITH_HINT:
            continue
        hint = sub.hint.strip()  # compared as unique_hints compares
        if hint:
            shown[sid] = f"same as {first[hint]}" if hint in first else hint
            first.setdefault(hint, sid)
    return shown
