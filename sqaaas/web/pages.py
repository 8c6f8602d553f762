"""The HTML pages: home, the pipeline composer, the assessment and onboarding forms, their
progress and report pages.

Pages work without JavaScript (web/static/app.js only adds rows and live progress) and
anonymously; every form post carries the CSRF token of its page. Each route is a thin
shell over web.operations (the same functions as the REST API and the CLI) and the composer's
form <-> spec mapping; errors become pages or inline messages, never a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from sqaaas import __version__
from sqaaas.badges.credential import badge_scheme
from sqaaas.core.catalogue import default_catalogue
from sqaaas.datafiles import data_path
from sqaaas.errors import SqaaasError
from sqaaas.pipelines import TARGET_LABELS, TARGETS
from sqaaas.pipelines.spec import (
    DEFAULT_IMAGE,
    PipelineSpec,
    SpecError,
    dump_spec,
    parse_spec,
)
from sqaaas.report import fairview, hints
from sqaaas.safeparse import ParseError, load_yaml
from sqaaas.web import composer, views
from sqaaas.web.api_models import COLLECTIONS
from sqaaas.web.deps import operations_of
from sqaaas.web.netcheck import InvalidField
from sqaaas.web.onboarding import OnboardingInput
from sqaaas.web.operations import NotFound, pipeline_files, zip_bytes
from sqaaas.web.security import CSRF_FIELD, csrf_ok, csrf_token, set_csrf_cookie
from sqaaas.web.store import Job, QueueFull

router = APIRouter(include_in_schema=False)

MAX_FORM_FIELDS = 5000
MAX_SPEC_CHARS = 100_000
#: seconds between reloads of the progress page when JavaScript does not run (app.js polls)
PROGRESS_REFRESH_S = 5
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
KIND_LABELS = {"tools": "the registry tools", "tool": "a registry tool", "commands": "my commands"}
COMPARATOR_LABELS = {
    "EQUALS": "exact name",
    "GLOB": "shell pattern (*, ?)",
    "REGEXP": "regular expression",
}
FIELDS = SimpleNamespace(
    repo=composer.repo_field,
    env=composer.env_field,
    when=composer.when_field,
    step=composer.step_field,
)


def _page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render ``template`` with what every page needs (CSRF token, version, nav)."""
    templates = request.app.state.templates
    full = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "version": __version__,
        **(context or {}),
    }
    response: Response = templates.TemplateResponse(
        request, template, full, status_code=status, headers=headers
    )
    response.headers["Cache-Control"] = "no-store"
    set_csrf_cookie(request, response)
    return response


