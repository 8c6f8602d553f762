"""End to end in a real browser: Debian's Chromium (headless, driven by Playwright) against a
real `sqaaas serve` process on loopback.

1. The composer, filled in as a user would, downloads a ZIP whose files equal what
   `sqaaas pipeline generate` writes for the same spec (acceptance point 1).
2. An assessment submitted in the browser finishes and its page shows the badge and the
   criteria (acceptance point 2).
3. An onboarding of the good loopback service (tests/service_servers.py), its profile and
   CA certificate pasted into the form, reaches its report page with the service badge.

Each page is also saved as a screenshot under the test's tmp_path/screenshots. The browser's
console must stay clean: a Content-Security-Policy violation (an inline script or style)
would show there.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sqaaas.platform.provision import DEV_TOOLS
from tests.repos import gold_repo_files, make_repo
from tests.service_servers import (  # noqa: F401  (fixtures)
    RunningService,
    complete_profile,
    good_service_fixture,
    test_pki_fixture,
)
from tests.test_onboard_acceptance import DEPLOYMENT_FILES
from tests.web_support import RunningServer, git_http_server, start_server

CHROMIUM = DEV_TOOLS["chromium"]
DONE_WITHIN_S = 180.0

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"no Chromium at {CHROMIUM}: 'sqaaas setup --dev' installs it",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# The fixture repository lives on 127.0.0.1: listing it as a public forge lets it reach gold
# (QC.Acc01 asks for a public forge) without leaving loopback.
GOLD_FILES = {**gold_repo_files(), ".sqaaas.yml": "public_forges: [127.0.0.1]\n"}

#: The spec the browser test types into the composer, as a user would write it by hand.
SPEC_YAML = """\
version: 1
name: e2e
repositories:
  - {name: e2e, url: "https://github.com/example-org/e2e.git", branch: main}
  - {name: docs, url: "https://gitlab.com/example-org/docs.git", branch: stable}
environment: {LANG: C.UTF-8}
criteria:
  QC.Sty:
    - {name: pep8_wide, tool: flake8, args: ["--max-line-length", "120"]}
    - {name: style_check}
  QC.Uni:
    - name: unit_tests
      image: python:3.12-slim
      commands: ["pip install -e .[test]", "pytest -q"]
      when:
        branch: {pattern: "release/*", comparator: GLOB}
        building_tag: true
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("e2e-serve") / "data")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    # A form with errors is answered with 422 by design; any other error message counts.
    expected = "the server responded with a status of 422"
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and expected not in m.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert problems == [], problems


def shoot(page: sync_api.Page, tmp_path: Path, name: str) -> None:
    folder = tmp_path / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fill_composer(page: sync_api.Page, target: str) -> None:
    """Type SPEC_YAML into the composer, as a user would."""
    page.fill("#f-name", "e2e")
    page.select_option("#f-target", target)
    page.fill("#f-repo-0-url", "https://github.com/example-org/e2e.git")
    page.fill("#f-repo-0-branch", "main")
    page.fill("#f-repo-1-url", "https://gitlab.com/example-org/docs.git")
    page.fill("#f-repo-1-branch", "stable")
    page.fill("#f-repo-1-name", "docs")
    page.fill("#f-env-0-name", "LANG")
    page.fill("#f-env-0-value", "C.UTF-8")
    env_rows = page.locator("[data-rows='env'] > [data-row]")
    page.click("button[data-add='env']")  # app.js adds a row ...
    assert env_rows.count() == 3
    page.fill("#f-env-2-name", "DROPPED")
    env_rows.nth(2).locator("button.remove-row").click()  # ... and removes it again
    assert env_rows.count() == 2
    sty = page.locator("#c-QC\\.Sty")
    assert not sty.locator("#f-step-QC\\.Sty-0-name").is_visible()  # steps show once ticked
    page.check("#f-criterion-QC\\.Sty")
    page.check("#f-step-QC\\.Sty-0-kind-tool")
    page.select_option("#f-step-QC\\.Sty-0-tool", "flake8")
    page.fill("#f-step-QC\\.Sty-0-name", "pep8_wide")
    page.fill("#f-step-QC\\.Sty-0-args", "--max-line-length\n120")
    assert not page.locator("#f-step-QC\\.Sty-0-commands").is_visible()  # only a tool's fields
    page.click("button[data-add='step-QC.Sty']")  # app.js adds step 2: the registry tools
    assert page.locator("#f-step-QC\\.Sty-1-kind-tools").is_checked()
    page.fill("#f-step-QC\\.Sty-1-name", "style_check")  # a named row is a step, even if bare
    page.check("#f-criterion-QC\\.Uni")
    page.check("#f-step-QC\\.Uni-0-kind-commands")
    page.fill("#f-step-QC\\.Uni-0-name", "unit_tests")
    page.fill("#f-step-QC\\.Uni-0-image", "python:3.12-slim")
    page.fill("#f-step-QC\\.Uni-0-commands", "pip install -e .[test]\npytest -q")
    page.fill("#f-when-QC\\.Uni-pattern", "release/*")
    page.select_option("#f-when-QC\\.Uni-comparator", "GLOB")
    page.check("#f-when-QC\\.Uni-tag")


