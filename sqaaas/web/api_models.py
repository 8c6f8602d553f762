"""Request and response bodies of the REST API (/api/v1), as pydantic models.

They exist so the OpenAPI document says exactly what each endpoint takes and returns: the
schemathesis fuzz test holds every response to these schemas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sqaaas.core.catalogue import default_catalogue
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.pipelines import TARGETS
from sqaaas.pipelines.spec import PipelineSpec, parse_spec
from sqaaas.report.formats import WEB_FORMATS
from sqaaas.web.onboarding import MAX_CA_PEM_CHARS, MAX_URL_CHARS, OnboardingInput
from sqaaas.web.store import BadgeRecord, Job, JobEvent

API_PREFIX = "/api/v1"
# Literal of a tuple is the Literal of its values: the OpenAPI enums come from the one list
# of targets (sqaaas.pipelines) and of report formats (sqaaas.report.formats)
Target = Literal[TARGETS]  # type: ignore[valid-type]
JobState = Literal["queued", "running", "done", "failed"]
ReportFormat = Literal[WEB_FORMATS]  # type: ignore[valid-type]
REPORT_FORMATS: tuple[str, ...] = WEB_FORMATS
#: the profiles of criteria/badges.yml (which subcriteria decide), the default first
ProfileName = Literal[default_catalogue().profile_names]  # type: ignore[valid-type]
#: job kind -> the collection its URLs are under (/api/v1/<collection>/<id>, /<collection>/<id>)
COLLECTIONS = {"assessment": "assessments", "onboarding": "onboardings"}


def moment(epoch: float | None) -> datetime | None:
    """A database timestamp (seconds since the epoch) as an aware UTC datetime."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """Every error: a sentence saying what is wrong and, where it can, what to do."""

    detail: str


class WorkerSeen(BaseModel):
    name: str = Field(description="the worker's node name (celery@host...)")
    seen_at: float = Field(description="when it last reported (seconds since the epoch)")
    concurrency: int = Field(description="jobs it runs at once")
    queues: str = Field(description="the queues it takes jobs from")


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok; degraded: jobs wait (broker down, no worker); unavailable: the "
        "database does not answer (HTTP 503)"
    )
    version: str
    queued: int = Field(description="assessments waiting for a worker")
    running: int = Field(description="assessments being run now")
    database: str | None = Field(None, description="scaled out: 'ok' or why not")
    broker: str | None = Field(None, description="scaled out: 'ok' or why not")
    workers: list[WorkerSeen] | None = Field(None, description="scaled out: workers seen lately")


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
    profile: ProfileName | None = Field(
        None,
        description="which subcriteria decide each criterion's verdict (criteria/badges.yml, "
        f"docs/criteria.md); default: {default_catalogue().profiles.default}",
    )


class JobLinks(BaseModel):
    self: str
    page: str = Field(description="the web page of the job (progress, then report)")
    report: dict[str, str] = Field(description="report format -> URL (once the state is done)")
    badges: str
    events: str = Field(description="the job's state changes (queued, running on W, done...)")


class _JobStatus(BaseModel):
    """Where a job stands: queued -> running -> done (or failed)."""

    id: str = Field(description="32 hexadecimal digits")
    state: JobState
    progress: str | None = Field(description="what the worker is doing now")
    error: str | None = Field(description="why the job failed (state failed)")
    attempts: int = Field(description="times a worker started it (restarts re-queue it)")
    worker: str | None = Field(
        None, description="scaled out: the worker running it (or that ran it last)"
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    badge_level: str | None = Field(description="the badge level reached (state done)")
    links: JobLinks

    @staticmethod
    def common(job: Job, root: str) -> dict[str, Any]:
        """The fields every kind of job has; ``root`` is the path the service is mounted at."""
        collection = COLLECTIONS[job.kind]
        here = f"{root}{API_PREFIX}/{collection}/{job.id}"
        return {
            "id": job.id,
            "state": job.state,
            "progress": job.progress,
            "error": job.error,
            "attempts": job.attempts,
            "worker": job.worker,
            "created_at": moment(job.created_at),
            "started_at": moment(job.started_at),
            "finished_at": moment(job.finished_at),
            "badge_level": job.badge_level,
            "links": JobLinks(
                self=here,
                page=f"{root}/{collection}/{job.id}",
                report={fmt: f"{here}/report?format={fmt}" for fmt in REPORT_FORMATS},
                badges=f"{here}/badges",
                events=f"{here}/events",
            ),
        }


class JobEventView(BaseModel):
    """One change of a job's state."""

    at: datetime
    state: JobState
    attempt: int = Field(description="the attempt it belongs to (0: before any worker)")
    worker: str | None = Field(description="the worker of that attempt")
    detail: str | None = Field(description="why it was re-queued or failed; the level reached")

    @classmethod
    def of(cls, event: JobEvent) -> JobEventView:
        return cls.model_validate(
            {**event.__dict__, "at": moment(event.at)}
        )


