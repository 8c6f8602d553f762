"""The HTML pages with the real app: the composer's previews and ZIPs equal the CLI's
renderer, errors show inline with every value kept, forms need their CSRF token, hostile
values stay text, and an assessment of a repository served over git's HTTP protocol on
loopback goes from the form to a report page with its signed badge."""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape

from sqaaas.pipelines.render import TARGETS, render
from sqaaas.pipelines.spec import PipelineSpec, SpecError, dump_spec, parse_spec
from sqaaas.web import composer, views
from sqaaas.web.app import create_app
from sqaaas.web.operations import zip_bytes
from sqaaas.web.security import CSRF_COOKIE, SECURITY_HEADERS
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import BadgeRecord, Job
from tests.pipeline_support import GOLDEN, golden_spec
from tests.repos import gold_repo_files, make_repo
from tests.web_support import git_http_server

DONE_WITHIN_S = 180.0
# The fixture repository lives on 127.0.0.1: listing it as a public forge lets it reach gold
# (QC.Acc01 asks for a public forge) without leaving loopback.
GOLD_FILES = {**gold_repo_files(), ".sqaaas.yml": "public_forges: [127.0.0.1]\n"}

#: What a user types into the composer ...
FORM = {
    "name": "demo",
    "timeout": "1800",
    "repo-0-url": "https://github.com/example-org/demo.git",
    "repo-0-branch": "main",
    "repo-1-url": "https://gitlab.com/example-org/docs.git",
    "repo-1-branch": "stable",
    "repo-1-subfolder": "site",
    "repo-1-name": "docs",
    "env-0-name": "LANG",
    "env-0-value": "C.UTF-8",
    "criteria": ["QC.Doc", "QC.Sty", "QC.Uni"],
    "step-QC.Doc-0-repository": "1",
    "step-QC.Sty-0-kind": "tool",
    "step-QC.Sty-0-tool": "flake8",
    "step-QC.Sty-0-name": "pep8_wide",
    "step-QC.Sty-0-args": "--max-line-length\n120",
    "step-QC.Uni-0-kind": "commands",
    "step-QC.Uni-0-name": "unit_tests",
    "step-QC.Uni-0-image": "python:3.12-slim",
    "step-QC.Uni-0-commands": "pip install -e .[test]\npytest -q",
    "step-QC.Uni-0-timeout": "900",
    "when-QC.Uni-pattern": "^(main|release/.+)$",
    "when-QC.Uni-comparator": "REGEXP",
    "when-QC.Uni-tag": "1",
}
#: ... and the spec it describes, written by hand.
SPEC_YAML = """
version: 1
name: demo
timeout: 1800
repositories:
  - {name: demo, url: "https://github.com/example-org/demo.git", branch: main}
  - {name: docs, url: "https://gitlab.com/example-org/docs.git", branch: stable, subfolder: site}
environment: {LANG: C.UTF-8}
criteria:
  QC.Doc:
    - {name: qc_doc, repository: docs}
  QC.Sty:
    - {name: pep8_wide, tool: flake8, args: ["--max-line-length", "120"]}
  QC.Uni:
    - name: unit_tests
      image: python:3.12-slim
      timeout: 900
      commands: ["pip install -e .[test]", "pytest -q"]
      when:
        branch: {pattern: "^(main|release/.+)$", comparator: REGEXP}
        building_tag: true
"""


def spec() -> PipelineSpec:
    return parse_spec(yaml.safe_load(SPEC_YAML))


# --- a browser's view of a form -------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser submits for the form with id ``form_id`` (or the first form)."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = self.form_id is None or a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
            self.form_id = "(done)"
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [options[0][0]]
            self.fields.append((name, chosen[-1]))
            self._select = None