def cli_files(tmp_path: Path, target: str) -> dict[str, str]:
    """What `sqaaas pipeline generate` writes for SPEC_YAML (the real CLI, in a child)."""
    spec = tmp_path / "spec.yml"
    spec.write_text(SPEC_YAML, encoding="utf-8")
    out = tmp_path / f"cli-{target}"
    subprocess.run(
        [sys.executable, "-m", "sqaaas", "pipeline", "generate", "--target", target,
         "--spec", str(spec), "--output", str(out)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("target", ["github-actions", "jenkins"])
def test_the_composer_zip_equals_the_cli_output(server, page, tmp_path, target):
    page.goto(server.url("/compose"))
    fill_composer(page, target)
    shoot(page, tmp_path, f"compose-filled-{target}")
    page.click("#preview-button")
    page.wait_for_selector("#preview-title")
    shoot(page, tmp_path, f"compose-preview-{target}")
    expected = cli_files(tmp_path, target)
    shown = {
        pre.get_attribute("data-file"): pre.inner_text()
        for pre in page.locator("pre[data-file]").all()
    }
    assert set(shown) == {*expected, "spec"}
    with page.expect_download() as download_info:
        page.click("#download-zip")
    download = download_info.value
    assert download.suggested_filename == f"e2e-{target}.zip"
    download.save_as(tmp_path / download.suggested_filename)
    with zipfile.ZipFile(tmp_path / download.suggested_filename) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert files == expected


def test_composer_errors_are_shown_in_the_browser(server, page, tmp_path):
    page.goto(server.url("/compose"))
    fill_composer(page, "gitlab-ci")
    page.fill("#f-when-QC\\.Uni-pattern", "([unclosed")
    page.select_option("#f-when-QC\\.Uni-comparator", "REGEXP")
    page.click("#preview-button")
    error = page.locator("#e-when-QC\\.Uni-pattern")
    sync_api.expect(error).to_contain_text("invalid regular expression")
    sync_api.expect(page.locator("#f-when-QC\\.Uni-pattern")).to_have_value("([unclosed")
    sync_api.expect(page.locator("#f-step-QC\\.Uni-0-commands")).to_have_value(
        "pip install -e .[test]\npytest -q"
    )
    shoot(page, tmp_path, "compose-errors")


def test_an_assessment_from_the_browser_to_the_report(server, page, tmp_path):
    repo = make_repo(tmp_path / "src" / "gold", GOLD_FILES, tags=["v1.0.0"])
    with git_http_server(tmp_path / "git") as git:
        url = git.publish(repo)
        page.goto(server.url("/assess"))
        shoot(page, tmp_path, "assess")
        page.fill("#f-repo_url", url)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/assessments/[0-9a-f]{32}$"))
        if page.locator("[data-poll]").count():
            shoot(page, tmp_path, "progress")
        # app.js polls the API and reloads the page into the report when the job is done
        page.wait_for_selector("#badge-title", timeout=DONE_WITHIN_S * 1000)
    shoot(page, tmp_path, "report")
    sync_api.expect(page.locator("#badge-title")).to_contain_text("gold")
    image = page.locator(".badge-image img")
    sync_api.expect(image).to_have_attribute("alt", "sqaaas software quality badge: gold")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # the baked SVG loaded
    cards = page.locator(".criterion-card")
    assert cards.count() >= 15
    for cid in ("QC.Acc", "QC.Doc", "QC.Lic", "QC.Met", "QC.Ver", "QC.Sec", "QC.Sty", "QC.Uni"):
        verdict = page.locator("#crit-" + cid.replace(".", "\\.") + " .verdict")
        sync_api.expect(verdict).to_have_text("✔ valid")
    sync_api.expect(page.locator("#snippet-markdown")).to_have_value(re.compile(r"^\[!\[sqaaas"))
    sync_api.expect(page.locator("#downloads-title")).to_be_visible()


def test_an_onboarding_from_the_browser_to_the_report(server, page, tmp_path, good_service):
    deployment = make_repo(tmp_path / "src" / "deployment", DEPLOYMENT_FILES)
    profile = yaml.safe_dump(complete_profile(good_service), sort_keys=False)
    with git_http_server(tmp_path / "git") as git:
        page.goto(server.url("/"))
        page.click("nav >> text=Onboard a service")
        page.wait_for_url(re.compile(r"/onboard$"))
        page.fill("#f-service_url", good_service.url)
        page.fill("#f-profile", profile)
        page.fill("#f-deployment_repo", git.publish(deployment))
        page.fill("#f-ca_pem", Path(str(good_service.ca_file)).read_text(encoding="utf-8"))
        shoot(page, tmp_path, "onboard")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/onboardings/[0-9a-f]{32}$"))
        page.wait_for_selector("#badge-title", timeout=DONE_WITHIN_S * 1000)
    shoot(page, tmp_path, "onboarding-report")
    sync_api.expect(page.locator("h1")).to_contain_text(good_service.url)
    sync_api.expect(page.locator("#badge-title")).to_contain_text(re.compile("silver|gold"))
    image = page.locator(".badge-image img")
    sync_api.expect(image).to_have_attribute(
        "alt", re.compile(r"^sqaaas service quality badge: (silver|gold)$")
    )
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    for cid in ("SvcQC.Dep", "SvcQC.Doc", "SvcQC.Sec"):
        verdict = page.locator("#crit-" + cid.replace(".", "\\.") + " .verdict")
        sync_api.expect(verdict).to_have_text("✔ valid")
    sync_api.expect(page.locator("#downloads-title")).to_be_visible()


def test_the_api_docs_render_offline_under_the_csp(server, page, tmp_path):
    """Swagger UI is served by the service itself: every operation shows, no CSP error."""
    page.goto(server.url("/api/v1/docs"))
    page.wait_for_selector(".opblock", timeout=20_000)
    shoot(page, tmp_path, "api-docs")
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/v1/assessments", exact=True).first.is_visible()
