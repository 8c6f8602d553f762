"""Request and response bodies of the REST API (/api/v1), as pydantic models.

They exist so the OpenAPI document says exactly what each endpoint takes and returns: the
schemathesis fuzz test holds every response to these schemas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sqaaas.pipelines.spec import PipelineSpec, parse_spec
from sqaaas.web.store import BadgeRecord, Job

API_PREFIX = "/api/v1"
Target = Literal["jenkins", "github-actions", "gitlab-ci"]  # = pipelines.render.TARGETS (tested)
JobState = Literal["queued", "running", "done", "failed"]
ReportFormat = Literal["json", "sarif", "markdown"]
REPORT_FORMATS: tuple[str, ...] = ("json", "sarif", "markdown")


def moment(epoch: float | None) -> datetime | None:
    """A database timestamp (seconds since the epoch) as an aware UTC datetime."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """Every error: a sentence saying what is wrong and, where it can, what to do."""

    detail: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    queued: int = Field(description="assessments waiting for a worker")
    running: int = Field(description="assessments being run now")


EXAMPLE_SPEC = {
    "repositories": [{"name": "app", "url": "https://github.com/example-org/app.git"}],
    "criteria": {
        "QC.Lic": [{"name": "licence"}],
        "QC.Uni": [{"name": "tests", "commands": ["pytest -q"], "image": "python:3.12-slim"}],
    },
}


class PipelineRequest(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"spec": EXAMPLE_SPEC, "target": "jenkins"}]},
    )

    spec: PipelineSpec = Field(description="the pipeline spec (`sqaaas pipeline schema`)")
    target: Target = Field(description="the CI system to write files for")

    @field_validator("spec", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        """Validate with the CLI's parse_spec: its SpecError (not a ValueError, so pydantic
        lets it through) becomes a 422 whose detail is what `sqaaas pipeline generate`
        prints for the same spec."""
        return value if isinstance(value, PipelineSpec) else parse_spec(value, "spec")


class PipelineFiles(BaseModel):
    target: Target
    files: dict[str, str] = Field(
        description="path relative to the repository root -> file text, as "
        "`sqaaas pipeline generate` writes them"
    )


class AssessmentRequest(_Body):
    repo_url: str = Field(
        min_length=1,
        max_length=2000,
        description="public http(s):// or git:// URL of the repository",
        examples=["https://github.com/EOSC-synergy/sqaaas-api-server.git"],
    )
    branch: str | None = Field(None, max_length=200, description="default: the remote's HEAD")
    subfolder: str | None = Field(
        None, max_length=500, description="assess only this folder of the repository"
    )


class AssessmentLinks(BaseModel):
    self: str
    page: str = Field(description="the web page of the assessment (progress, then report)")
    report: dict[str, str] = Field(description="report format -> URL (once the state is done)")
    badges: str


class Assessment(BaseModel):
    """Where an assessment stands: queued -> running -> done (or failed)."""

    id: str = Field(description="32 hexadecimal digits")
    state: JobState
    repo_url: str
    branch: str | None
    subfolder: str | None
    progress: str | None = Field(description="what the worker is doing now")
    error: str | None = Field(description="why the assessment failed (state failed)")
    attempts: int = Field(description="times a worker started it (restarts re-queue it)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    commit: str | None = Field(description="the commit assessed (state done)")
    badge_level: str | None = Field(description="the badge level reached (state done)")
    links: AssessmentLinks

    @classmethod
    def of(cls, job: Job, root: str = "") -> Assessment:
        """The API view of ``job``; ``root`` is the path the service is mounted at."""
        here = f"{root}{API_PREFIX}/assessments/{job.id}"
        return cls(
            id=job.id,
            state=job.state,  # type: ignore[arg-type]
            repo_url=job.repo_url,
            branch=job.branch,
            subfolder=job.subfolder,
            progress=job.progress,
            error=job.error,
            attempts=job.attempts,
            created_at=moment(job.created_at),  # type: ignore[arg-type]
            started_at=moment(job.started_at),
            finished_at=moment(job.finished_at),
            commit=job.commit_sha,
            badge_level=job.badge_level,
            links=AssessmentLinks(
                self=here,
                page=f"{root}/assessments/{job.id}",
                report={fmt: f"{here}/report?format={fmt}" for fmt in REPORT_FORMATS},
                badges=f"{here}/badges",
            ),
        )


class AssessmentCreated(Assessment):
    created: bool = Field(
        description="false when the same repository, branch and subfolder was already queued "
        "or running: that assessment is returned instead of a new one"
    )


class BadgeLinks(BaseModel):
    svg: str
    png: str
    credential: str
    revoke: str


class Badge(BaseModel):
    """A signed badge the service issued for a finished assessment."""

    id: str = Field(description="the credential id, urn:uuid:<uuid>")
    key: str = Field(description="the <uuid> part of the id, used in the badge URLs")
    assessment: str
    scheme: str
    level: str
    issued_at: datetime
    revoked: bool
    revoked_at: datetime | None
    revoked_reason: str | None
    links: BadgeLinks

    @classmethod
    def of(cls, record: BadgeRecord, root: str = "") -> Badge:
        key = record.id.removeprefix("urn:uuid:")
        here = f"{root}{API_PREFIX}/badges/{key}"
        return cls(
            id=record.id,
            key=key,
            assessment=record.job_id,
            scheme=record.scheme,
            level=record.level,
            issued_at=moment(record.created_at),  # type: ignore[arg-type]
            revoked=record.revoked_at is not None,
            revoked_at=moment(record.revoked_at),
            revoked_reason=record.revoked_reason,
            links=BadgeLinks(
                svg=f"{here}.svg",
                png=f"{here}.png",
                credential=f"{here}/credential",
                revoke=f"{here}/revoke",
            ),
        )


class Credential(BaseModel):
    """Both signed forms of a badge and where a verifier finds the issuer's keys."""

    id: str
    level: str
    ob3_jwt: str = Field(description="Open Badges 3.0 credential as a VC-JWT (EdDSA)")
    ob2_jws: str = Field(description="Open Badges 2.0 signed assertion (RS256 JWS)")
    issuer: str = Field(description="URL of the issuer profile")
    jwks: str = Field(description="URL of the issuer's public JWK set")
    revocations: str = Field(description="URL of the issuer's revocation list")
    revoked: bool


class RevokeRequest(_Body):
    reason: str | None = Field(
        None, max_length=500, description="published in the revocation list"
    )


class Revoked(BaseModel):
    id: str
    revoked: Literal[True]
    changed: bool = Field(description="false when the badge was revoked already")
    revoked_at: datetime | None
    reason: str | None
