"""The REST API: /api/v1 (criteria, pipelines, assessments, onboardings, badges, issuer),
/healthz and the issuer files under /issuer/ that the service's badges name.

Routes are thin: each calls web.operations (the same functions the pages and the CLI use) and
maps its result to a model of api_models, so the OpenAPI document is the contract.
Anonymous callers may read everything and generate pipelines; creating assessments or
onboardings and revoking badges needs an API token (``sqaaas tokens create``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sqaaas import __version__
from sqaaas.badges.errors import RevocationListError
from sqaaas.badges.issuer import PROFILE_FILE
from sqaaas.badges.keys import JWKS_FILE
from sqaaas.badges.revocation import REVOCATIONS_FILE, normalise_id
from sqaaas.core.catalogue import Catalogue, default_catalogue
from sqaaas.core.model import Report
from sqaaas.pipelines.spec import PipelineSpec
from sqaaas.report.criteria_docs import to_json
from sqaaas.report.formats import BY_NAME, WEB_FORMATS, renderer
from sqaaas.web.api_models import (
    API_PREFIX,
    COLLECTIONS,
    Assessment,
    AssessmentCreated,
    AssessmentRequest,
    Badge,
    Credential,
    Health,
    JobEventView,
    Onboarding,
    OnboardingCreated,
    OnboardingRequest,
    PipelineFiles,
    PipelineRequest,
    Problem,
    ReportFormat,
    Revoked,
    RevokeRequest,
    moment,
)
from sqaaas.web.deps import operations_of
from sqaaas.web.health import health, metrics_text
from sqaaas.web.operations import NotFound, Operations, pipeline_files, zip_bytes
from sqaaas.web.store import BadgeRecord

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
# A part may start with - or _ (key ids are base64url thumbprints) but never with a dot.
_PATH_PART = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"
_ISSUER_PATH = re.compile(rf"^{_PATH_PART}(/{_PATH_PART}){{0,2}}$")
_JSON = "application/json"
REPORT_MEDIA_TYPES = {name: BY_NAME[name].media_type for name in WEB_FORMATS}
REPORT_SUFFIXES = {name: BY_NAME[name].suffix for name in WEB_FORMATS}
#: the download's file name: sqaaas-<name>-<id>.<suffix>
REPORT_NAMES = {"assessment": "report", "onboarding": "onboarding-report"}
_ERRORS = {
    400: "the request cannot be carried out (the detail says why)",
    401: "no API token, or not a valid one",
    404: "no such resource",
    409: "the assessment or onboarding has not finished",
    413: "the request body is larger than the service accepts",
    422: "the request is invalid (the detail names the field and the problem)",
    429: "too many write requests from this address: retry after Retry-After seconds",
    503: "the queue is full: retry after Retry-After seconds",
}
# A badge image and the issuer's files are fetched by other sites and verifiers.
SHARED = {"Cross-Origin-Resource-Policy": "cross-origin", "Access-Control-Allow-Origin": "*"}

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token made by the operator with `sqaaas tokens create`.",
)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer with."""
    return {code: {"model": Problem, "description": _ERRORS[code]} for code in codes}


def validation_detail(exc: RequestValidationError) -> str:
    """The first problem of a rejected request as one line: ``<field path>: <message>``."""
    problems = exc.errors()
    if not problems:
        return "invalid request"
    first = problems[0]
    loc = [str(part) for part in first.get("loc", ())]
    if len(loc) > 1 and loc[0] in ("body", "query", "path", "header", "cookie"):
        loc = loc[1:]
    where = ".".join(loc)
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for requests FastAPI rejects: 422 with a one-line detail."""
    detail = validation_detail(exc) if isinstance(exc, RequestValidationError) else str(exc)
    return JSONResponse({"detail": detail}, status_code=422)


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> None:
    """401 unless the request carries a valid API token (RFC 6750 challenge)."""
    if credentials is None:
        raise HTTPException(
            401,
            "this needs an API token: send 'Authorization: Bearer <token>' "
            "(the operator makes one with 'sqaaas tokens create')",
            headers={"WWW-Authenticate": 'Bearer realm="sqaaas"'},
        )
    if not operations_of(request).store.token_valid(credentials.credentials):
        raise HTTPException(
            401,
            "the API token is not valid (unknown or revoked)",
            headers={"WWW-Authenticate": 'Bearer realm="sqaaas", error="invalid_token"'},
        )


Authorized = Security(require_token)
root = APIRouter()
v1 = APIRouter(prefix=API_PREFIX)


def _root(request: Request) -> str:
    """The path the service is mounted at (behind a proxy), for the links it returns."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _job_id(value: str, kind: str = "assessment") -> str:
    if not _JOB_ID.match(value):
        raise NotFound(f"no {kind} {value[:64]!r}: ids are 32 hexadecimal digits")
    return value


