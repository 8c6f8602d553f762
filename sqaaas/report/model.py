"""The report every output (terminal, JSON, Markdown, SARIF, web, badges) is rendered from.

Its JSON form is a documented contract: see schema.json beside this file and
docs/report-format.md. Bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sqaaas.outcomes import Evidence, Outcome

SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubcriterionResult(_Model):
    outcome: Outcome
    requirement_level: str
    description: str
    hint: str
    evidence: list[Evidence] = Field(default_factory=list)
    probes: list[str] = Field(default_factory=list)
    skipped_reason: str | None = None
    gating: bool = Field(description="Whether this subcriterion decides the criterion's verdict")


class Coverage(_Model):
    passed: int
    assessed: int
    total: int
    ratio: float | None = Field(description="passed / assessed, null when nothing was assessed")


class CriterionResult(_Model):
    title: str
    source_url: str
    valid: bool
    coverage: Coverage
    skipped_reason: str | None = None
    subcriteria: dict[str, SubcriterionResult]


class MissingItem(_Model):
    criterion: str
    reason: str
    subcriteria: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)


class BadgeResult(_Model):
    scheme: str
    level: str  # "none" or a level name from criteria/badges.yml
    next_level: str | None
    missing_for_next: list[MissingItem] = Field(default_factory=list)


class RepositoryInfo(_Model):
    url: str | None
    commit: str | None
    branch: str | None
    path: str
    subfolder: str | None = None


class BaselineInfo(_Model):
    id: str
    title: str
    url: str
    version: str


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    tool: dict[str, str]
    baseline: BaselineInfo
    repository: RepositoryInfo
    config_source: str | None = None
    languages: dict[str, int] = Field(default_factory=dict)
    criteria: dict[str, CriterionResult]
    badge: BadgeResult
    generated_at: str
    duration_s: float

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=False) + "\n"
