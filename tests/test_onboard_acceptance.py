"""Acceptance of service onboarding (issue 8), through the `sqaaas onboard` command against
the real loopback services of tests/service_servers.py.

1. The good service (complete profile, deployment repository whose compose file lints, its
   test CA given with --ca-file) reaches at least silver; the bad one fails SvcQC.Sec01 and
   SvcQC.Api01 with evidence (URL, header, status, schema path). Their reports differ on
   exactly the subcriteria their differences concern.
2. A resource profile missing its privacy policy is reported with that field named.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.repos import make_repo
from tests.service_servers import (  # noqa: F401  (fixtures)
    BAD_SERVER,
    RunningService,
    bad_service_fixture,
    complete_profile,
    good_service_fixture,
    test_pki_fixture,
    write_profile,
)

COUNT_SCHEMA = "#/paths/~1items/get/responses/200/content/application~1json/schema/properties/count"
#: what separates the two services (TLS, headers, a lying API document, an open protected
#: operation), mapped to the subcriteria the service baseline assesses them under
EXPECTED_DIFFERENCES = {
    "SvcQC.Sec01",  # HTTPS only, HSTS, security headers
    "SvcQC.Sec01.1",  # TLS >= 1.2, no weak ciphers
    "SvcQC.Sec02",  # authentication enforced on protected operations
    "SvcQC.Sec03",  # authorisation: the same evidence
    "SvcQC.Sec04",  # credentials validated
    "SvcQC.Sec04.1",  # certificate chain from a trusted CA
    "SvcQC.Api01",  # contract against the OpenAPI document
    "SvcQC.Api01.1",  # no non-compliant behaviour passes
    "SvcQC.Api02",  # security part of the API checks
    "SvcQC.Fun01.1",  # functional checks of the documented operations
    "SvcQC.Int01.1",  # contract tests of the interface
}
COMPOSE = """\
services:
  web:
    image: nginx:1.27
    ports:
      - "443:443"
    restart: unless-stopped
"""
WORKFLOW = """\
name: deployment
on:
  push:
  pull_request:
jobs:
  deploy-test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker compose up --detach --wait
      - name: idempotence check (a second apply must change nothing)
        run: test -z "$(docker compose up --detach --wait 2>&1 | grep -E 'Recreat|Creat')"
