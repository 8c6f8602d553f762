"""Property-based fuzzing of the REST API from its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, with a real API token: no answer
may be a server error, and every answer must be one the document lists, with the documented
content type and body schema. An assessment with a signed badge and an onboarding of a real
loopback service are in the database, so the operations that read them are also called with
real ids and checked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sqaaas.core.model import Report
from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import SpecError, parse_spec
from sqaaas.subjects.service import run_onboarding
from sqaaas.tools.spec import default_tools
from sqaaas.web.app import create_app
from sqaaas.web.settings import WebSettings
from tests.badge_support import report_for
from tests.service_servers import (  # noqa: F401  (fixtures)
    RunningService,
    bad_service_fixture,
    complete_profile,
    service_context,
)

OPENAPI = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class Fuzzed:
    app: FastAPI
    token: str
    job_id: str
    badge_key: str
    onboarding_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def onboarding_report(bad_service: RunningService) -> Report:
    """A real service report: the bad loopback service onboarded in this process."""
    ctx = service_context(bad_service.url, profile=complete_profile(bad_service))
    return run_onboarding(ctx)


@pytest.fixture
def fuzzed(tmp_path: Path, onboarding_report: Report) -> Fuzzed:
    """The app without workers (queued jobs never clone) nor rate limit, with one finished
    gold assessment and its badge, signed by the service's own keys, and one finished
    onboarding. One app per test: schemathesis keeps an app's lifespan running until the
    test ends, which closes the app's database."""
    web = WebSettings(
        data_dir=tmp_path / "data",
        allow_private=False,
        rate_limit_per_minute=0,
    )
    app = create_app(web, start_workers=False)
    service = app.state.operations
    _, token = service.store.create_token("fuzz")
    job, _ = service.store.submit("https://github.com/example-org/example.git", None, None, 10)
    service.store.claim()
    report = report_for("gold")
    report_json = json.dumps(report)
    service.store.finish(job.id, report_json, report["repository"]["commit"], "gold")
    badge = service.issue_badge(job, report_json)
    assert badge is not None
    onboarding, _ = service.store.submit(
        onboarding_report.repository.url or "", None, None, 10, kind="onboarding",
        params={"profile": "name: Test service\n"},
    )
    service.store.claim()
    level = onboarding_report.badge.level
    service.store.finish(onboarding.id, onboarding_report.to_json(), None, level)
    return Fuzzed(app, token, job.id, badge.id.removeprefix("urn:uuid:"), onboarding.id)


@pytest.fixture
def api_schema(fuzzed: Fuzzed) -> Any:
    return schemathesis.openapi.from_asgi(OPENAPI, fuzzed.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@schema.parametrize()
def test_no_server_errors_and_answers_as_documented(case, fuzzed):
    case.call_and_validate(headers=fuzzed.headers, checks=CHECKS)


def test_real_resources_answer_as_documented(api_schema, fuzzed):
    """The generated ids above almost never exist: call every read with ones that do."""
    job, badge = fuzzed.job_id, fuzzed.badge_key
    calls = [
        ("/healthz", {}, {}),
        ("/api/v1/criteria", {}, {}),
        ("/api/v1/pipelines/schema", {}, {}),
        ("/api/v1/assessments/{assessment_id}", {"assessment_id": job}, {}),
        ("/api/v1/assessments/{assessment_id}/badges", {"assessment_id": job}, {}),
        ("/api/v1/badges/{badge_key}", {"badge_key": badge}, {}),
        ("/api/v1/badges/{badge_key}.svg", {"badge_key": badge}, {}),
        ("/api/v1/badges/{badge_key}.png", {"badge_key": badge}, {}),
        ("/api/v1/badges/{badge_key}/credential", {"badge_key": badge}, {}),
        ("/issuer/{relative}", {"relative": "issuer.json"}, {}),
        ("/issuer/{relative}", {"relative": "achievements/software-gold.svg"}, {}),
        ("/api/v1/issuer", {}, {}),
        ("/api/v1/issuer/jwks", {}, {}),
        ("/api/v1/issuer/revocations", {}, {}),
    ]
    onboarding = {"onboarding_id": fuzzed.onboarding_id}
    calls += [
        ("/api/v1/onboardings/{onboarding_id}", onboarding, {}),
        ("/api/v1/onboardings/{onboarding_id}/badges", onboarding, {}),
    ]
    calls += [
        (f"/api/v1/{kind}s/{{{kind}_id}}/report", {f"{kind}_id": key}, {"format": fmt})
        for kind, key in (("assessment", job), ("onboarding", fuzzed.onboarding_id))
        for fmt in ("json", "sarif", "markdown")
    ]
    for path, parameters, query in calls:
        case = api_schema[path]["GET"].Case(path_parameters=parameters, query=query)
        response = case.call_and_validate(headers=fuzzed.headers, checks=CHECKS)
        assert response.status_code == 200, (path, parameters, response.text[:500])
    revoke = api_schema["/api/v1/badges/{badge_key}/revoke"]["POST"].Case(
        path_parameters={"badge_key": badge},
        body={"reason": "fuzzed"},
        media_type="application/json",
    )
    answer = revoke.call_and_validate(headers=fuzzed.headers, checks=CHECKS)
    assert answer.status_code == 200 and answer.json()["revoked"] is True


# Specs the OpenAPI schema cannot describe (names, criteria and tools are checked in code):
# valid-looking specs with hostile text where users type text, so rendering is reached.
NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True)
TEXT = st.text(max_size=30)
WORDS = st.text(min_size=1, max_size=30)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    criterion = draw(st.sampled_from(["QC.Sty", "QC.Uni", "QC.Lic", "QC.Sec", "QC.Zzz"]))
    step: dict[str, Any] = {"name": draw(NAMES)}
    kind = draw(st.sampled_from(["tools", "tool", "commands"]))
    if kind == "tool":
        step["tool"] = draw(st.sampled_from(sorted(default_tools())) | WORDS)
        step["args"] = draw(st.lists(TEXT, max_size=2))
    elif kind == "commands":
        step["commands"] = draw(st.lists(TEXT, min_size=1, max_size=3))
        step["image"] = draw(WORDS)
    if draw(st.booleans()):
        comparator = draw(st.sampled_from(["EQUALS", "GLOB", "REGEXP"]))
        step["when"] = {
            "branch": {"pattern": draw(WORDS), "comparator": comparator},
            "building_tag": draw(st.booleans()),
        }
    repository = {"name": draw(NAMES), "url": draw(WORDS), "branch": draw(WORDS)}
    if draw(st.booleans()):
        repository["subfolder"] = draw(WORDS)
    return {
        "name": draw(WORDS),
        "repositories": [repository],
        "environment": draw(st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True),
                                            TEXT, max_size=2)),
        "criteria": {criterion: [step]},
    }


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(WebSettings(data_dir=tmp_path / "data", rate_limit_per_minute=0),
                     start_workers=False)
    with TestClient(app) as client:
        yield client


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(spec=specs(), target=st.sampled_from(TARGETS))
def test_any_spec_gives_the_cli_files_or_its_error(client, spec, target):
    response = client.post("/api/v1/pipelines", json={"spec": spec, "target": target})
    assert response.status_code in (200, 422), response.text
    try:
        expected = render(parse_spec(spec, "spec"), target)
    except SpecError as exc:
        assert response.json() == {"detail": str(exc)}
    else:
        assert response.json() == {"target": target, "files": expected}
