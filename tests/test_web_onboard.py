"""Onboarding from the web service (issue 8): the real app with a real worker onboards the
real loopback services of tests/service_servers.py, through the REST API and the pages.

The good service's deployment repository is published over git's HTTP protocol on loopback,
as a user's public repository would be; its test CA travels as PEM text. The reports are
held to what `sqaaas onboard` reports for the same inputs, and the service badge to the
service's URL.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from sqaaas.badges.verify import extract
from sqaaas.core.model import Report
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.report.formats import renderer
from sqaaas.web.app import create_app
from sqaaas.web.security import CSRF_COOKIE
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import Store
from tests.repos import git, make_repo
from tests.service_servers import (  # noqa: F401  (fixtures)
    RunningService,
    bad_service_fixture,
    complete_profile,
    good_service_fixture,
    test_pki_fixture,
    write_profile,
)
from tests.test_onboard_acceptance import DEPLOYMENT_FILES, onboard, outcomes, subcriterion
from tests.test_web_api import bearer, token_of
from tests.test_web_pages import (  # noqa: F401  (fixture: the app, no workers)
    field_errors,
    form_fields,
    make_client_fixture,
    wait_finished,
)
from tests.web_support import git_http_server

API = "/api/v1"
DONE_WITHIN_S = 180.0
LOOPBACK = "http://127.0.0.1:9"  # never contacted: the apps that get it run no workers


def profile_text(service: RunningService, **overrides: Any) -> str:
    return yaml.safe_dump(complete_profile(service, **overrides), sort_keys=False)


def wait_done(client: TestClient, job_id: str) -> dict[str, Any]:
    """Poll an onboarding until it is done or failed (bounded)."""
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        status = client.get(f"{API}/onboardings/{job_id}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.3)
    pytest.fail(f"onboarding {job_id} not finished after {DONE_WITHIN_S} s: {status}")


@dataclass
class Served:
    """One app with a worker, a token, the deployment repository on a git server, and the
    finished onboardings of the good and the bad service."""

    app: FastAPI
    client: TestClient
    settings: WebSettings
    token: str
    deployment: Path
    deployment_url: str
    requests: dict[str, dict[str, str]]
    jobs: dict[str, dict[str, Any]]

    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    def report(self, name: str) -> dict[str, Any]:
        response = self.client.get(self.jobs[name]["links"]["report"]["json"])
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    good_service: RunningService,
    bad_service: RunningService,
) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("web-onboard")
    deployment = make_repo(root / "src" / "deployment", DEPLOYMENT_FILES)
    settings = WebSettings(
        data_dir=root / "data", allow_private=True, workers=1, rate_limit_per_minute=1000
    )
    app = create_app(settings, start_workers=True)
    with git_http_server(root / "git") as server, TestClient(app) as client:
        _, token = app.state.operations.store.create_token("tests")
        url = server.publish(deployment)
        requests = {
            "good": {
                "service_url": good_service.url,
                "profile": profile_text(good_service),
                "deployment_repo": url,
                "ca_pem": Path(str(good_service.ca_file)).read_text(encoding="utf-8"),
            },
            "bad": {
                "service_url": bad_service.url,
                "profile": profile_text(bad_service),
                "deployment_repo": url,
            },
        }
        created = {
            name: client.post(f"{API}/onboardings", json=body, headers=bearer(token))
            for name, body in requests.items()
        }
        for response in created.values():
            assert response.status_code == 202, response.text
        jobs = {name: wait_done(client, answer.json()["id"]) for name, answer in created.items()}
        yield Served(app, client, settings, token, deployment, url, requests, jobs)


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_the_good_service_reaches_at_least_silver(served, good_service):
    job = served.jobs["good"]
    assert job["state"] == "done", job
    assert job["error"] is None and job["attempts"] == 1
    assert job["service_url"] == good_service.url
    assert job["deployment_repo"] == served.deployment_url and job["openapi_url"] is None
    assert job["has_profile"] is True and job["has_ca_certificates"] is True
    assert job["commit"] == git(served.deployment, "rev-parse", "HEAD").strip()
    assert job["badge_level"] in ("silver", "gold")
    here = f"{API}/onboardings/{job['id']}"
    assert job["links"]["self"] == here and job["links"]["page"] == f"/onboardings/{job['id']}"
    assert job["links"]["report"]["markdown"] == f"{here}/report?format=markdown"
    assert served.client.get(here).json() == job
    report = served.report("good")
    assert report["baseline"]["id"] == "service"
    assert report["repository"]["url"] == good_service.url
    assert report["badge"]["level"] == job["badge_level"]
    assert report["config_source"] == "resource profile"
    for criterion in ("SvcQC.Dep", "SvcQC.Doc", "SvcQC.Fun", "SvcQC.Sec", "SvcQC.Api"):
        assert report["criteria"][criterion]["valid"], criterion


def test_the_bad_service_fails_sec01_with_evidence(served, bad_service):
    report = served.report("bad")
    assert served.jobs["bad"]["has_ca_certificates"] is False
    assert not report["criteria"]["SvcQC.Sec"]["valid"]
    sec01 = subcriterion(report, "SvcQC.Sec01")
    assert sec01["outcome"] == "fail"
    plain = next(e for e in sec01["evidence"] if "over plain HTTP" in e["message"])
    assert plain["path"] == bad_service.url


def test_reports_equal_what_the_cli_reports_for_the_same_inputs(served, sqaaas_exe, tmp_path):
    for name, body in served.requests.items():
        args = [body["service_url"], "--deployment-repo", body["deployment_repo"],
                "--profile", str(write_profile(tmp_path / f"{name}.yaml",
                                               yaml.safe_load(body["profile"])))]  # fmt: skip
        if "ca_pem" in body:
            ca = tmp_path / f"{name}-ca.pem"
            ca.write_text(body["ca_pem"], encoding="utf-8")
            args += ["--ca-file", str(ca)]
        cli = onboard(sqaaas_exe, tmp_path / f"cache-{name}", *args)
        web = served.report(name)
        assert outcomes(web) == outcomes(cli), name
        assert web["badge"] == cli["badge"], name


def test_reports_in_every_format(served):
    job = served.jobs["good"]
    report = Report.model_validate(served.report("good"))
    for fmt, media_type in (("sarif", "application/sarif+json"),
                            ("markdown", "text/markdown; charset=utf-8")):  # fmt: skip
        response = served.client.get(job["links"]["report"][fmt])
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.text == renderer(fmt)(report)
    disposition = served.client.get(job["links"]["report"]["json"]).headers["content-disposition"]
    assert disposition == f'attachment; filename="sqaaas-onboarding-report-{job["id"]}.json"'
    bad = served.client.get(f"{job['links']['self']}/report", params={"format": "pdf"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("format: Input should be")


def test_the_service_badge_names_the_service_and_verifies(served, good_service, run_cli,
                                                          tmp_path):  # fmt: skip
    job = served.jobs["good"]
    [badge] = served.client.get(job["links"]["badges"]).json()
    assert badge["scheme"] == "service" and badge["level"] == job["badge_level"]
    assert badge["assessment"] == job["id"]
    image = served.client.get(badge["links"]["svg"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"
    token, _, _ = extract(image.content)
    payload = jwt.decode(token, options={"verify_signature": False})  # verified below
    assert payload["sub"] == payload["credentialSubject"]["id"] == good_service.url
    achievement = served.client.get(f"/issuer/achievements/service-{badge['level']}.svg")
    assert achievement.status_code == 200
    (tmp_path / "badge.svg").write_bytes(image.content)
    (tmp_path / "report.json").write_text(json.dumps(served.report("good")), encoding="utf-8")
    verified = run_cli("badge", "verify", str(tmp_path / "badge.svg"),
                       "--trust", str(served.settings.publish_dir / "issuer.jwks.json"),
                       "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"badge for {good_service.url}" in verified.stdout


def test_creating_an_onboarding_needs_a_valid_token(make_client):
    client = make_client()
    body = {"service_url": LOOPBACK}
    missing = client.post(f"{API}/onboardings", json=body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="sqaaas"'
    wrong = client.post(f"{API}/onboardings", json=body, headers=bearer("sqaaas_nope"))
    assert wrong.status_code == 401
    assert client.get("/healthz").json()["queued"] == 0


def test_the_same_request_joins_the_active_onboarding(make_client):
    client = make_client()
    headers = bearer(token_of(client))
    body = {"service_url": LOOPBACK, "profile": "name: Example\n"}
    first = client.post(f"{API}/onboardings", json=body, headers=headers)
    assert first.status_code == 202 and first.json()["created"] is True
    assert first.headers["location"] == first.json()["links"]["self"]
    again = client.post(f"{API}/onboardings", json={**body, "service_url": LOOPBACK + "/"},
                        headers=headers)  # fmt: skip
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    other = client.post(f"{API}/onboardings", json={**body, "profile": "name: Other\n"},
                        headers=headers)  # fmt: skip
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]
    assessment = client.post(f"{API}/assessments", json={"repo_url": LOOPBACK}, headers=headers)
    assert assessment.status_code == 202  # another kind of job for the same URL
    assert client.get("/healthz").json()["queued"] == 3
    pending = client.get(f"{first.json()['links']['self']}/report")
    assert pending.status_code == 409 and "onboarding" in pending.json()["detail"]
    assert client.get(first.json()["links"]["badges"]).json() == []


def test_an_onboarding_is_not_an_assessment(make_client):
    client = make_client()
    headers = bearer(token_of(client))
    onboarding = client.post(f"{API}/onboardings", json={"service_url": LOOPBACK},
                             headers=headers).json()["id"]  # fmt: skip
    assessment = client.post(f"{API}/assessments", json={"repo_url": LOOPBACK + "/x.git"},
                             headers=headers).json()["id"]  # fmt: skip
    assert client.get(f"{API}/assessments/{onboarding}").status_code == 404
    assert client.get(f"{API}/onboardings/{assessment}").json() == {
        "detail": f"no onboarding {assessment}"
    }
    assert client.get(f"/assessments/{onboarding}").status_code == 404
    assert "No such onboarding" in client.get(f"/onboardings/{assessment}").text
    assert client.get(f"{API}/onboardings/not-an-id").json()["detail"].startswith(
        "no onboarding 'not-an-id': ids are 32 hexadecimal digits"
    )


CA_TEXT = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("allow_private", "body", "why"),
    [
        (True, {"service_url": "ftp://127.0.0.1/"}, "give the service's http(s) URL"),
        (True, {"service_url": "https://127.0.0.1/?x=1"}, "without query or fragment"),
        (True, {"service_url": "https://u:p@127.0.0.1/"}, "never sends credentials"),
        (False, {"service_url": LOOPBACK}, "127.0.0.1, a non-public address"),
        (True, {"service_url": LOOPBACK, "openapi_url": "file:///etc/passwd"}, "http(s) URL"),
        (False, {"service_url": "https://localhost/x"}, "a non-public address"),
        (True, {"service_url": LOOPBACK, "profile": "name: x\ntrl: 12\n"}, "field 'trl'"),
        (True, {"service_url": LOOPBACK, "profile": "name: [unclosed"}, "invalid YAML"),
        (True, {"service_url": LOOPBACK, "profile": "- a list\n"}, "expected a mapping"),
        (True, {"service_url": LOOPBACK, "profile": "name: x\nlicence: 2024-13-45\n"},
         "invalid value"),
        (True, {"service_url": LOOPBACK, "deployment_repo": "file:///srv/deploy"},
         "only https://, http://, git:// repository URLs"),
        (True, {"service_url": LOOPBACK, "ca_pem": "hello"}, "not PEM"),
        (True, {"service_url": LOOPBACK, "ca_pem": CA_TEXT}, "not usable as CA certificates"),
        (True, {"service_url": LOOPBACK, "ca_pem": KEY_TEXT}, "holds a private key"),
        (True, {"service_url": ""}, "service_url: String should have at least 1 character"),
        (True, {"url": LOOPBACK}, "service_url: Field required"),
        (True, {"service_url": LOOPBACK, "auth_header": "x"}, "auth_header: Extra inputs"),
    ],
)
def test_invalid_requests_are_422_naming_why(make_client, allow_private, body, why):
    client = make_client(allow_private=allow_private)
    response = client.post(f"{API}/onboardings", json=body, headers=bearer(token_of(client)))
    assert response.status_code == 422, response.text
    assert why in response.json()["detail"]
    assert client.get("/healthz").json()["queued"] == 0


def test_a_profile_over_the_size_limit_is_refused(make_client):
    client = make_client()
    limit = onboarding_settings().profile.max_bytes
    profile = "name: x\ndescription: " + "é" * (limit // 2) + "\n"  # few chars, many bytes
    response = client.post(f"{API}/onboardings", json={"service_url": LOOPBACK, "profile": profile},
                           headers=bearer(token_of(client)))  # fmt: skip
    assert response.status_code == 422
    assert f"larger than {limit} bytes" in response.json()["detail"]


def test_a_yaml_alias_bomb_is_refused_at_once(make_client):
    client = make_client()
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    profile = "name: x\n" + "\n".join(lines) + "\ncategories: *a8\n"
    started = time.monotonic()
    response = client.post(f"{API}/onboardings", json={"service_url": LOOPBACK, "profile": profile},
                           headers=bearer(token_of(client)))  # fmt: skip
    assert response.status_code == 422
    assert "once YAML aliases are expanded" in response.json()["detail"]
    assert time.monotonic() - started < 10


# --- the pages --------------------------------------------------------------------------------


def submit(client: TestClient, **values: str) -> Any:
    fields = form_fields(client.get("/onboard").text)
    return client.post("/onboard", data={**fields, **values}, follow_redirects=False)


def test_the_form_renders_with_nav_csrf_and_the_example_profile(make_client):
    client = make_client()
    page = client.get("/onboard")
    assert page.status_code == 200 and CSRF_COOKIE in page.cookies
    assert '<a href="/onboard" aria-current="page">Onboard a service</a>' in page.text
    assert set(form_fields(page.text)) == {
        "csrf_token", "service_url", "openapi_url", "profile", "deployment_repo", "ca_pem"
    }
    assert 'href="/onboard/resource-profile.yml"' in page.text
    example = client.get("/onboard/resource-profile.yml")
    assert example.status_code == 200 and example.headers["content-type"].startswith("text/plain")
    assert yaml.safe_load(example.text)["privacy_policy"].startswith("https://")
    for other in ("/", "/assess", "/compose"):
        assert 'href="/onboard"' in client.get(other).text


def test_posts_without_the_pages_csrf_token_are_refused(make_client):
    client = make_client()
    fields = form_fields(client.get("/onboard").text)
    forged = client.post("/onboard", data={**fields, "csrf_token": "x" * 43,
                                           "service_url": LOOPBACK})  # fmt: skip
    assert forged.status_code == 403 and "Form expired" in forged.text
    fields.pop("csrf_token")
    assert client.post("/onboard", data={**fields, "service_url": LOOPBACK}).status_code == 403
    assert client.get("/healthz").json()["queued"] == 0


@pytest.mark.parametrize(
    ("allow_private", "values", "field", "why"),
    [
        (False, {"service_url": LOOPBACK}, "service_url", "non-public address"),
        (True, {"service_url": "mailto:x@example.org"}, "service_url", "http(s) URL"),
        (True, {"service_url": LOOPBACK, "openapi_url": "ftp://x/openapi.json"}, "openapi_url",
         "http(s) URL"),
        (True, {"service_url": LOOPBACK, "profile": "name: x\norder_type: sometimes\n"},
         "profile", "field 'order_type'"),
        (True, {"service_url": LOOPBACK, "deployment_repo": "ssh://git@127.0.0.1/x.git"},
         "deployment_repo", "only https://"),
        (True, {"service_url": LOOPBACK, "ca_pem": KEY_TEXT}, "ca_pem", "private key"),
    ],
)
def test_refused_values_are_inline_errors_and_every_value_is_kept(
    make_client, allow_private, values, field, why
):
    client = make_client(allow_private=allow_private)
    typed = {"profile": "name: kept\n", "ca_pem": CA_TEXT, **values}
    response = submit(client, **typed)
    assert response.status_code == 422
    assert why in field_errors(response.text)[field]
    assert f'href="#f-{field}"' in response.text  # the summary links to the field
    kept = form_fields(response.text)
    assert all(kept[name] == [value] for name, value in typed.items()), kept


def test_hostile_values_are_escaped(make_client):
    client = make_client()
    hostile = '<script>alert("x")</script>'
    response = submit(client, service_url=hostile, profile=hostile)
    assert response.status_code == 422
    assert hostile not in response.text and escape(hostile) in response.text


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_an_onboarding_from_the_form_to_the_report_page(served, good_service):
    client = served.client
    request = served.requests["good"]
    response = submit(client, **{**request, "openapi_url": good_service.link("/openapi.json")})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/onboardings/[0-9a-f]{32}", location)
    page = wait_finished(client, location)
    job_id = location.rsplit("/", 1)[1]
    base = served.settings.base_url
    level = client.get(f"{API}/onboardings/{job_id}").json()["badge_level"]
    assert level in ("silver", "gold")
    assert f'Report: <span class="repo">{good_service.url}</span>' in page
    assert '<a href="/onboard" aria-current="page">' in page
    assert re.search(rf'id="badge-title">Badge:\s*<span class="level level-{level}">', page)
    assert f"<dt>Deployment repository</dt><dd><code>{served.deployment_url}</code>" in page
    [image] = re.findall(r'<img src="(/api/v1/badges/[0-9a-f-]{36}\.svg)" alt="([^"]+)"', page)
    assert image[1] == f"sqaaas service quality badge: {level}"
    snippet = f"[![sqaaas service quality badge: {level}]({base}{image[0]})]({base}{location})"
    assert escape(snippet) in page
    assert "naming this\n    service and the report's" in page
    for cid in ("SvcQC.Dep", "SvcQC.Doc", "SvcQC.Sec", "SvcQC.Api"):
        card = re.search(rf'id="crit-{re.escape(cid)}" .*?</header>', page, re.S)
        assert card is not None and "✔ valid" in card[0], cid
    for fmt in ("json", "sarif", "markdown"):
        link = f"/api/v1/onboardings/{job_id}/report?format={fmt}"
        assert f'href="{link}"' in page.replace("&amp;", "&")
    assert 'id="fair-title"' not in page  # no FAIR section for a service


def test_a_failed_onboarding_says_why_and_offers_the_same_request_again(served, good_service):
    client = served.client
    request = {**served.requests["good"], "deployment_repo": "http://127.0.0.1:1/none.git"}
    response = submit(client, **request)
    assert response.status_code == 303
    page = wait_finished(client, response.headers["location"])
    assert "The onboarding of" in page and "git clone failed" in page
    retry = form_fields(page)
    assert {name: values[0] for name, values in retry.items() if name != "csrf_token"} == {
        "service_url": good_service.url, "openapi_url": "", **request,
    }
    assert 'action="/onboard"' in page and "Onboard again" in page


def test_a_full_queue_is_a_friendly_503(make_client):
    client = make_client(max_queued=0)
    response = submit(client, service_url=LOOPBACK)
    assert response.status_code == 503 and response.headers["retry-after"] == "60"
    assert "Onboardings already queued finish first" in response.text


# --- the store: an existing database gains the new columns --------------------------------


#: the SQLite schema of the first release (before jobs had a kind), as it made databases
#: before the store moved to SQLAlchemy and Alembic: a frozen copy, not derived from today's
FIRST_RELEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    repo_url TEXT NOT NULL,
    branch TEXT,
    subfolder TEXT,
    dedupe_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    progress TEXT,
    error TEXT,
    commit_sha TEXT,
    badge_level TEXT,
    report TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
CREATE INDEX IF NOT EXISTS jobs_dedupe ON jobs (dedupe_key, state);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS badges (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    scheme TEXT NOT NULL,
    level TEXT NOT NULL,
    token TEXT NOT NULL,
    ob2_jws TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS badges_job ON badges (job_id);
"""