def _badge(service: Operations, key: str) -> BadgeRecord:
    """The badge whose id is ``urn:uuid:<key>`` (a full urn:uuid: id is accepted too)."""
    try:
        badge_id = normalise_id(key)
    except RevocationListError:
        raise NotFound(f"no badge {key[:64]!r}: use the <uuid> of urn:uuid:<uuid>") from None
    return service.badge(badge_id)


# health


def _health(request: Request) -> JSONResponse:
    answer, status = health(operations_of(request))
    body = Health.model_validate({**answer, "version": __version__})
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


_HEALTH_DOC: dict[str, Any] = {
    "tags": ["service"],
    "summary": "Liveness, queue length; database, broker and workers when scaled out",
    "response_model": Health,
    "responses": {503: {"model": Health, "description": "the database does not answer"}},
}


@root.get("/healthz", **_HEALTH_DOC)
def healthz(request: Request) -> JSONResponse:
    return _health(request)


@v1.get("/healthz", **_HEALTH_DOC)
def api_healthz(request: Request) -> JSONResponse:
    return _health(request)


@root.get(
    "/metrics",
    tags=["service"],
    summary="Prometheus metrics: queue depth, running jobs, job durations, workers",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    return Response(
        metrics_text(request.app.state.metrics), media_type="text/plain; version=0.0.4"
    )


# criteria


@cache
def _catalogue_json() -> bytes:
    return to_json(default_catalogue()).encode("utf-8")


@v1.get(
    "/criteria",
    tags=["criteria"],
    summary="Baselines, criteria with their subcriteria, badge schemes",
    description="What `sqaaas criteria --format json` prints.",
    response_class=Response,
    responses={200: {"model": Catalogue, "content": {_JSON: {}}}},
)
def criteria() -> Response:
    return Response(_catalogue_json(), media_type=_JSON)


# pipelines


@v1.get(
    "/pipelines/schema",
    tags=["pipelines"],
    summary="JSON Schema of the pipeline spec",
    description="What `sqaaas pipeline schema` prints.",
)
def pipeline_schema() -> dict[str, Any]:
    return PipelineSpec.model_json_schema()


@v1.post(
    "/pipelines",
    tags=["pipelines"],
    summary="Generate the CI files of a pipeline spec",
    description="The files `sqaaas pipeline generate --target TARGET` writes for the spec.",
    responses=errors(400, 413, 422, 429),
)
def pipelines(body: PipelineRequest) -> PipelineFiles:
    files = pipeline_files(body.spec, body.target)
    return PipelineFiles(target=body.target, files=files)


@v1.post(
    "/pipelines/zip",
    tags=["pipelines"],
    summary="Generate the CI files of a pipeline spec as a ZIP",
    description="The same files as POST /api/v1/pipelines, in a ZIP archive (paths kept).",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the ZIP archive",
        },
        **errors(400, 413, 422, 429),
    },
)
def pipelines_zip(body: PipelineRequest) -> Response:
    files = pipeline_files(body.spec, body.target)
    return Response(
        zip_bytes(files),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="sqaaas-{body.target}.zip"'},
    )


# assessments and onboardings: queued jobs with the same status, report and badge routes