def form_fields(page: str, form_id: str | None = None) -> dict[str, list[str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields


def filled(client: TestClient, values: dict[str, Any]) -> dict[str, list[str]]:
    """The composer's blank form, as the browser would send it, with ``values`` typed in."""
    fields = form_fields(client.get("/compose").text, "composer")
    for name, value in values.items():
        fields[name] = value if isinstance(value, list) else [value]
    return fields


def shown_files(page: str) -> dict[str, str]:
    """The files a preview page shows, as text."""
    found = re.findall(r'<pre class="code" tabindex="0" data-file="([^"]+)"><code>(.*?)</code>',
                       page, re.S)  # fmt: skip
    return {html.unescape(name): html.unescape(text) for name, text in found}


def field_errors(page: str) -> dict[str, str]:
    found = re.findall(r'<div class="field-error" id="e-([^"]+)">(.*?)</div>', page, re.S)
    return {name: html.unescape(re.sub(r"<[^>]+>", " ", text)).strip() for name, text in found}


def assert_ids_sound(page: str) -> None:
    """Ids are unique and every label's ``for`` names one (labels reach their controls)."""
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert set(re.findall(r'\sfor="([^"]+)"', page)) <= set(ids)


def zip_files(response: Response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


# --- the app ----------------------------------------------------------------------------------


@pytest.fixture(name="make_client")
def make_client_fixture(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """The real app (workers only when asked) with settings of the test's choosing."""
    clients: list[TestClient] = []
    counter = iter(range(100))

    def build(*, start_workers: bool = False, **options: Any) -> TestClient:
        options = {
            "data_dir": tmp_path / f"data{next(counter)}",
            "allow_private": True,
            "workers": 1,
            "rate_limit_per_minute": 1000,
            **options,
        }
        client = TestClient(create_app(WebSettings(**options), start_workers=start_workers))
        clients.append(client.__enter__())
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.mark.parametrize("path", ["/", "/compose", "/assess", "/onboard"])
def test_pages_render_with_nav_csrf_cookie_and_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value
    assert CSRF_COOKIE in response.cookies
    for link in ('href="/compose"', 'href="/assess"', 'href="/onboard"', 'href="/api/v1/docs"'):
        assert link in response.text
    assert "<script>" not in response.text and " style=" not in response.text  # CSP: files only
    assert_ids_sound(response.text)


def test_static_files_are_served(client):
    assert "addRow" in client.get("/static/app.js").text
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


# --- the composer -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_preview_shows_the_files_the_cli_renders(client, target):
    response = client.post("/compose", data=filled(client, {**FORM, "target": target}))
    assert response.status_code == 200, field_errors(response.text)
    assert_ids_sound(response.text)
    files = shown_files(response.text)
    assert files.pop("spec") == dump_spec(spec())
    assert files == render(spec(), target)


@pytest.mark.parametrize("target", TARGETS)
def test_download_zip_holds_the_files_the_cli_renders(client, target):
    response = client.post("/compose/zip", data=filled(client, {**FORM, "target": target}))
    assert response.status_code == 200, field_errors(response.text)
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="demo-{target}.zip"'
    assert zip_files(response) == render(spec(), target)
    assert response.content == zip_bytes(render(spec(), target))


def test_a_loaded_spec_fills_the_form_that_gives_the_same_files(client):
    """spec -> form (the load page) -> the fields a browser sends -> the same ZIP as the CLI."""
    token = form_fields(client.get("/compose").text, "composer")["csrf_token"]
    text = (GOLDEN / "spec.yml").read_text(encoding="utf-8")
    loaded = client.post("/compose/load", data={"csrf_token": token, "spec": text})
    assert loaded.status_code == 200, field_errors(loaded.text)
    fields = form_fields(loaded.text, "composer")
    assert fields["criteria"] == ["QC.Doc", "QC.Sty", "QC.Tdd", "QC.Sec"]  # catalogue order
    assert fields["criteria_order"] == ["QC.Sty,QC.Sec,QC.Doc,QC.Tdd"]  # the spec's, kept
    for target in TARGETS:
        fields["target"] = [target]
        response = client.post("/compose/zip", data=fields)
        assert zip_files(response) == render(golden_spec(), target), target


def test_from_spec_and_to_spec_are_inverse():
    form = composer.from_spec(golden_spec(), "jenkins")
    spec, errors = composer.to_spec(form)
    assert errors == {} and spec is not None
    assert dump_spec(spec) == dump_spec(golden_spec())  # the same, in the same order


def test_a_spec_the_form_cannot_hold_is_refused_when_loaded():
    raw = yaml.safe_load(SPEC_YAML)
    raw["criteria"]["QC.Sty"].append({"name": "late", "when": {"building_tag": True}})
    with pytest.raises(SpecError, match="different 'when' conditions"):
        composer.from_spec(parse_spec(raw))


def test_unnamed_steps_get_unique_names(client):
    flake8 = {"kind": "tool", "tool": "flake8"}
    values = {f"step-QC.Sty-{j}-{key}": value for j in (0, 1) for key, value in flake8.items()}
    values |= {"repo-0-url": "https://github.com/org/tool", "criteria": ["QC.Sty", "QC.Uni"],
               "step-QC.Uni-0-kind": "commands", "step-QC.Uni-0-commands": "make test"}  # fmt: skip
    response = client.post("/compose", data=filled(client, values))
    assert response.status_code == 200, field_errors(response.text)
    shown = yaml.safe_load(shown_files(response.text)["spec"])["criteria"]
    assert [step["name"] for step in shown["QC.Sty"]] == ["qc_sty_flake8", "qc_sty_flake8_2"]
    assert [step["name"] for step in shown["QC.Uni"]] == ["qc_uni_commands"]


def test_a_criterion_without_steps_gets_its_registry_tools(client):
    fields = filled(client, {"repo-0-url": "https://github.com/org/tool", "criteria": "QC.Sec"})
    response = client.post("/compose", data=fields)
    assert response.status_code == 200, field_errors(response.text)
    shown = yaml.safe_load(shown_files(response.text)["spec"])
    assert shown["repositories"] == [
        {"name": "tool", "url": "https://github.com/org/tool", "branch": "main"}
    ]
    [step] = shown["criteria"]["QC.Sec"]
    assert step["name"] == "qc_sec" and not step["commands"] and "tool" not in step
    assert "sqaaas_requirement" not in shown  # sqaaas is not on PyPI: nothing installs it


def test_a_criterion_no_tool_decides_asks_for_commands_or_sqaaas(client):
    fields = filled(client, {"repo-0-url": "https://github.com/org/tool", "criteria": "QC.Lic"})
    response = client.post("/compose", data=fields)
    assert response.status_code == 422
    assert "sqaaas_requirement" in field_errors(response.text)["step-QC.Lic-0-kind"]


def test_errors_show_next_to_their_fields_and_every_value_is_kept(client):
    values = {
        **FORM,
        "repo-0-url": "ftp://example.org/demo.git",
        "when-QC.Uni-pattern": "([unclosed",
        "step-QC.Uni-0-timeout": "soon",
    }
    response = client.post("/compose", data=filled(client, values))
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert "scheme 'ftp' is not one of" in errors["repo-0-url"]
    assert "invalid regular expression" in errors["when-QC.Uni-pattern"]
    assert "valid integer" in errors["step-QC.Uni-0-timeout"]
    assert 'id="error-summary"' in response.text
    assert 'href="#f-when-QC.Uni-pattern"' in response.text
    assert 'aria-invalid="true" aria-describedby="e-repo-0-url"' in response.text
    assert "data-file=" not in response.text  # no preview of an invalid pipeline
    kept = form_fields(response.text, "composer")
    for name, value in values.items():
        assert kept[name] == (value if isinstance(value, list) else [value]), name


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"criteria": []}, "criteria", "choose at least one criterion"),
        ({"criteria": ["QC.Sty", "QC.Bogus"]}, "criteria", "unknown criterion QC.Bogus"),
        ({"step-QC.Sty-0-tool": ""}, "step-QC.Sty-0-tool", "choose a tool"),
        ({"step-QC.Sty-0-tool": "bandit"}, "step-QC.Sty-0-tool",
         "bandit decides no subcriterion of QC.Sty"),
        ({"step-QC.Uni-0-commands": " \n"}, "step-QC.Uni-0-commands", "at least one command"),
        ({"repo-0-url": ""}, "repo-0-url", "give the repository URL"),
        ({"repo-1-name": "no spaces"}, "repo-1-name", "use letters, digits"),
        ({"env-0-name": "1BAD"}, "environment", "invalid environment variable name"),
        ({"env-1-name": "LANG", "env-1-value": "x"}, "env-1-name", "LANG is set twice"),
        ({"timeout": "-5"}, "timeout", "greater than 0"),
        ({"target": "travis"}, "target", "choose one of jenkins"),
        ({"sqaaas_requirement": "requests"}, "sqaaas_requirement", "must install sqaaas"),
        ({"step-QC.Doc-0-repository": "2"}, "step-QC.Doc-0-repository", "row is empty"),
    ],
)
def test_invalid_form_values(client, values, field, message):
    response = client.post("/compose", data=filled(client, {**FORM, **values}))
    assert response.status_code == 422
    assert message in field_errors(response.text)[field]