"""

#: a deployment repository whose compose file lints and whose CI tests the deployment
DEPLOYMENT_FILES = {
    "compose.yaml": COMPOSE,
    ".github/workflows/deploy.yml": WORKFLOW,
    "README.md": "# Deployment of the test service\n\n`docker compose up --detach`\n",
}


def onboard(exe: str, cache: Path, *args: str) -> dict[str, Any]:
    """Run `sqaaas onboard ... --format json` as a user would and parse its report."""
    result = subprocess.run(
        [exe, "onboard", *args, "--allow-private", "--format", "json", "--quiet"],
        env={**os.environ, "SQAAAS_CACHE_DIR": str(cache), "COLUMNS": "120"},
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {
        sid: sub["outcome"]
        for criterion in report["criteria"].values()
        for sid, sub in criterion["subcriteria"].items()
    }


def subcriterion(report: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(
        c["subcriteria"][sid] for c in report["criteria"].values() if sid in c["subcriteria"]
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onboard-acceptance")


@pytest.fixture(scope="module")
def deployment_repo(workspace: Path) -> Path:
    return make_repo(workspace / "deployment", DEPLOYMENT_FILES)


@pytest.fixture(scope="module")
def reports(sqaaas_exe: str, workspace: Path, deployment_repo: Path,
            good_service: RunningService, bad_service: RunningService) -> dict[str, Any]:
    good_profile = write_profile(workspace / "good.yaml", complete_profile(good_service))
    bad_profile = write_profile(workspace / "bad.yaml", complete_profile(bad_service))
    return {
        "good": onboard(sqaaas_exe, workspace / "cache-good", good_service.url,
                        "--profile", str(good_profile), "--deployment-repo", str(deployment_repo),
                        "--ca-file", str(good_service.ca_file)),
        "bad": onboard(sqaaas_exe, workspace / "cache-bad", bad_service.url,
                       "--profile", str(bad_profile), "--deployment-repo", str(deployment_repo)),
    }


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_good_service_reaches_at_least_silver(reports: dict[str, Any]) -> None:
    good = reports["good"]
    assert good["baseline"]["id"] == "service"
    assert good["badge"]["level"] in ("silver", "gold"), good["badge"]
    for criterion in ("SvcQC.Dep", "SvcQC.Doc", "SvcQC.Fun", "SvcQC.Sec", "SvcQC.Api"):
        assert good["criteria"][criterion]["valid"], criterion


def test_bad_service_fails_sec01_with_url_and_header_evidence(
    reports: dict[str, Any], bad_service: RunningService
) -> None:
    bad = reports["bad"]
    assert not bad["criteria"]["SvcQC.Sec"]["valid"]
    sec01 = subcriterion(bad, "SvcQC.Sec01")
    assert sec01["outcome"] == "fail"
    evidence = sec01["evidence"]
    plain = next(e for e in evidence if "over plain HTTP" in e["message"])
    assert plain["path"] == bad_service.url
    leak = next(e for e in evidence if e["value"] == "Server")
    assert leak["excerpt"] == f"Server: {BAD_SERVER}"
    assert any(e["value"] == "X-Content-Type-Options" for e in evidence)
    sec02 = subcriterion(bad, "SvcQC.Sec02")
    open_door = next(e for e in sec02["evidence"] if e["value"] == 200)
    assert open_door["path"] == bad_service.link("/admin")


def test_bad_service_fails_api01_with_status_and_schema_path(
    reports: dict[str, Any], bad_service: RunningService
) -> None:
    bad = reports["bad"]
    assert not bad["criteria"]["SvcQC.Api"]["valid"]
    api01 = subcriterion(bad, "SvcQC.Api01")
    assert api01["outcome"] == "fail"
    document = bad_service.link("/openapi.json")
    schema = next(e for e in api01["evidence"] if e["path"] == document + COUNT_SCHEMA)
    assert schema["value"] == '"three"'
    assert f"GET {bad_service.link('/items')}" in schema["message"]
    server_error = next(e for e in api01["evidence"] if e["value"] == 500)
    assert server_error["path"] == document + "#/paths/~1broken/get/responses"
    assert api01["hint"]


def test_reports_differ_on_exactly_the_expected_subcriteria(reports: dict[str, Any]) -> None:
    good, bad = outcomes(reports["good"]), outcomes(reports["bad"])
    assert good.keys() == bad.keys()
    differing = {sid for sid in good if good[sid] != bad[sid]}
    assert differing == EXPECTED_DIFFERENCES
    assert all(good[sid] == "pass" and bad[sid] == "fail" for sid in differing)


def test_profile_without_privacy_policy_names_the_field(
    sqaaas_exe: str, workspace: Path, good_service: RunningService
) -> None:
    profile = complete_profile(good_service, privacy_policy=None)
    assert "privacy_policy" not in profile
    path = write_profile(workspace / "no-privacy.yaml", profile)
    report = onboard(sqaaas_exe, workspace / "cache-privacy", good_service.url,
                     "--profile", str(path), "--ca-file", str(good_service.ca_file),
                     "--criteria", "SvcQC.Pol", "--criteria", "SvcQC.Doc")
    privacy = subcriterion(report, "SvcQC.Pol01.3")
    assert privacy["outcome"] == "fail"
    assert any("privacy_policy" in e["message"] or e["value"] == "privacy_policy"
               for e in privacy["evidence"]), privacy["evidence"]
    assert not report["criteria"]["SvcQC.Pol"]["valid"]
    completeness = subcriterion(report, "SvcQC.Doc01")
    assert any("privacy_policy" in json.dumps(e) for e in completeness["evidence"])


def test_the_good_service_gets_a_signed_service_badge(
    reports: dict[str, Any], sqaaas_exe: str, workspace: Path, good_service: RunningService
) -> None:
    report = workspace / "good-report.json"
    report.write_text(json.dumps(reports["good"]), encoding="utf-8")
    keys, badge = workspace / "keys", workspace / "service.svg"
    run = functools.partial(
        subprocess.run, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert run([sqaaas_exe, "keys", "generate", "--dir", str(keys)]).returncode == 0
    issued = run([
        sqaaas_exe, "badge", "issue", str(report), "--key", str(keys),
        "--issuer", "https://issuer.example", "--out", str(badge), "--format", "json",
    ])
    assert issued.returncode == 0, issued.stderr
    summary = json.loads(issued.stdout)
    assert summary["scheme"] == "service"
    assert summary["level"] == reports["good"]["badge"]["level"]
    assert summary["repository"] == good_service.url.rstrip("/")
    verified = run([
        sqaaas_exe, "badge", "verify", str(badge),
        "--trust", str(Path(summary["publish_dir"]) / "issuer.jwks.json"),
        "--report", str(report),
    ])
    assert verified.returncode == 0, verified.stdout + verified.stderr