def _created(
    request: Request, response: Response, view: Assessment | Onboarding, created: bool
) -> dict[str, Any]:
    """202 for a new job, 200 for the active one the same request joined; Location set."""
    response.status_code = 202 if created else 200
    response.headers["Location"] = view.links.self
    return {**view.model_dump(), "created": created}


@v1.post(
    "/assessments",
    tags=["assessments"],
    summary="Queue an assessment of a repository",
    description="202 with a new assessment; 200 with the one already queued or running for "
    "the same repository, branch, subfolder and profile. Poll its `links.self` until `state` is "
    "done.",
    status_code=202,
    responses={
        200: {"model": AssessmentCreated, "description": "the same request was already queued"},
        **errors(400, 401, 413, 422, 429, 503),
    },
    dependencies=[Authorized],
)
def create_assessment(
    request: Request, response: Response, body: AssessmentRequest
) -> AssessmentCreated:
    job, created = operations_of(request).submit(
        body.repo_url, body.branch, body.subfolder, body.profile
    )
    view = Assessment.of(job, _root(request))
    return AssessmentCreated(**_created(request, response, view, created))


@v1.post(
    "/onboardings",
    tags=["onboardings"],
    summary="Queue an onboarding of a live service",
    description="What `sqaaas onboard` does, run by a worker: the service at `service_url` is "
    "checked against the service baseline (SvcQC.*). 202 with a new onboarding; 200 with the "
    "one already queued or running for the same request. Poll its `links.self` until "
    "`state` is done. No credentials are ever sent to the service.",
    status_code=202,
    responses={
        200: {"model": OnboardingCreated, "description": "the same request was already queued"},
        **errors(400, 401, 413, 422, 429, 503),
    },
    dependencies=[Authorized],
)
def create_onboarding(
    request: Request, response: Response, body: OnboardingRequest
) -> OnboardingCreated:
    job, created = operations_of(request).submit_onboarding(body.to_input())
    view = Onboarding.of(job, _root(request))
    return OnboardingCreated(**_created(request, response, view, created))