def test_an_invalid_spec_to_load_is_an_inline_error(client):
    token = form_fields(client.get("/compose").text, "composer")["csrf_token"]
    bad = "version: 1\nrepositories: []\ncriteria: {QC.Sty: [{name: x}]}\n"
    response = client.post("/compose/load", data={"csrf_token": token, "spec": bad})
    assert response.status_code == 422
    assert "repositories" in field_errors(response.text)["spec"]
    assert form_fields(response.text, "load-spec")["spec"] == [bad]  # the text is kept


@pytest.mark.parametrize("path", ["/compose", "/compose/zip", "/compose/load", "/assess"])
def test_posts_without_the_pages_csrf_token_are_refused(client, path):
    fields = filled(client, FORM)
    assert client.post(path, data={**fields, "csrf_token": "x" * 43}).status_code == 403
    fields.pop("csrf_token")
    response = client.post(path, data=fields)
    assert response.status_code == 403
    assert "Form expired" in response.text
    client.cookies.clear()
    assert client.post(path, data=filled(client, {})).status_code != 403  # a fresh page works


def test_forms_too_large_or_unreadable_are_clear_errors(client):
    token = form_fields(client.get("/compose").text, "composer")["csrf_token"]
    big = client.post("/compose", data={"csrf_token": token, "name": "x" * 1_100_000})
    assert big.status_code == 413
    many = {f"repo-{i}-url": f"https://example.org/r{i}.git" for i in range(2000)}
    form = {"csrf_token": token, "target": "gitlab-ci", "criteria": "QC.Sec", **many}
    response = client.post("/compose", data=form)
    assert response.status_code == 200  # rows beyond the limit are dropped, not a crash
    assert len(yaml.safe_load(shown_files(response.text)["spec"])["repositories"]) == 10


