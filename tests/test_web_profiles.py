"""Issue 15, point 1 in the web service: the assessment form and the REST API take the
profile (the choices of criteria/badges.yml), the job keeps it and the worker assesses
under it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sqaaas.subjects.repository as repository_subject
from sqaaas.acquire import acquire
from sqaaas.core.catalogue import default_catalogue
from sqaaas.web import runjob
from sqaaas.web.store import Job
from tests.report_samples import make_report
from tests.repos import good_repo_files
from tests.test_web_api import API, LOOPBACK, bearer, token_of
from tests.test_web_pages import field_errors, form_fields, make_client_fixture, submit

make_client = make_client_fixture  # the pages' app fixture (private hosts allowed, no workers)


def _job(client: Any, job_id: str) -> Job:
    job = client.app.state.operations.store.job(job_id)
    assert job is not None
    return job


def test_the_form_offers_the_profiles_of_the_data_default_first(make_client):
    page = make_client().get("/assess").text
    options = form_fields(page)
    assert options["profile"] == [default_catalogue().profiles.default]
    for name in default_catalogue().profile_names:
        assert f'<option value="{name}"' in page


def test_the_form_queues_an_assessment_under_the_profile_chosen(make_client):
    client = make_client()
    strict = submit(client, repo_url=LOOPBACK, profile="strict")
    assert strict.status_code == 303
    job = _job(client, strict.headers["location"].rsplit("/", 1)[1])
    assert job.assessment_profile == "strict"
    default = submit(client, repo_url=LOOPBACK)
    assert default.headers["location"] != strict.headers["location"], "another request"
    assert _job(client, default.headers["location"].rsplit("/", 1)[1]).assessment_profile == (
        "sqaaas"
    )
    page = client.get(strict.headers["location"]).text
    assert "Badge profile" in page and "strict" in page


def test_the_form_refuses_an_unknown_profile_next_to_its_field(make_client):
    response = submit(make_client(), repo_url=LOOPBACK, profile="lenient")
    assert response.status_code == 422
    assert "unknown profile 'lenient'" in field_errors(response.text)["profile"]


def test_the_api_takes_the_profile_and_says_it(make_client):
    client = make_client()
    headers = bearer(token_of(client))
    strict = client.post(
        f"{API}/assessments", json={"repo_url": LOOPBACK, "profile": "strict"}, headers=headers
    )
    assert strict.status_code == 202 and strict.json()["profile"] == "strict"
    again = client.post(
        f"{API}/assessments", json={"repo_url": LOOPBACK, "profile": "strict"}, headers=headers
    )
    assert again.status_code == 200 and again.json()["id"] == strict.json()["id"]
    default = client.post(f"{API}/assessments", json={"repo_url": LOOPBACK}, headers=headers)
    assert default.status_code == 202 and default.json()["profile"] == "sqaaas"
    schema = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    offered = schema["AssessmentRequest"]["properties"]["profile"]["anyOf"][0]["enum"]
    assert offered == list(default_catalogue().profile_names)


def test_the_api_refuses_an_unknown_profile(make_client):
    client = make_client()
    response = client.post(
        f"{API}/assessments", json={"repo_url": LOOPBACK, "profile": "lenient"},
        headers=bearer(token_of(client)),
    )
    assert response.status_code == 422 and "profile" in response.json()["detail"]


@pytest.mark.parametrize("params", [{"profile": "strict"}, {}])
def test_the_job_process_assesses_under_the_jobs_profile(repo_factory, monkeypatch, tmp_path,
                                                         params):
    repo: Path = repo_factory(good_repo_files())
    seen: dict[str, Any] = {}

    def fake_assess(checkout, **options):  # the real one runs every probe: minutes
        seen.update(options)
        return make_report()

    monkeypatch.setattr(repository_subject, "assess", fake_assess)
    monkeypatch.setattr(runjob, "acquire", lambda url, **kw: acquire(str(repo)))
    request = {"kind": "assessment", "url": str(repo), "params": params,
               "cache_dir": str(tmp_path / "cache"), "clone_timeout": 30,
               "output": str(tmp_path / "report.json"), "allow_private": True}
    assert runjob.run(request) == 0
    assert seen["profile"] == params.get("profile")


def test_the_report_page_names_the_profile_that_decided(make_client):
    client = make_client()
    response = submit(client, repo_url=LOOPBACK, profile="strict")
    job_id = response.headers["location"].rsplit("/", 1)[1]
    report = make_report()
    report.profile = "strict"
    store = client.app.state.operations.store
    store.finish(job_id, report.to_json(), report.repository.commit, report.badge.level)
    page = client.get(response.headers["location"]).text
    assert "Profile <strong>strict</strong>" in page
    assert "decides the verdict" in page