def _add_job_routes(kind: str, view: type[Assessment] | type[Onboarding], what: str) -> None:
    """GET status, report and badges of the jobs of ``kind``: one implementation for both.

    ``what`` is what the job checks and what `sqaaas` command gives the same report.
    """
    collection = COLLECTIONS[kind]
    here = f"/{collection}/{{{kind}_id}}"
    JobId = Annotated[str, PathParam(alias=f"{kind}_id", description="32 hexadecimal digits")]

    def status(request: Request, job_id: JobId) -> Assessment | Onboarding:
        job = operations_of(request).job(_job_id(job_id, kind), kind)
        return view.of(job, _root(request))

    def report(
        request: Request,
        job_id: JobId,
        fmt: Annotated[ReportFormat, Query(alias="format")] = "json",
    ) -> Response:
        checked = _job_id(job_id, kind)
        found = operations_of(request).report(checked, kind)
        filename = f"sqaaas-{REPORT_NAMES[kind]}-{checked}.{REPORT_SUFFIXES[fmt]}"
        return Response(
            renderer(fmt)(found),
            media_type=REPORT_MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def badges(request: Request, job_id: JobId) -> list[Badge]:
        service = operations_of(request)
        job = service.job(_job_id(job_id, kind), kind)
        return [Badge.of(record, _root(request)) for record in service.badges_of(job.id)]

    def events(request: Request, job_id: JobId) -> list[JobEventView]:
        service = operations_of(request)
        job = service.job(_job_id(job_id, kind), kind)
        return [JobEventView.of(event) for event in service.store.events(job.id)]

    # The annotations are strings (postponed evaluation) that FastAPI resolves in the
    # module's globals; this alias is local, so give the handlers the object itself.
    for handler in (status, report, badges, events):
        handler.__annotations__["job_id"] = JobId
    v1.add_api_route(
        here,
        status,
        methods=["GET"],
        name=kind,
        response_model=view,
        tags=[collection],
        summary=f"State and progress of an {kind}",
        responses=errors(404, 422),
    )
    v1.add_api_route(
        f"{here}/report",
        report,
        methods=["GET"],
        name=f"{kind}_report",
        response_class=Response,
        tags=[collection],
        summary=f"The report of a finished {kind}",
        description=f"JSON (docs/report-format.md), SARIF 2.1.0 or Markdown: what {what} "
        "prints with `--format FORMAT`.",
        responses={
            200: {
                "model": Report,
                "content": {
                    _JSON: {},
                    REPORT_MEDIA_TYPES["sarif"]: {"schema": {"type": "object"}},
                    "text/markdown": {"schema": {"type": "string"}},
                },
                "description": "the report in the format asked for",
            },
            **errors(404, 409, 422),
        },
    )
    v1.add_api_route(
        f"{here}/badges",
        badges,
        methods=["GET"],
        name=f"{kind}_badges",
        response_model=list[Badge],
        tags=["badges"],
        summary=f"The badges issued for an {kind}",
        description=f"Empty while the {kind} runs, and when it reached no badge level.",
        responses=errors(404, 422),
    )
    v1.add_api_route(
        f"{here}/events",
        events,
        methods=["GET"],
        name=f"{kind}_events",
        response_model=list[JobEventView],
        tags=[collection],
        summary=f"The state changes of an {kind}, oldest first",
        description="queued, running (attempt N on worker W), re-queued (why), done or failed.",
        responses=errors(404, 422),
    )


_add_job_routes("assessment", Assessment, "`sqaaas assess` for the same repository")
_add_job_routes("onboarding", Onboarding, "`sqaaas onboard` for the same service and inputs")


# badges: the URL names a badge by the <uuid> of its id urn:uuid:<uuid>

BadgeKey = Annotated[str, PathParam(description="the <uuid> of the badge id urn:uuid:<uuid>")]


def _image(request: Request, badge_key: str, fmt: str, media_type: str) -> Response:
    service = operations_of(request)
    record = _badge(service, badge_key)
    key = record.id.removeprefix("urn:uuid:")
    return Response(
        service.badge_image(record.id, fmt),
        media_type=media_type,
        headers={
            **SHARED,
            "Content-Disposition": f'inline; filename="sqaaas-{record.level}-{key}.{fmt}"',
            "Cache-Control": "public, max-age=3600",
        },
    )


_SVG = "image/svg+xml"


@v1.get(
    "/badges/{badge_key}.svg",
    tags=["badges"],
    summary="The badge as an SVG image with both credentials baked in",
    description="Verify it offline with `sqaaas badge verify FILE --trust issuer.jwks.json`.",
    response_class=Response,
    responses={
        200: {"content": {_SVG: {"schema": {"type": "string"}}}, "description": "the image"},
        **errors(404, 422),
    },
)
def badge_svg(request: Request, badge_key: BadgeKey) -> Response:
    return _image(request, badge_key, "svg", _SVG)


@v1.get(
    "/badges/{badge_key}.png",
    tags=["badges"],
    summary="The badge as a PNG image with both credentials baked in",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the image",
        },
        **errors(404, 422),
    },
)
def badge_png(request: Request, badge_key: BadgeKey) -> Response:
    return _image(request, badge_key, "png", "image/png")


# after the image routes: {badge_key} alone would also match '<uuid>.svg'
@v1.get(
    "/badges/{badge_key}",
    tags=["badges"],
    summary="What a badge states and where its files are",
    responses=errors(404, 422),
)
def badge(request: Request, badge_key: BadgeKey) -> Badge:
    return Badge.of(_badge(operations_of(request), badge_key), _root(request))