class Assessment(_JobStatus):
    """Where an assessment of a repository stands."""

    repo_url: str
    branch: str | None
    subfolder: str | None
    profile: str | None = Field(
        description="the profile asked for (null: the default; the report names the one used)"
    )
    commit: str | None = Field(description="the commit assessed (state done)")

    @classmethod
    def of(cls, job: Job, root: str = "") -> Assessment:
        """The API view of ``job``; ``root`` is the path the service is mounted at."""
        return cls(
            **cls.common(job, root),
            repo_url=job.repo_url,
            branch=job.branch,
            subfolder=job.subfolder,
            profile=job.assessment_profile,
            commit=job.commit_sha,
        )


class AssessmentCreated(Assessment):
    created: bool = Field(
        description="false when the same repository, branch, subfolder and profile was already "
        "queued "
        "or running: that assessment is returned instead of a new one"
    )


class OnboardingRequest(_Body):
    service_url: str = Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="the service's base URL, http(s)://",
        examples=["https://service.example.org"],
    )
    openapi_url: str | None = Field(
        None,
        max_length=MAX_URL_CHARS,
        description="URL of the service's OpenAPI document (default: the profile's `openapi`, "
        "then well-known paths on the service)",
    )
    profile: str | None = Field(
        None,
        max_length=onboarding_settings().profile.max_bytes,
        description="the resource profile as YAML or JSON text (criteria/service/"
        "resource-profile.schema.json; see criteria/service/examples/resource-profile.yml)",
    )
    deployment_repo: str | None = Field(
        None,
        max_length=MAX_URL_CHARS,
        description="public http(s):// or git:// URL of the repository with the service's "
        "deployment code",
    )
    ca_pem: str | None = Field(
        None,
        max_length=MAX_CA_PEM_CHARS,
        description="PEM CA certificate(s) to trust for the service's TLS instead of the "
        "system store (a test deployment's own CA); never a private key",
    )

    def to_input(self) -> OnboardingInput:
        return OnboardingInput(**self.model_dump())


class Onboarding(_JobStatus):
    """Where an onboarding of a live service stands (``sqaaas onboard`` run by a worker)."""

    service_url: str
    openapi_url: str | None
    deployment_repo: str | None
    has_profile: bool = Field(description="a resource profile was sent (its text is not shown)")
    has_ca_certificates: bool = Field(description="CA certificates were sent")
    commit: str | None = Field(description="the commit of the deployment repository assessed")

    @classmethod
    def of(cls, job: Job, root: str = "") -> Onboarding:
        """The API view of ``job``; ``root`` is the path the service is mounted at."""
        wanted = OnboardingInput.of(job)
        return cls(
            **cls.common(job, root),
            service_url=wanted.service_url,
            openapi_url=wanted.openapi_url,
            deployment_repo=wanted.deployment_repo,
            has_profile=wanted.profile is not None,
            has_ca_certificates=wanted.ca_pem is not None,
            commit=job.commit_sha,
        )


class OnboardingCreated(Onboarding):
    created: bool = Field(
        description="false when the same onboarding request was already queued or running: "
        "that onboarding is returned instead of a new one"
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
    assessment: str = Field(description="id of the assessment or onboarding that earned it")
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
