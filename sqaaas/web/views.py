"""What the assessment and onboarding pages show, computed from a job, its report and its
badge.

Kept apart from the routes so the wording of times, the badge's share snippets and the
verification steps are plain functions of their inputs (and tested as such). Every value
here is text for the templates, which escape it.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import asdict, dataclass

from sqaaas.badges.issuer import Issuer
from sqaaas.badges.labels import scheme_title
from sqaaas.core.outcomes import Evidence
from sqaaas.report.formats import BY_NAME, WEB_FORMATS
from sqaaas.report.terminal import OUTCOME_STYLE
from sqaaas.web.api_models import API_PREFIX, COLLECTIONS
from sqaaas.web.onboarding import OnboardingInput
from sqaaas.web.store import BadgeRecord, Job

API = API_PREFIX
#: (format, label) of each report download
REPORT_FORMATS = tuple((name, BY_NAME[name].label) for name in WEB_FORMATS)
#: evidence items shown per subcriterion before the rest is folded away
SHOWN_EVIDENCE = 5
OUTCOME_LABELS = {outcome.value: label for outcome, (label, _) in OUTCOME_STYLE.items()}


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``: how long, for people."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def elapsed(job: Job, now: float | None = None) -> str:
    """Waiting time of a queued job, running time of a running one, total of a finished one."""
    now = time.time() if now is None else now
    if job.state == "queued":
        return duration(now - job.created_at)
    start = job.started_at or job.created_at
    return duration((job.finished_at or now) - start)


@dataclass(frozen=True)
class KindText:
    """The words the job pages use for one kind of job."""

    noun: str  # "assessment"
    doing: str  # heading of the progress page: "<doing> <URL>"
    form: str  # the page that submits this kind of job
    again: str  # the button that submits the same request again
    another: str  # the link to the empty form
    check: str  # what to check before trying again


KIND_TEXT = {
    "assessment": KindText(
        noun="assessment",
        doing="Assessing",
        form="/assess",
        again="Assess again",
        another="Assess another repository",
        check="Check that the repository is public and the branch exists, then submit it again.",
    ),
    "onboarding": KindText(
        noun="onboarding",
        doing="Onboarding",
        form="/onboard",
        again="Onboard again",
        another="Onboard another service",
        check="Check that the service answers at its URL and that the deployment repository is "
        "public, then submit it again.",
    ),
}


def report_links(job_id: str, kind: str = "assessment") -> list[tuple[str, str]]:
    """(label, URL) of each report download."""
    here = f"{API}/{COLLECTIONS[kind]}/{job_id}"
    return [(label, f"{here}/report?format={fmt}") for fmt, label in REPORT_FORMATS]


def request_facts(job: Job) -> list[tuple[str, str]]:
    """(label, value) of what was asked for besides the URL, for the progress and failure
    pages (an onboarding's profile and certificates are only said to be there)."""
    if job.kind == "onboarding":
        wanted = OnboardingInput.of(job)
        facts = [
            ("OpenAPI document", wanted.openapi_url),
            ("Deployment repository", wanted.deployment_repo),
            ("Resource profile", "sent" if wanted.profile else None),
            ("CA certificates", "sent" if wanted.ca_pem else None),
        ]
    else:
        facts = [
            ("Branch", job.branch),
            ("Subfolder", job.subfolder),
            ("Badge profile", job.assessment_profile),
        ]
    return [(label, value) for label, value in facts if value]


def retry_fields(job: Job) -> list[tuple[str, str]]:
    """The form fields that submit the same request again."""
    if job.kind == "onboarding":
        wanted = OnboardingInput.of(job)
        return [(name, value or "") for name, value in asdict(wanted).items()]
    return [("repo_url", job.repo_url), ("branch", job.branch or ""),
            ("subfolder", job.subfolder or ""),
            ("profile", job.assessment_profile or "")]  # fmt: skip


def evidence_where(ev: Evidence) -> str | None:
    """``path:line`` (or the path) of an evidence item."""
    if not ev.path:
        return None
    return f"{ev.path}:{ev.line}" if ev.line else ev.path


def evidence_value(ev: Evidence) -> str | None:
    if ev.value is None:
        return None
    if isinstance(ev.value, list):
        return ", ".join(ev.value)
    if isinstance(ev.value, bool):
        return "yes" if ev.value else "no"
    return str(ev.value)


@dataclass(frozen=True)
class BadgeView:
    """A badge the service issued, with what a README needs to show and check it."""

    record: BadgeRecord
    image: str  # path of the baked SVG on this service
    image_url: str  # absolute: for snippets used on other sites
    page_url: str  # the report page the badge links to
    credential_url: str
    issuer_url: str
    jwks_url: str
    revocations_url: str
    report_url: str

    @property
    def alt(self) -> str:
        return f"sqaaas {scheme_title(self.record.scheme).lower()} badge: {self.record.level}"

    @property
    def markdown(self) -> str:
        return f"[![{self.alt}]({self.image_url})]({self.page_url})"

    @property
    def html(self) -> str:
        """An HTML snippet: the URLs are the service's own, the alt text fixed words."""
        return f'<a href="{self.page_url}"><img src="{self.image_url}" alt="{self.alt}"></a>'

    @property
    def verify_commands(self) -> str:
        """Shell lines that fetch the badge and the issuer's keys and verify offline."""
        q = shlex.quote
        return "\n".join(
            [
                f"curl -fsSL -o badge.svg {q(self.image_url)}",
                f"curl -fsSL -o issuer.jwks.json {q(self.jwks_url)}",
                f"curl -fsSL -o report.json {q(self.report_url)}",
                "sqaaas badge verify badge.svg --trust issuer.jwks.json --report report.json \\",
                f"  --issuer {q(self.issuer_url)} --revocations {q(self.revocations_url)}",
            ]
        )


def badge_view(record: BadgeRecord, job: Job, base_url: str, issuer_url: str) -> BadgeView:
    key = record.id.removeprefix("urn:uuid:")
    issuer = Issuer.from_url(issuer_url)
    image = f"{API}/badges/{key}.svg"
    collection = COLLECTIONS[job.kind]
    return BadgeView(
        record=record,
        image=image,
        image_url=base_url + image,
        page_url=f"{base_url}/{collection}/{job.id}",
        credential_url=f"{base_url}{API}/badges/{key}/credential",
        issuer_url=issuer_url,
        jwks_url=issuer.jwks_url,
        revocations_url=issuer.revocations_url,
        report_url=f"{base_url}{API}/{collection}/{job.id}/report?format=json",
    )