@v1.get(
    "/badges/{badge_key}/credential",
    tags=["badges"],
    summary="The signed credentials of a badge",
    description="The Open Badges 3.0 VC-JWT and the Open Badges 2.0 JWS, with the URLs of "
    "the issuer profile, its public keys and its revocation list.",
    responses=errors(404, 422),
)
def badge_credential(request: Request, badge_key: BadgeKey) -> Credential:
    service = operations_of(request)
    record = _badge(service, badge_key)
    issuer = service.issuer_of(record)  # a former issuer for badges issued under an old URL
    return Credential(
        id=record.id,
        level=record.level,
        ob3_jwt=record.token,
        ob2_jws=record.ob2_jws,
        issuer=issuer.profile_id,
        jwks=issuer.jwks_url,
        revocations=issuer.revocations_url,
        revoked=record.revoked_at is not None,
    )


@v1.post(
    "/badges/{badge_key}/revoke",
    tags=["badges"],
    summary="Revoke a badge",
    description="Adds the badge to the served revocation list; verifiers that check the list "
    "(`sqaaas badge verify --revocations URL`) then reject it. Revoking twice is harmless.",
    responses=errors(400, 401, 404, 413, 422, 429),
    dependencies=[Authorized],
)
def badge_revoke(
    request: Request, badge_key: BadgeKey, body: RevokeRequest | None = None
) -> Revoked:
    service = operations_of(request)
    record = _badge(service, badge_key)
    reason = ((body.reason or "").strip() or None) if body is not None else None
    changed = service.revoke_badge(record.id, reason)
    after = service.badge(record.id)
    return Revoked(
        id=after.id,
        revoked=True,
        changed=changed,
        revoked_at=moment(after.revoked_at),
        reason=after.revoked_reason,
    )


# the issuer: public files the badges name, served as verifiers expect them

_MEDIA_TYPES = {".json": _JSON, ".svg": _SVG}


def _issuer_file(request: Request, relative: str) -> FileResponse:
    if not _ISSUER_PATH.match(relative):
        raise NotFound(f"no issuer file {relative[:64]!r}")
    path = operations_of(request).issuer_file(relative)
    fresh = "no-cache" if path.name == REVOCATIONS_FILE else "public, max-age=300"
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={**SHARED, "Cache-Control": fresh},
    )


_ISSUER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {_JSON: {"schema": {"type": "object"}}, _SVG: {"schema": {"type": "string"}}},
        "description": "the file",
    },
    **errors(404, 422),
}


@root.get(
    "/issuer/{relative:path}",
    tags=["issuer"],
    summary="A public file of the badge issuer",
    description=f"{PROFILE_FILE} (profile), {JWKS_FILE} (public keys), {REVOCATIONS_FILE}, "
    "keys/<thumbprint>.json (the Open Badges 2.0 key), keys/<thumbprint>.jwk.json (each key "
    "as a JWK: a token's kid), achievements/<scheme>/<level>.json (BadgeClass), "
    "achievements/<scheme>-<level>.svg, reports/<sha256>.json (a badge's evidence). "
    "These are the URLs the badges name: the service's publish folder, as served.",
    response_class=FileResponse,
    responses=_ISSUER_RESPONSES,
)
def issuer_file(request: Request, relative: str) -> FileResponse:
    return _issuer_file(request, relative)


def _alias(relative: str) -> Callable[[Request], FileResponse]:
    def serve(request: Request) -> FileResponse:
        return _issuer_file(request, relative)

    return serve


for _path, _file, _summary in (
    ("/issuer", PROFILE_FILE, "The issuer profile (Open Badges 2.0 Profile)"),
    (
        "/issuer/jwks",
        JWKS_FILE,
        "The issuer's public JWK set: what `sqaaas badge verify --trust` takes",
    ),
    ("/issuer/revocations", REVOCATIONS_FILE, "The issuer's revocation list"),
):
    v1.add_api_route(
        _path,
        _alias(_file),
        methods=["GET"],
        tags=["issuer"],
        summary=_summary,
        description=f"The same as GET /issuer/{_file}.",
        name=f"issuer {_file}",
        response_class=FileResponse,
        responses=_ISSUER_RESPONSES,
    )


router = APIRouter()
router.include_router(root)
router.include_router(v1)