def test_hostile_values_are_escaped(client):
    hostile = '<script>alert("x")</script>'
    values = {**FORM, "name": f'"><img src=x onerror=alert(1)>{hostile}',
              "repo-0-branch": hostile, "env-0-value": hostile}  # fmt: skip
    response = client.post("/compose", data=filled(client, values))
    assert response.status_code == 200, field_errors(response.text)
    assert hostile not in response.text and "<img src=x" not in response.text
    assert escape(hostile) in response.text
    assert form_fields(response.text, "composer")["repo-0-branch"] == [hostile]  # kept as text
    refused = client.post("/assess", data={**form_fields(client.get("/assess").text),
                                           "repo_url": hostile, "branch": hostile})  # fmt: skip
    assert refused.status_code == 422
    assert hostile not in refused.text and escape(hostile) in refused.text
    assert form_fields(refused.text)["branch"] == [hostile]


# --- assessments ------------------------------------------------------------------------------


def submit(client: TestClient, **values: str) -> Response:
    fields = form_fields(client.get("/assess").text)
    return client.post("/assess", data={**fields, **values}, follow_redirects=False)


@pytest.mark.parametrize(
    ("allow_private", "values", "field", "why"),
    [
        (False, {"repo_url": "http://127.0.0.1/x.git"}, "repo_url", "non-public address"),
        (True, {"repo_url": "ftp://127.0.0.1/x.git"}, "repo_url", "only https://, http://, git://"),
        (True, {"repo_url": "https://127.0.0.1/x.git", "branch": "-x"}, "branch", "refused branch"),
        (True, {"repo_url": "https://127.0.0.1/x", "subfolder": "../up"}, "subfolder", "refused"),
    ],
)
def test_refused_repositories_are_inline_errors(make_client, allow_private, values, field, why):
    client = make_client(allow_private=allow_private)
    response = submit(client, **values)
    assert response.status_code == 422
    assert why in field_errors(response.text)[field]
    kept = form_fields(response.text)
    assert all(kept[name] == [value] for name, value in values.items())


def test_a_full_queue_is_a_friendly_503(make_client):
    client = make_client(max_queued=0)
    response = submit(client, repo_url="https://example.org/x.git")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert "The queue is full" in response.text and "<html" in response.text


@pytest.mark.parametrize("job_id", ["0" * 32, "not-an-id", "A" * 32, "%2e%2e"])
def test_unknown_assessments_are_a_404_page(client, job_id):
    response = client.get(f"/assessments/{job_id}")
    assert response.status_code == 404
    assert "No such assessment" in response.text


def test_a_queued_assessment_shows_progress_that_updates(make_client):
    client = make_client()  # no workers: the job stays queued
    response = submit(client, repo_url="https://example.org/tool.git", branch="dev")
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    job_id = response.headers["location"].rsplit("/", 1)[1]
    assert page.status_code == 200
    assert f'data-poll="/api/v1/assessments/{job_id}"' in page.text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page.text
    assert "Waiting for a worker" in page.text and "<code>dev</code>" in page.text
    assert client.get(f"/api/v1/assessments/{job_id}").json()["state"] == "queued"
    again = submit(client, repo_url="https://example.org/tool.git", branch="dev")
    assert again.headers["location"] == response.headers["location"]  # joins the same job