def old_schema() -> str:
    assert "kind" not in FIRST_RELEASE_SCHEMA and "params" not in FIRST_RELEASE_SCHEMA
    return FIRST_RELEASE_SCHEMA


def test_a_database_of_the_previous_version_is_migrated(tmp_path):
    path = tmp_path / "data" / "sqaaas.sqlite3"
    path.parent.mkdir()
    repo = "https://example.org/group/project.git"
    with sqlite3.connect(path) as db:
        db.executescript(old_schema())
        rows = [("q" * 32, "queued", 0), ("r" * 32, "running", 1), ("d" * 32, "done", 1)]
        for job_id, state, attempts in rows:
            db.execute(
                "INSERT INTO jobs (id, state, repo_url, branch, dedupe_key, created_at, attempts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job_id, state, repo, state, f"https://example.org/group/project\n{state}\n",
                 time.time(), attempts),
            )  # fmt: skip
    store = Store(path)
    try:
        reader = sqlite3.connect(path)
        columns = {row[1] for row in reader.execute("PRAGMA table_info(jobs)")}
        reader.close()
        assert {"kind", "params"} <= columns
        queued = store.job("q" * 32)
        assert queued is not None and (queued.kind, queued.params) == ("assessment", None)
        joined, created = store.submit(repo, "queued", None, max_queued=10)
        assert not created and joined.id == "q" * 32  # the old dedupe key still matches
        assert store.recover(max_attempts=3) == ["r" * 32]
        onboarding, created = store.submit(repo, "queued", None, max_queued=10,
                                           kind="onboarding", params={"profile": "name: x"})
        assert created and onboarding.kind == "onboarding"
        assert onboarding.params == {"profile": "name: x"}
    finally:
        store.close()
    again = Store(path)  # opening a migrated database changes nothing
    try:
        assert again.job(onboarding.id) == onboarding
        assert again.job("d" * 32).kind == "assessment"  # type: ignore[union-attr]
        assert again.recent_jobs()[0].id == onboarding.id
    finally:
        again.close()


def test_unknown_job_kinds_are_refused(tmp_path):
    store = Store(tmp_path / "sqaaas.sqlite3")
    try:
        with pytest.raises(ValueError, match="unknown job kind 'deployment'"):
            store.submit(LOOPBACK, None, None, 10, kind="deployment")
    finally:
        store.close()


def test_an_interrupted_onboarding_is_requeued_with_its_request(tmp_path):
    path = tmp_path / "sqaaas.sqlite3"
    store = Store(path)
    params = {"profile": "name: x\n", "ca_pem": "-----BEGIN CERTIFICATE-----\n"}
    job, _ = store.submit(LOOPBACK, None, None, 10, kind="onboarding", params=params)
    claimed = store.claim()
    assert claimed is not None and claimed.id == job.id and claimed.params == params
    store.close()
    store = Store(path)  # the server was killed while the onboarding ran
    try:
        assert store.recover(max_attempts=3) == [job.id]
        again = store.claim()
        assert again is not None and again.id == job.id
        assert (again.kind, again.params, again.attempts) == ("onboarding", params, 2)
        store.requeue(job.id, "re-queued: the server was stopped")
        assert store.job(job.id).state == "queued"  # type: ignore[union-attr]
    finally:
        store.close()
