"""The original SQAaaS's subcriterion ids, from criteria/sqaaas-v1.yml, for the v1 export.

Consumers of the original service read ``report.QC.Ver.subcriteria["QC.Ver01.0"]`` and the
like; the data file says which of ours carries each such id and which the original had
alone (see its comments). Loaded once; a malformed file is a packaging error, said plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqaaas.core.catalogue import RequirementLevel
from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import SqaaasError


@dataclass(frozen=True)
class OriginalOnly:
    """A subcriterion the original reported and we have no equivalent of."""

    id: str
    criterion: str
    requirement_level: str
    description: str
    implied_by: str | None  # ours that passes it whenever ours passes
    reason: str | None  # why it is never assessed (without implied_by)


@dataclass(frozen=True)
class V1Ids:
    renamed: dict[str, str]  # our id -> the original's
    original_only: tuple[OriginalOnly, ...]

    def v1_id(self, sid: str) -> str:
        return self.renamed.get(sid, sid)


def _criterion_of(sid: str) -> str:
    """QC.Ver01.0 -> QC.Ver, SvcQC.Dep03.1 -> SvcQC.Dep."""
    found = re.match(r"[A-Za-z]+\.[A-Za-z]+", sid)
    if found is None:
        raise ValueError(f"{sid!r} is not a subcriterion id")
    return found.group(0)


def _original_only(sid: str, entry: dict[str, Any]) -> OriginalOnly:
    implied, reason = entry.get("implied_by"), entry.get("reason")
    if bool(implied) == bool(reason):
        raise ValueError(f"{sid}: give implied_by or reason, not both")
    level = RequirementLevel(entry["requirement_level"]).value
    return OriginalOnly(sid, _criterion_of(sid), level, str(entry["description"]),
                        implied, reason)


@cache
def v1_ids() -> V1Ids:
    path = data_path("criteria") / "sqaaas-v1.yml"
    data = load_yaml(path)
    try:
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        renamed = {str(k): str(v) for k, v in (data.get("renamed") or {}).items()}
        extra = tuple(_original_only(str(sid), entry)
                      for sid, entry in (data.get("original_only") or {}).items())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SqaaasError(f"{path}: malformed ({exc})") from exc
    return V1Ids(renamed, extra)