def wait_finished(client: TestClient, location: str) -> str:
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        page = client.get(location).text
        if "data-poll=" not in page and "badge is being issued" not in page:
            return page
        time.sleep(0.3)
    pytest.fail(f"{location} still in progress after {DONE_WITHIN_S} s")


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_an_assessment_from_the_form_to_the_report_page(make_client, tmp_path):
    client = make_client(start_workers=True)
    repo = make_repo(tmp_path / "src" / "gold", GOLD_FILES, tags=["v1.0.0"])
    with git_http_server(tmp_path / "git") as server:
        url = server.publish(repo)
        response = submit(client, repo_url=url)
        assert response.status_code == 303
        location = response.headers["location"]
        page = wait_finished(client, location)
    job_id = location.rsplit("/", 1)[1]
    base = client.app.state.settings.base_url  # type: ignore[attr-defined]
    assert f'Report: <span class="repo">{url}</span>' in page
    assert re.search(r'id="badge-title">Badge:\s*<span class="level level-gold">gold</span>', page)
    [image] = re.findall(r'<img src="(/api/v1/badges/[0-9a-f-]{36}\.svg)"', page)
    badge = client.get(image)
    assert badge.status_code == 200 and badge.headers["content-type"] == "image/svg+xml"
    assert b"openbadges3:credential" in badge.content and b"<openbadges:assertion" in badge.content
    key = image.rsplit("/", 1)[1].removesuffix(".svg")
    assert client.get(f"/api/v1/badges/{key}/credential").json()["level"] == "gold"
    snippet = f"[![sqaaas software quality badge: gold]({base}{image})]({base}{location})"
    assert escape(snippet) in page
    assert escape(f'<img src="{base}{image}"') in page
    assert "sqaaas badge verify badge.svg --trust issuer.jwks.json" in page
    assert f"{base}/issuer/issuer.jwks.json" in page
    for cid in ("QC.Acc", "QC.Lic", "QC.Doc", "QC.Sty", "QC.Uni"):
        card = re.search(rf'id="crit-{cid}" .*?</header>', page, re.S)
        assert card is not None and "✔ valid" in card[0], cid
    assert 'class="pill outcome-pass">✔ pass</span>' in page
    assert "<code class=\"where\">LICENSE</code>" in page  # evidence with its path
    assert 'id="fair-title"' in page  # the FAIR section
    assert_ids_sound(page)
    for fmt in ("json", "sarif", "markdown"):
        link = f"/api/v1/assessments/{job_id}/report?format={fmt}"
        assert f'href="{link}"' in page.replace("&amp;", "&")
        assert client.get(link).status_code == 200


def test_a_failed_assessment_says_why(make_client):
    client = make_client(start_workers=True)
    response = submit(client, repo_url="http://127.0.0.1:1/nothing.git")
    page = wait_finished(client, response.headers["location"])
    assert "failed" in page and "git clone failed" in page
    retry = form_fields(page)
    assert retry["repo_url"] == ["http://127.0.0.1:1/nothing.git"]


# --- what the pages compute -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0 s"), (59.9, "59 s"), (65, "1 min 05 s"), (7384, "2 h 03 min")]
)
def test_duration(seconds, text):
    assert views.duration(seconds) == text


def test_elapsed_counts_waiting_running_and_total_time():
    job = Job("a" * 32, "queued", "u", None, None, 100.0, None, None, 0, None, None, None, None)
    assert views.elapsed(job, now=130) == "30 s"
    running = Job(**{**job.__dict__, "state": "running", "started_at": 120.0})
    assert views.elapsed(running, now=130) == "10 s"
    done = Job(**{**running.__dict__, "state": "done", "finished_at": 200.0})
    assert views.elapsed(done, now=10_000) == "1 min 20 s"


def test_badge_snippets_and_verification_commands():
    record = BadgeRecord(
        "urn:uuid:00000000-0000-4000-8000-000000000001", "b" * 32, "software", "silver",
        "token", "jws", 0.0, None, None,
    )  # fmt: skip
    job = Job("b" * 32, "done", "u", None, None, 0.0, 0.0, 1.0, 1, None, None, "c", "silver")
    view = views.badge_view(record, job, "https://qa.example.org", "https://qa.example.org/issuer")
    image = "https://qa.example.org/api/v1/badges/00000000-0000-4000-8000-000000000001.svg"
    page = f"https://qa.example.org/assessments/{'b' * 32}"
    assert view.markdown == f"[![sqaaas software quality badge: silver]({image})]({page})"
    assert view.html == f'<a href="{page}"><img src="{image}" alt="{view.alt}"></a>'
    assert view.jwks_url == "https://qa.example.org/issuer/issuer.jwks.json"
    assert view.credential_url.endswith("/00000000-0000-4000-8000-000000000001/credential")
    assert f"--issuer https://qa.example.org/issuer --revocations {view.revocations_url}" in (
        view.verify_commands
    )