def _error(
    request: Request, status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return _page(
        request, "error.html", {"title": title, "message": message}, status=status, headers=headers
    )


async def _posted(request: Request) -> Any:
    """The submitted form, or the error page to answer with (unreadable, bad CSRF token).

    Bodies over the service's limit never get here (security.BodyLimit answers 413).
    """
    try:
        form = await request.form(max_fields=MAX_FORM_FIELDS)
    except (HTTPException, MultiPartException) as exc:
        detail = getattr(exc, "detail", None) or getattr(exc, "message", "")
        return _error(request, 400, "Unreadable form", f"The form could not be read: {detail}")
    token = form.get(CSRF_FIELD)
    if not csrf_ok(request, token if isinstance(token, str) else None):
        return _error(
            request,
            403,
            "Form expired",
            "This form was not sent from this site's page, or the page is too old (its "
            "security token does not match). Open the page again and resend it.",
        )
    return form


# home


@router.get("/", name="home")
def home(request: Request) -> Response:
    scheme = default_catalogue().badges["software"]
    return _page(request, "home.html", {"nav": "home", "levels": scheme.levels})


# the pipeline composer


def _composer(
    request: Request,
    form: composer.ComposerForm,
    errors: composer.Errors | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    form = composer.for_display(form)
    choices = composer.criterion_choices()
    context = {
        "nav": "compose",
        "form": form,
        "errors": errors or {},
        "choices": choices,
        "targets": [(t, TARGET_LABELS[t]) for t in TARGETS],
        "levels": [("", "none"), *((lv, lv) for lv in default_catalogue().level_names)],
        "target_labels": TARGET_LABELS,
        "kinds": [(kind, KIND_LABELS[kind]) for kind in composer.KINDS],
        "comparators": [(c, COMPARATOR_LABELS[c]) for c in composer.COMPARATORS],
        "tool_options": {
            c.id: [("", "choose a tool"), *((t.name, t.label) for t in c.tools)] for c in choices
        },
        "repo_options": [
            (str(i), f"{i + 1} (main)" if i == 0 else str(i + 1))
            for i in range(len(form.repositories))
        ],
        "default_image": DEFAULT_IMAGE,
        "step_timeout": str(composer.DEFAULT_STEP_TIMEOUT),
        "names": FIELDS,
        "describe": composer.describe,
        "general": composer.GENERAL,
        **extra,
    }
    return _page(request, "compose.html", context, status=status)


@router.get("/compose", name="compose")
def compose_form(request: Request) -> Response:
    return _composer(request, composer.blank_form())


Composed = Callable[[composer.ComposerForm, dict[str, str], PipelineSpec], Response]


async def _composed(request: Request, answer: Composed) -> Response:
    """``answer(form, files, spec)`` for a posted composer form that is valid; else the form
    again with its errors (422), or the CSRF refusal."""
    data = await _posted(request)
    if isinstance(data, Response):
        return data
    form = composer.parse_form(data)
    spec, errors = composer.to_spec(form)
    if spec is not None:
        try:
            return answer(form, pipeline_files(spec, form.target), spec)
        except SqaaasError as exc:
            errors = {composer.GENERAL: [str(exc)]}
    return _composer(request, form, errors, status=422)


@router.post("/compose", name="compose_preview")
async def compose_preview(request: Request) -> Response:
    def preview(form: composer.ComposerForm, files: dict[str, str], spec: PipelineSpec) -> Response:
        return _composer(request, form, files=files, spec_yaml=dump_spec(spec))

    return await _composed(request, preview)


def _zip(form: composer.ComposerForm, files: dict[str, str], spec: PipelineSpec) -> Response:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", form.name).strip("-.")[:60] or "sqaaas"
    return Response(
        zip_bytes(files),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{stem}-{form.target}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/compose/zip", name="compose_zip")
async def compose_zip(request: Request) -> Response:
    return await _composed(request, _zip)


@router.post("/compose/load", name="compose_load")
async def compose_load(request: Request) -> Response:
    """Fill the composer from a spec (YAML or JSON text), e.g. one `pipeline init` wrote."""
    data = await _posted(request)
    if isinstance(data, Response):
        return data
    text = data.get("spec")
    text = text if isinstance(text, str) else ""
    target = data.get(composer.TARGET)
    target = target if target in TARGETS else composer.DEFAULT_TARGET
    try:
        if len(text) > MAX_SPEC_CHARS:
            raise SpecError(f"the spec is longer than {MAX_SPEC_CHARS} characters")
        try:  # bounded: a pasted spec may be an alias bomb, deeply nested...
            raw = load_yaml(text, source="spec")
        except ParseError as exc:
            raise SpecError(str(exc)) from None
        form = composer.from_spec(parse_spec(raw, "spec"), str(target))
    except SpecError as exc:
        errors = {"spec": [str(exc)]}
        return _composer(request, composer.blank_form(), errors, status=422, spec_text=text)
    return _composer(request, form, loaded=True)


# assessments and onboardings: a form that queues a job, and the job's page


@dataclass(frozen=True)
class JobForm:
    """The form that submits one kind of job."""

    template: str
    labels: dict[str, str]  # field -> label, in the form's order (the first is the URL)
    texts: tuple[str, ...] = ()  # multi-line fields, kept as typed (others are one line)
    #: what is queued already, in the queue-full message
    waiting: str = "Assessments"

    def values(self, data: Any) -> dict[str, str]:
        """The posted fields: one-line ones stripped and capped, texts with Unix newlines
        (browsers send CRLF; a pasted profile or certificate must not change by it)."""
        values = {}
        for key in self.labels:
            value = data.get(key) if data is not None else None
            value = value if isinstance(value, str) else ""
            values[key] = value.replace("\r\n", "\n") if key in self.texts else value.strip()[:2000]
        return values


JOB_FORMS = {
    "assessment": JobForm(
        "assess.html",
        {
            "repo_url": "Repository URL",
            "branch": "Branch",
            "subfolder": "Subfolder",
            "profile": "Badge profile",
        },
    ),
    "onboarding": JobForm(
        "onboard.html",
        {
            "service_url": "Service URL",
            "openapi_url": "OpenAPI document URL",
            "profile": "Resource profile",
            "deployment_repo": "Deployment repository URL",
            "ca_pem": "CA certificate",
        },
        texts=("profile", "ca_pem"),
        waiting="Onboardings",
    ),
}
#: the nav item each kind of job's pages belong to
NAV_OF_KIND = {"assessment": "assess", "onboarding": "onboard"}


def _job_form(
    request: Request,
    kind: str,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    form = JOB_FORMS[kind]
    catalogue = default_catalogue()
    context = {
        "nav": NAV_OF_KIND[kind],
        "values": values or form.values(None),
        "errors": errors or {},
        "describe": form.labels.get,
        # the profiles of criteria/badges.yml, the default first (its option is selected
        # when the form has no value)
        "profiles": [
            (name, f"{name}: {catalogue.profile(name).title}")
            for name in catalogue.profile_names
        ],
    }
    return _page(request, form.template, context, status=status)


Submit = Callable[[dict[str, str]], tuple[Job, bool]]


async def _submitted(request: Request, kind: str, submit: Submit) -> Response:
    """Queue the posted form's job and go to its page; else the form again with the error
    next to its field (422), the CSRF refusal, or the queue-full page."""
    data = await _posted(request)
    if isinstance(data, Response):
        return data
    form = JOB_FORMS[kind]
    values = form.values(data)
    try:
        job, _ = submit(values)
    except InvalidField as exc:
        field = exc.field if exc.field in values else next(iter(form.labels))
        return _job_form(request, kind, values, {field: [str(exc)]}, status=422)
    except QueueFull as exc:
        return _error(
            request,
            503,
            "The queue is full",
            f"{exc}. {form.waiting} already queued finish first; please submit again in a few "
            "minutes.",
            headers={"Retry-After": "60"},
        )
    return RedirectResponse(f"/{COLLECTIONS[kind]}/{job.id}", status_code=303)


@router.get("/assess", name="assess")
def assess_form(request: Request) -> Response:
    return _job_form(request, "assessment")


@router.post("/assess", name="assess_submit")
async def assess_submit(request: Request) -> Response:
    service = operations_of(request)
    return await _submitted(
        request,
        "assessment",
        lambda values: service.submit(
            values["repo_url"], values["branch"], values["subfolder"], values["profile"]
        ),
    )


@router.get("/onboard", name="onboard")
def onboard_form(request: Request) -> Response:
    return _job_form(request, "onboarding")


@router.post("/onboard", name="onboard_submit")
async def onboard_submit(request: Request) -> Response:
    service = operations_of(request)
    return await _submitted(
        request, "onboarding", lambda values: service.submit_onboarding(OnboardingInput(**values))
    )


@router.get("/onboard/resource-profile.yml", name="onboard_example_profile")
def example_profile() -> Response:
    """The example resource profile shipped with sqaaas, to start one from."""
    path = data_path("criteria") / "service" / "examples" / "resource-profile.yml"
    return Response(
        path.read_text(encoding="utf-8"),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="resource-profile.yml"'},
    )


def _job_page(request: Request, job_id: str, kind: str) -> Response:
    """The page of an assessment or onboarding: its progress, its failure, or its report."""
    service = operations_of(request)
    text = views.KIND_TEXT[kind]
    nav = NAV_OF_KIND[kind]
    try:
        if not _JOB_ID.match(job_id):
            raise NotFound(job_id)
        job = service.job(job_id, kind)
    except NotFound:
        return _error(
            request,
            404,
            f"No such {text.noun}",
            f"There is no {text.noun} at this address. Check the link, or start a new one.",
        )
    context: dict[str, Any] = {
        "nav": nav,
        "job": job,
        "text": text,
        "facts": views.request_facts(job),
        "elapsed": views.elapsed(job),
    }
    if job.state in ("queued", "running"):
        waited = max(0, int(time.time() - job.created_at))
        context.update(
            fallback_refresh=PROGRESS_REFRESH_S,
            poll=f"{views.API}/{COLLECTIONS[kind]}/{job.id}",
            waited=waited,
            elapsed=views.duration(waited),
        )
        return _page(request, "progress.html", context)
    if job.state == "failed":
        context["retry"] = views.retry_fields(job)
        return _page(request, "failed.html", context)
    try:
        report = service.report(job.id, kind)
        scheme, _ = badge_scheme(report)
    except (SqaaasError, ValueError):
        return _error(
            request,
            409,
            "Report cannot be shown",
            f"The stored report of this {text.noun} does not match the report format of this "
            f"version of sqaaas. Download it as JSON from the API, or submit the {text.noun} "
            "again.",
        )
    records = [r for r in service.badges_of(job.id) if r.scheme == scheme]
    badge = (
        views.badge_view(
            records[-1], job, service.settings.base_url, service.issuer_of(records[-1]).base
        )
        if records
        else None
    )
    context.update(
        report=report,
        criteria=fairview.quality_criteria(report),
        fair=[(sid, report.fair[sid], report.criteria.get(sid)) for sid in report.fair],
        fairview=fairview,
        hints=hints,
        badge=badge,
        badge_pending=badge is None and report.badge.level != "none",
        downloads=views.report_links(job.id, kind),
        labels=views.OUTCOME_LABELS,
        shown=views.SHOWN_EVIDENCE,
        where=views.evidence_where,
        value_of=views.evidence_value,
    )
    if context["badge_pending"]:
        context["refresh"] = PROGRESS_REFRESH_S
    return _page(request, "report.html", context)


@router.get("/assessments/{job_id}", name="assessment")
def assessment(request: Request, job_id: str) -> Response:
    return _job_page(request, job_id, "assessment")


@router.get("/onboardings/{job_id}", name="onboarding")
def onboarding(request: Request, job_id: str) -> Response:
    return _job_page(request, job_id, "onboarding")
