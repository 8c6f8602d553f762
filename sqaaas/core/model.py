"""The report every output (terminal, JSON, Markdown, SARIF, web, badges) is rendered from.

Its JSON form is a documented contract: see schema.json beside this file and
docs/report-format.md. Bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.textsafe import Printable

SCHEMA_VERSION = "1.3"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Score(_Model):
    earned: float
    total: float


class SubcriterionResult(_Model):
    outcome: Outcome
    requirement_level: str
    description: str
    hint: Printable
    evidence: list[Evidence] = Field(default_factory=list)
    probes: list[str] = Field(default_factory=list)
    skipped_reason: Printable | None = None
    gating: bool = Field(
        description="Whether this subcriterion decides the criterion's verdict under the "
        "report's profile (decisive); the others are advisory"
    )
    metric: str | None = Field(
        default=None, description="FAIR metric measured (F-UJI) or approximated (offline)"
    )
    score: Score | None = Field(default=None, description="points earned of the metric's total")
    maturity: int | None = Field(default=None, description="F-UJI maturity 0-3")


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
    skipped_reason: Printable | None = None
    subcriteria: dict[str, SubcriterionResult]


class MissingItem(_Model):
    criterion: str
    reason: Printable
    subcriteria: list[str] = Field(default_factory=list)
    hints: list[Printable] = Field(default_factory=list)


class BadgeResult(_Model):
    scheme: str
    level: str  # catalogue.NO_LEVEL ("none") or a level name from criteria/badges.yml
    next_level: str | None
    missing_for_next: list[MissingItem] = Field(default_factory=list)


class PrincipleScore(_Model):
    earned: float
    total: float
    percent: float | None = Field(description="earned / total * 100, null when total is 0")
    passed: int
    assessed: int


class FairSummary(_Model):
    """How a FAIR section was obtained and what it adds up to, per principle and in total."""

    source: str = Field(description="'offline' (from the repository) or 'f-uji' (a server)")
    metric_set: str = Field(description="e.g. metrics_v0.7_software")
    metric_specification: str | None = None
    object_identifier: str | None = None
    resolved_url: str | None = None
    resolved: bool | None = Field(
        default=None, description="whether F-UJI reached the object (null offline)"
    )
    server_version: str | None = None
    error: str | None = Field(default=None, description="why the evaluation has no scores")
    scores: dict[str, PrincipleScore] = Field(
        default_factory=dict, description="keyed by F, A, I, R and FAIR (the total)"
    )
    badge: BadgeResult | None = None


class RepositoryInfo(_Model):
    """Where the assessed code came from; names that are not UTF-8 are shown escaped."""

    url: Printable | None
    commit: Printable | None
    branch: Printable | None
    path: Printable
    subfolder: Printable | None = None


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
    profile: str | None = Field(
        default=None,
        description="the profile of criteria/badges.yml that said which subcriteria decide "
        "(gating); null in reports made before profiles (format 1.0-1.2)",
    )
    languages: dict[str, int] = Field(default_factory=dict)
    criteria: dict[str, CriterionResult]
    badge: BadgeResult
    fair: dict[str, FairSummary] = Field(
        default_factory=dict, description="FAIR sections (criteria keys QC.FAIR, QC.FAIR.F-UJI)"
    )
    generated_at: str
    duration_s: float

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=False) + "\n"
