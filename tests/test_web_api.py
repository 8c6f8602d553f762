"""The REST API with the real app: real workers assess a real repository served over git's
HTTP protocol on loopback; badges are checked with the installed `sqaaas badge verify`."""

from __future__ import annotations

import io
import json
import sqlite3
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sqaaas.badges.keys import ED25519_FILE, JWKS_FILE, RSA_FILE
from sqaaas.badges.verify import extract
from sqaaas.core.model import Report
from sqaaas.forges import web_url
from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import SpecError, parse_spec
from sqaaas.web.api_models import Target
from sqaaas.web.app import create_app
from sqaaas.web.security import SECURITY_HEADERS
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import Store
from tests.pipeline_support import golden_spec
from tests.repos import git, gold_repo_files, make_repo
from tests.web_support import GitHttpServer, git_http_server, start_server

API = "/api/v1"
DONE_WITHIN_S = 180.0
# The fixture repositories live on 127.0.0.1: listing it as a public forge lets them reach
# gold (QC.Acc01 asks for a public forge) without leaving loopback.
GOLD_FILES = {**gold_repo_files(), ".sqaaas.yml": "public_forges: [127.0.0.1]\n"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_done(get: Callable[[str], Any], job_id: str) -> dict[str, Any]:
    """Poll an assessment until it is done or failed (bounded)."""
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        status = get(f"{API}/assessments/{job_id}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.3)
    pytest.fail(f"assessment {job_id} not finished after {DONE_WITHIN_S} s: {status}")


@dataclass
class Served:
    """One app with a worker, a token, a git server and a finished gold assessment."""

    app: FastAPI
    client: TestClient
    settings: WebSettings
    token: str
    git: GitHttpServer
    repo: Path
    url: str
    job: dict[str, Any]

    def auth(self) -> dict[str, str]:
        return bearer(self.token)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("web-api")
    repo = make_repo(root / "src" / "gold", GOLD_FILES, tags=["v1.0.0"])
    settings = WebSettings(
        data_dir=root / "data", allow_private=True, workers=1, rate_limit_per_minute=1000
    )
    app = create_app(settings, start_workers=True)
    with git_http_server(root / "git") as server, TestClient(app) as client:
        _, token = app.state.operations.store.create_token("tests")
        url = server.publish(repo)
        created = client.post(f"{API}/assessments", json={"repo_url": url}, headers=bearer(token))
        assert created.status_code == 202, created.text
        job = wait_done(client.get, created.json()["id"])
        yield Served(app, client, settings, token, server, repo, url, job)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """An app without workers (jobs stay queued) and settings of the test's choosing."""
    with ExitStack() as stack:
        counter = iter(range(100))

        def build(**options: Any) -> TestClient:
            options.setdefault("data_dir", tmp_path / f"data{next(counter)}")
            app = create_app(WebSettings(**options), start_workers=False)
            return stack.enter_context(TestClient(app))

        yield build


def token_of(client: TestClient) -> str:
    return client.app.state.operations.store.create_token("tests")[1]  # type: ignore[attr-defined]


# service


def test_healthz_at_root_and_under_the_api(served):
    for path in ("/healthz", f"{API}/healthz"):
        response = served.client.get(path)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["version"]
        assert body["queued"] == 0 and body["running"] == 0


def test_security_headers_on_answers_and_errors(served):
    for response in (
        served.client.get(f"{API}/criteria"),
        served.client.get(f"{API}/assessments/{'0' * 32}"),
        served.client.post(f"{API}/assessments", json={"repo_url": served.url}),
    ):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, name)


def test_openapi_documents_every_operation(served):
    schema = served.client.get(f"{API}/openapi.json").json()
    operations = {
        (method.upper(), path): op
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }
    expected = {
        ("GET", "/healthz"), ("GET", f"{API}/healthz"), ("GET", f"{API}/criteria"),
        ("GET", f"{API}/pipelines/schema"), ("POST", f"{API}/pipelines"),
        ("POST", f"{API}/pipelines/zip"), ("POST", f"{API}/assessments"),
        ("GET", f"{API}/assessments/{{assessment_id}}"),
        ("GET", f"{API}/assessments/{{assessment_id}}/report"),
        ("GET", f"{API}/assessments/{{assessment_id}}/badges"),
        ("POST", f"{API}/onboardings"), ("GET", f"{API}/onboardings/{{onboarding_id}}"),
        ("GET", f"{API}/onboardings/{{onboarding_id}}/report"),
        ("GET", f"{API}/onboardings/{{onboarding_id}}/badges"),
        ("GET", f"{API}/badges/{{badge_key}}"), ("GET", f"{API}/badges/{{badge_key}}.svg"),
        ("GET", f"{API}/badges/{{badge_key}}.png"),
        ("GET", f"{API}/badges/{{badge_key}}/credential"),
        ("POST", f"{API}/badges/{{badge_key}}/revoke"), ("GET", "/issuer/{relative}"),
        ("GET", f"{API}/issuer"), ("GET", f"{API}/issuer/jwks"),
        ("GET", f"{API}/issuer/revocations"),
    }
    assert expected <= set(operations)
    for key, op in operations.items():
        if key[1].startswith((API, "/healthz", "/issuer")):
            assert op.get("summary"), key
            assert "200" in op["responses"] or "202" in op["responses"], key
    writes = ("assessments", "onboardings", "badges/{badge_key}/revoke")
    for key in (("POST", f"{API}/{path}") for path in writes):
        assert operations[key]["security"] == [{"token": []}], key
        assert "401" in operations[key]["responses"]
    assert "security" not in operations[("POST", f"{API}/pipelines")]
    for path in ("assessments", "onboardings"):
        created = operations[("POST", f"{API}/{path}")]["responses"]
        assert {"200", "202", "422", "429", "503"} <= set(created)
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert served.client.get(f"{API}/docs").status_code == 200


# criteria and pipelines


def test_criteria_is_what_the_cli_prints(served, run_cli):
    printed = run_cli("criteria", "--format", "json")
    assert printed.returncode == 0, printed.stderr
    response = served.client.get(f"{API}/criteria")
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == json.loads(printed.stdout)
    assert {"baselines", "criteria", "badges"} <= set(body)
    assert body["criteria"]["QC.Lic"]["subcriteria"][0]["id"].startswith("QC.Lic")


def test_targets_are_the_renderers():
    assert set(get_args(Target)) == set(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_pipeline_files_equal_render_and_the_cli(served, run_cli, tmp_path, target):
    spec = golden_spec()
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec.model_dump(mode="json")))
    out = tmp_path / "out"
    generated = run_cli("pipeline", "generate", "--target", target, "--spec", str(spec_file),
                        "-o", str(out))
    assert generated.returncode == 0, generated.stderr
    written = {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in out.rglob("*") if p.is_file()
    }
    response = served.client.post(
        f"{API}/pipelines", json={"spec": json.loads(spec_file.read_text()), "target": target}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["target"] == target
    assert body["files"] == render(spec, target) == written


def test_pipeline_zip_holds_the_same_files(served):
    spec = golden_spec().model_dump(mode="json")
    request = {"spec": spec, "target": "github-actions"}
    files = served.client.post(f"{API}/pipelines", json=request).json()["files"]
    response = served.client.post(f"{API}/pipelines/zip", json=request)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == (
        'attachment; filename="sqaaas-github-actions.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == sorted(files)
        assert {n: archive.read(n).decode() for n in archive.namelist()} == files
    assert served.client.post(f"{API}/pipelines/zip", json=request).content == response.content


def _golden() -> dict[str, Any]:
    return golden_spec().model_dump(mode="json")


INVALID_SPECS = {
    "repository name": lambda s: {**s, "repositories": [{"name": "bad name", "url": "x"}]},
    "no criteria": lambda s: {k: v for k, v in s.items() if k != "criteria"},
    "unknown step repository": lambda s: {
        **s, "criteria": {"QC.Sty": [{"name": "lint", "repository": "elsewhere"}]}
    },
    "criterion id": lambda s: {**s, "criteria": {"style": [{"name": "lint"}]}},
    "spec version": lambda s: {**s, "version": 2},
    "not a mapping": lambda s: ["repositories"],
    "extra field": lambda s: {**s, "colour": "blue"},
}


@pytest.mark.parametrize("case", sorted(INVALID_SPECS))
def test_invalid_spec_is_422_with_the_cli_message(served, case):
    raw = INVALID_SPECS[case](_golden())
    with pytest.raises(SpecError) as expected:
        parse_spec(raw, "spec")
    for path in ("/pipelines", "/pipelines/zip"):
        response = served.client.post(f"{API}{path}", json={"spec": raw, "target": "jenkins"})
        assert response.status_code == 422, response.text
        assert response.json() == {"detail": str(expected.value)}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"spec": "SPEC", "target": "travis"}, "target: Input should be 'jenkins'"),
        ({"spec": "SPEC"}, "target: Field required"),
        ({"target": "jenkins"}, "spec: Field required"),
        ("not json", "JSON decode error"),
    ],
)
def test_invalid_pipeline_request_names_the_field(served, body, detail):
    if isinstance(body, dict) and body.get("spec") == "SPEC":
        body = {**body, "spec": _golden()}
    if isinstance(body, str):
        response = served.client.post(
            f"{API}/pipelines", content=body, headers={"Content-Type": "application/json"}
        )
    else:
        response = served.client.post(f"{API}/pipelines", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert detail in response.json()["detail"]


def test_large_bodies_are_refused_with_413(served):
    big = {"spec": {**_golden(), "environment": {"PAD": "x" * 1_100_000}}, "target": "jenkins"}
    response = served.client.post(f"{API}/pipelines", json=big)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        for _ in range(20):
            yield b" " * 100_000

    streamed = served.client.post(
        f"{API}/pipelines", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


# assessments


def test_creating_an_assessment_needs_a_valid_token(served):
    store: Store = served.app.state.operations.store
    request = {"repo_url": served.url}
    missing = served.client.post(f"{API}/assessments", json=request)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="sqaaas"'
    assert "sqaaas tokens create" in missing.json()["detail"]
    wrong = served.client.post(f"{API}/assessments", json=request, headers=bearer("sqaaas_nope"))
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    basic = served.client.post(
        f"{API}/assessments", json=request, headers={"Authorization": f"Basic {served.token}"}
    )
    assert basic.status_code == 401
    token_id, secret = store.create_token("short-lived")
    assert store.revoke_token(token_id)
    revoked = served.client.post(f"{API}/assessments", json=request, headers=bearer(secret))
    assert revoked.status_code == 401
    assert store.count("queued") == 0


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_a_finished_assessment(served):
    job = served.job
    assert job["state"] == "done", job
    assert job["error"] is None and job["attempts"] == 1
    assert job["commit"] == git(served.repo, "rev-parse", "HEAD").strip()
    assert job["badge_level"] == "gold"
    assert job["created_at"] <= job["started_at"] <= job["finished_at"]
    here = f"{API}/assessments/{job['id']}"
    assert job["links"]["self"] == here
    assert job["links"]["report"]["sarif"] == f"{here}/report?format=sarif"
    assert job["links"]["page"] == f"/assessments/{job['id']}"
    assert served.client.get(here).json() == job


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_reports_in_json_sarif_and_markdown(served):
    from sqaaas.report.formats import renderer

    here = served.job["links"]["self"]
    as_json = served.client.get(f"{here}/report")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["content-disposition"] == (
        f'attachment; filename="sqaaas-report-{served.job["id"]}.json"'
    )
    report = Report.model_validate_json(as_json.text)
    assert report.repository.url == served.url
    assert report.repository.commit == served.job["commit"]
    assert report.badge.level == "gold"
    sarif = served.client.get(f"{here}/report", params={"format": "sarif"})
    assert sarif.headers["content-type"] == "application/sarif+json"
    assert sarif.json()["version"] == "2.1.0"
    assert sarif.text == renderer("sarif")(report)
    markdown = served.client.get(f"{here}/report", params={"format": "markdown"})
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.text == renderer("markdown")(report)
    assert "gold" in markdown.text
    bad = served.client.get(f"{here}/report", params={"format": "pdf"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("format: Input should be 'json', 'sarif' or")


def test_requests_for_the_same_repository_share_one_job(make_client):
    client = make_client(allow_private=True)
    headers = bearer(token_of(client))
    url = LOOPBACK
    first = client.post(f"{API}/assessments", json={"repo_url": url}, headers=headers)
    assert first.status_code == 202
    assert first.json()["created"] is True and first.json()["state"] == "queued"
    assert first.headers["location"] == first.json()["links"]["self"]
    again = client.post(f"{API}/assessments", json={"repo_url": url + "/"}, headers=headers)
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    other = client.post(
        f"{API}/assessments", json={"repo_url": url, "branch": "develop"}, headers=headers
    )
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]
    assert client.get("/healthz").json()["queued"] == 2
    pending = client.get(f"{first.json()['links']['self']}/report")
    assert pending.status_code == 409
    assert "queued" in pending.json()["detail"]
    assert client.get(first.json()["links"]["badges"]).json() == []


LOOPBACK = "http://127.0.0.1:9/x.git"  # never contacted: these apps run no workers


@pytest.mark.parametrize(
    ("allow_private", "body", "why"),
    [
        (True, {"repo_url": "file:///etc"}, "only https://, http://, git:// repository URLs"),
        (True, {"repo_url": "ssh://git@example.org/x.git"}, "only https://, http://, git://"),
        (True, {"repo_url": "git@github.com:org/x.git"}, "only https://, http://, git://"),
        (False, {"repo_url": LOOPBACK}, "resolves to 127.0.0.1, a non-public address"),
        (False, {"repo_url": "https://localhost/x.git"}, "a non-public address"),
        (False, {"repo_url": "https://10.1.2.3/x.git"}, "10.1.2.3, a non-public address"),
        (False, {"repo_url": "https://user:pw@github.com/x.git"}, "credentials in the URL"),
        (True, {"repo_url": LOOPBACK, "branch": "--upload-pack=x"}, "refused branch"),
        (True, {"repo_url": LOOPBACK, "subfolder": "../up"}, "refused subfolder"),
        (True, {"repo_url": ""}, "repo_url: String should have at least 1 character"),
        (True, {"url": LOOPBACK}, "repo_url: Field required"),
        (True, {"repo_url": LOOPBACK, "colour": "red"}, "colour: Extra inputs are not"),
    ],
)
def test_refused_repositories_are_422_naming_why(make_client, allow_private, body, why):
    client = make_client(allow_private=allow_private)
    response = client.post(f"{API}/assessments", json=body, headers=bearer(token_of(client)))
    assert response.status_code == 422, response.text
    assert why in response.json()["detail"]
    assert client.get("/healthz").json()["queued"] == 0


def test_a_full_queue_is_503_with_retry_after(make_client):
    client = make_client(allow_private=True, max_queued=1)
    headers = bearer(token_of(client))
    ok = client.post(f"{API}/assessments", json={"repo_url": "http://127.0.0.1:9/a.git"},
                     headers=headers)
    assert ok.status_code == 202
    full = client.post(f"{API}/assessments", json={"repo_url": "http://127.0.0.1:9/b.git"},
                       headers=headers)
    assert full.status_code == 503
    assert full.headers["retry-after"] == "60"
    assert "waiting" in full.json()["detail"]


def test_write_requests_are_rate_limited(make_client):
    client = make_client(rate_limit_per_minute=2)
    request = {"spec": _golden(), "target": "jenkins"}
    assert [client.post(f"{API}/pipelines", json=request).status_code for _ in range(3)] == [
        200, 200, 429
    ]
    limited = client.post(f"{API}/pipelines", json=request)
    assert limited.headers["retry-after"] == "60"
    assert client.get(f"{API}/criteria").status_code == 200  # reads are not limited


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/assessments/not-an-id",
        f"{API}/assessments/{'A' * 32}",
        f"{API}/assessments/{'0' * 32}",
        f"{API}/assessments/{'0' * 32}/report",
        f"{API}/assessments/{'0' * 32}/badges",
        f"{API}/badges/not-a-uuid",
        f"{API}/badges/00000000-0000-4000-8000-000000000000",
        f"{API}/badges/00000000-0000-4000-8000-000000000000.svg",
        f"{API}/badges/00000000-0000-4000-8000-000000000000.png",
        f"{API}/badges/00000000-0000-4000-8000-000000000000/credential",
        "/issuer/nothing.json",
        f"/issuer/{ED25519_FILE}",
        f"/issuer/{RSA_FILE}",
        "/issuer/..%2Fsqaaas.sqlite3",
        "/issuer/keys/..%2F..%2Fsqaaas.sqlite3",
        "/issuer/achievements/%00.svg",
    ],
)
def test_unknown_things_are_404(served, path):
    response = served.client.get(path)
    assert response.status_code == 404, response.text
    assert isinstance(response.json()["detail"], str)
    assert "PRIVATE" not in response.text


# badges and the issuer


def _badges(served: Served, job_id: str) -> list[dict[str, Any]]:
    response = served.client.get(f"{API}/assessments/{job_id}/badges")
    assert response.status_code == 200
    return response.json()


def _verify(run_cli, image: Path, served: Served, *extra: str):
    trust = served.settings.publish_dir / JWKS_FILE
    return run_cli("badge", "verify", str(image), "--trust", str(trust), *extra)


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_the_badge_of_an_assessment_verifies(served, run_cli, tmp_path):
    [badge] = _badges(served, served.job["id"])
    assert badge["level"] == "gold" and badge["scheme"] == "software"
    assert badge["id"] == f"urn:uuid:{badge['key']}" and badge["revoked"] is False
    assert served.client.get(f"{API}/badges/{badge['key']}").json() == badge
    assert served.client.get(f"{API}/badges/{badge['id']}").json() == badge  # urn accepted
    report = tmp_path / "report.json"
    report.write_bytes(served.client.get(f"{served.job['links']['self']}/report").content)
    for fmt, media_type in (("svg", "image/svg+xml"), ("png", "image/png")):
        response = served.client.get(badge["links"][fmt])
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["cross-origin-resource-policy"] == "cross-origin"
        image = tmp_path / f"badge.{fmt}"
        image.write_bytes(response.content)
        verified = _verify(run_cli, image, served, "--report", str(report))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"VALID: gold badge for {web_url(served.url)} at " in verified.stdout
    credential = served.client.get(badge["links"]["credential"]).json()
    token, ob2, _ = extract((tmp_path / "badge.svg").read_bytes())
    assert (credential["ob3_jwt"], credential["ob2_jws"]) == (token, ob2)
    issuer = served.settings.base_url + "/issuer"
    assert credential["issuer"] == f"{issuer}/issuer.json"
    assert credential["jwks"] == f"{issuer}/issuer.jwks.json"
    assert credential["revocations"] == f"{issuer}/revocations.json"
    assert credential["revoked"] is False


def test_the_issuer_files_the_badges_name_are_served(served):
    keys = served.settings.publish_dir
    for path, file in (
        ("/issuer/issuer.json", "issuer.json"),
        ("/issuer/issuer.jwks.json", JWKS_FILE),
        ("/issuer/revocations.json", "revocations.json"),
        (f"{API}/issuer", "issuer.json"),
        (f"{API}/issuer/jwks", JWKS_FILE),
        (f"{API}/issuer/revocations", "revocations.json"),
    ):
        response = served.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/json"
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.content == (keys / file).read_bytes()
    profile = served.client.get("/issuer/issuer.json").json()
    assert profile["id"] == served.settings.base_url + "/issuer/issuer.json"
    key = served.client.get(profile["publicKey"].removeprefix(served.settings.base_url))
    assert key.status_code == 200 and key.json()["type"] == "CryptographicKey"
    for jwk in served.client.get("/issuer/issuer.jwks.json").json()["keys"]:  # kid -> the JWK
        assert served.client.get(jwk["kid"].removeprefix(served.settings.base_url)).json() == jwk
    # exactly the publish folder is served: every file in it, and it holds no private key
    public = served.settings.publish_dir
    files = [p for p in public.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files and not [p for p in files if p.suffix == ".pem"]
    for path in files:
        got = served.client.get(f"/issuer/{path.relative_to(public)}")
        assert got.status_code == 200 and got.content == path.read_bytes(), path
    image = served.client.get("/issuer/achievements/software-gold.svg")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert "no-cache" in served.client.get("/issuer/revocations.json").headers["cache-control"]


@pytest.mark.containers  # a badge needs a real assessment (static tools run only there)
def test_the_service_shows_the_signed_level_not_an_edited_database(served, run_cli, tmp_path):
    """A badge row edited behind the service's back (gold -> bronze, scheme renamed) changes
    nothing a person sees: the image, the API and the page show what was signed."""
    [badge] = _badges(served, served.job["id"])
    db = sqlite3.connect(served.settings.database)
    try:
        db.execute("UPDATE badges SET level = 'bronze', scheme = 'fair' WHERE id = ?",
                   (badge["id"],))
        db.commit()
        assert _badges(served, served.job["id"])[0]["level"] == "gold"
        image = tmp_path / "badge.svg"
        image.write_bytes(served.client.get(badge["links"]["svg"]).content)
        verified = _verify(run_cli, image, served)
        assert verified.returncode == 0, verified.stdout
        assert "ok   image: the SVG shows the software gold badge" in verified.stdout
        page = served.client.get(f"/assessments/{served.job['id']}")
        assert "badge: gold" in page.text and "badge: bronze" not in page.text
        # and a bronze picture around the gold credential is what verification refuses
        forged = tmp_path / "forged.svg"
        forged.write_text(image.read_text().replace(">gold<", ">bronze<"))
        refused = _verify(run_cli, forged, served)
        assert refused.returncode == 1
        assert "the image does not show what the signed credential states" in refused.stdout
    finally:
        db.execute("UPDATE badges SET level = 'gold', scheme = 'software' WHERE id = ?",
                   (badge["id"],))
        db.commit()
        db.close()


def test_revoking_a_badge(served, run_cli, tmp_path):
    """A second assessment of the same repository earns a second badge; revoking it leaves
    the first valid against the served revocation list."""
    created = served.client.post(
        f"{API}/assessments", json={"repo_url": served.url}, headers=served.auth()
    )
    assert created.status_code == 202 and created.json()["created"] is True
    second = wait_done(served.client.get, created.json()["id"])
    [kept] = _badges(served, served.job["id"])
    [revoked] = _badges(served, second["id"])
    assert kept["id"] != revoked["id"]
    url = revoked["links"]["revoke"]
    assert served.client.post(url, json={"reason": "x"}).status_code == 401
    missing = "00000000-0000-4000-8000-000000000000"
    assert served.client.post(f"{API}/badges/{missing}/revoke",
                              headers=served.auth()).status_code == 404
    done = served.client.post(url, json={"reason": "  issued by mistake "}, headers=served.auth())
    assert done.status_code == 200, done.text
    assert done.json()["changed"] is True and done.json()["reason"] == "issued by mistake"
    assert served.client.post(url, headers=served.auth()).json()["changed"] is False
    [listed] = _badges(served, second["id"])
    assert listed["revoked"] is True and listed["revoked_reason"] == "issued by mistake"
    assert served.client.get(listed["links"]["credential"]).json()["revoked"] is True
    served_list = served.client.get(f"{API}/issuer/revocations").json()
    assert served_list["revokedAssertions"] == [
        {"id": revoked["id"], "revocationReason": "issued by mistake"}
    ]
    revocations = tmp_path / "revocations.json"
    revocations.write_text(json.dumps(served_list))
    for badge, valid in ((kept, True), (revoked, False)):
        image = tmp_path / f"{badge['key']}.svg"
        image.write_bytes(served.client.get(badge["links"]["svg"]).content)
        verified = _verify(run_cli, image, served, "--revocations", str(revocations))
        assert (verified.returncode == 0) is valid, verified.stdout
        if not valid:
            assert "FAIL revocation: revoked: issued by mistake" in verified.stdout


def test_revocation_round_trip_through_a_running_server(tmp_path, run_cli):
    """`sqaaas serve` issues the badge; the verifier fetches the revocation list from the
    URL the credential names, before and after the revocation."""
    repo = make_repo(tmp_path / "src" / "gold", GOLD_FILES, tags=["v1.0.0"])
    data = tmp_path / "data"
    with git_http_server(tmp_path / "git") as gitserver:
        url = gitserver.publish(repo)
        server = start_server(data)
        try:
            store = Store(data / "sqaaas.sqlite3")
            _, token = store.create_token("tests")
            store.close()
            created = requests.post(server.url(f"{API}/assessments"), json={"repo_url": url},
                                    headers=bearer(token), timeout=30)
            assert created.status_code == 202, created.text
            job = wait_done(lambda path: requests.get(server.url(path), timeout=30),
                            created.json()["id"])
            assert job["state"] == "done", job
            [badge] = requests.get(server.url(job["links"]["badges"]), timeout=30).json()
            credential = requests.get(server.url(badge["links"]["credential"]), timeout=30).json()
            assert credential["revocations"] == server.url("/issuer/revocations.json")
            image = tmp_path / "badge.svg"
            image.write_bytes(requests.get(server.url(badge["links"]["svg"]), timeout=30).content)
            jwks = tmp_path / "trusted.jwks.json"
            jwks.write_bytes(requests.get(credential["jwks"], timeout=30).content)

            def verify():
                return run_cli("badge", "verify", str(image), "--trust", str(jwks),
                               "--revocations", credential["revocations"])

            before = verify()
            assert before.returncode == 0, before.stdout + before.stderr
            assert "ok   revocation: not in http://127.0.0.1" in before.stdout
            revoke = requests.post(server.url(badge["links"]["revoke"]), json={"reason": "test"},
                                   headers=bearer(token), timeout=30)
            assert revoke.status_code == 200, revoke.text
            after = verify()
            assert after.returncode == 1
            assert "FAIL revocation: revoked: test" in after.stdout
        finally:
            server.stop()


@pytest.mark.parametrize(
    ("relative", "allowed"),
    [
        ("keys/_x3kQ9.json", True),  # a base64url key id may start with _ or -
        ("keys/-x3kQ9.json", True),
        ("issuer.json", True),
        ("../keys/x.json", False),
        (".hidden.json", False),
        ("keys/.x.json", False),
        ("achievements/software/gold.json", True),
        ("a/b/c/d.json", False),
    ],
)
def test_issuer_paths_accept_every_key_id_and_nothing_outside(relative, allowed):
    from sqaaas.web.api import _ISSUER_PATH

    assert bool(_ISSUER_PATH.match(relative)) is allowed
