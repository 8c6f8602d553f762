"""`sqaaas onboard` as users run it: the installed command against real loopback services,
with a real profile file and a real deployment repository."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.service_servers import (  # noqa: F401  (fixtures)
    METRICS,
    TOKEN,
    Reply,
    RunningService,
    Site,
    complete_profile,
    good_service_fixture,
    good_site,
    service_factory_fixture,
    test_pki_fixture,
    write_profile,
)
from tests.test_onboard_ops import COMPOSE, role_with_molecule

Factory = Callable[..., RunningService]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def onboard(sqaaas_exe: str, tmp_path: Path) -> Run:
    """Run the installed `sqaaas onboard`, optionally with extra environment variables."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "SQAAAS_CACHE_DIR": str(tmp_path / "cache"),
            "COLUMNS": "120",
            **(env or {}),
        }
        return subprocess.run(
            [sqaaas_exe, "onboard", *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )

    return run


@pytest.fixture
def deployment_repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory({"compose.yaml": COMPOSE, **role_with_molecule()})


def good_args(service: RunningService, tmp_path: Path, **profile: Any) -> list[str]:
    path = write_profile(tmp_path / "profile.yml", complete_profile(service, **profile))
    return [
        service.url,
        "--profile",
        str(path),
        "--ca-file",
        str(service.ca_file),
        "--allow-private",
    ]


def criterion_of(sub_id: str) -> str:
    head, _, rest = sub_id.partition(".")
    return f"{head}.{rest[:3]}"


def sub(report: dict[str, Any], sub_id: str) -> dict[str, Any]:
    return report["criteria"][criterion_of(sub_id)]["subcriteria"][sub_id]


def test_json_report_written_to_a_file(
    onboard: Run, good_service: RunningService, deployment_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    done = onboard(
        *good_args(good_service, tmp_path),
        "--deployment-repo",
        str(deployment_repo),
        "--format",
        "json",
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "requests only to 127.0.0.1" in done.stderr
    assert f"report written to {out}" in done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["baseline"]["id"] == "service"
    assert report["repository"]["url"] == good_service.url
    assert report["repository"]["commit"]
    assert report["badge"]["scheme"] == "service"
    assert report["criteria"]["SvcQC.Dep"]["valid"] is True
    assert sub(report, "SvcQC.Dep03.1")["outcome"] == "pass"
    assert sub(report, "SvcQC.Pol01.3")["outcome"] == "pass"
    assert report["config_source"].endswith("profile.yml")


def test_missing_privacy_policy_is_named_in_the_report(
    onboard: Run, good_service: RunningService, tmp_path: Path
) -> None:
    done = onboard(
        *good_args(good_service, tmp_path, privacy_policy=None),
        "--format",
        "json",
        "--criteria",
        "SvcQC.Pol",
        "--criteria",
        "SvcQC.Doc",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    report = json.loads(done.stdout)
    assert list(report["criteria"]) == ["SvcQC.Doc", "SvcQC.Pol"]
    privacy = sub(report, "SvcQC.Pol01.3")
    assert privacy["outcome"] == "fail"
    assert "privacy_policy" in privacy["evidence"][0]["message"]
    assert "privacy_policy" in privacy["hint"]
    missing = [e["value"] for e in sub(report, "SvcQC.Doc01")["evidence"]]
    assert "privacy_policy" in missing


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_other_formats(
    onboard: Run, good_service: RunningService, tmp_path: Path, fmt: str
) -> None:
    done = onboard(
        *good_args(good_service, tmp_path), "--format", fmt, "--quiet", "--criteria", "SvcQC.Pol"
    )
    assert done.returncode == 0, done.stderr
    assert "SvcQC.Pol01.3" in done.stdout
    if fmt == "sarif":
        assert json.loads(done.stdout)["runs"]


def test_profile_hosts_are_allowed_and_pid_resolvers_are_not(
    onboard: Run, good_service: RunningService, tmp_path: Path
) -> None:
    port = good_service.url.rsplit(":", 1)[1]
    args = good_args(
        good_service,
        tmp_path,
        privacy_policy=f"https://localhost:{port}/privacy",
        documentation_pid="https://doi.org/10.5281/zenodo.1234567",
    )
    done = onboard(*args, "--format", "json", "--criteria", "SvcQC.Pol", "--criteria", "SvcQC.Doc")
    assert done.returncode == 0, done.stderr
    assert "requests only to 127.0.0.1, localhost\n" in done.stderr
    report = json.loads(done.stdout)
    assert sub(report, "SvcQC.Pol01.3")["outcome"] == "pass"
    assert (
        "doi.org, a host onboarding does not contact"
        in (sub(report, "SvcQC.Doc02")["evidence"][0]["message"])
    )


def test_private_addresses_are_refused_unless_allowed(
    onboard: Run, service_factory: Factory, tmp_path: Path
) -> None:
    """A loopback service is one error line (not a report of refusals) unless allowed."""
    site = good_site()
    service = service_factory(site)
    profile = write_profile(tmp_path / "p.yml", complete_profile(service))
    done = onboard(
        service.url,
        "--profile",
        str(profile),
        "--format",
        "json",
        "--criteria",
        "SvcQC.Pol",
        "--criteria",
        "SvcQC.Mon",
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"sqaaas: error: {service.url}: 127.0.0.1 resolves to 127.0.0.1, a loopback/private "
        "address; pass --allow-private to onboard a test deployment on a trusted network"
    )
    assert site.requests == []  # nothing reached the service
    allowed = onboard(
        service.url,
        "--profile",
        str(profile),
        "--allow-private",
        "--quiet",
        "--format",
        "json",
        "--criteria",
        "SvcQC.Pol",
    )
    assert sub(json.loads(allowed.stdout), "SvcQC.Pol01.3")["outcome"] == "pass"
    assert site.requests


def test_credentials_come_from_the_environment_only(onboard: Run, service_factory: Factory) -> None:
    def metrics(handler: Any) -> Reply:
        if handler.headers.get("Authorization") != TOKEN:
            return Reply(401, b"", "text/plain")
        return Reply(200, METRICS.encode(), "text/plain; version=0.0.4")

    site = Site({"/metrics": metrics})
    service = service_factory(site)
    done = onboard(
        service.url,
        "--allow-private",
        "--auth-header-env",
        "SVC_TOKEN",
        "--format",
        "json",
        "--criteria",
        "SvcQC.Met",
        env={"SVC_TOKEN": TOKEN},
    )
    assert done.returncode == 0, done.stderr
    assert sub(json.loads(done.stdout), "SvcQC.Met01")["outcome"] == "pass"
    assert TOKEN not in done.stdout + done.stderr
    assert [a for _m, _p, a in site.requests] == [None, TOKEN]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["ftp://svc.example"], {}, "give the service's http(s) URL"),
        (["https://user:pw@svc.example"], {}, "credentials in the URL are not accepted"),
        (["https://svc.example", "--profile", "{tmp}/missing.yml"], {}, "no such file"),
        (["https://svc.example", "--profile", "{tmp}/bad.yml"], {}, "field 'trl'"),
        (["https://svc.example", "--openapi", "openapi.json"], {}, "--openapi: 'openapi.json'"),
        (["https://svc.example", "--ca-file", "{tmp}/bad.yml"], {}, "--ca-file"),
        (["https://svc.example", "--auth-header-env", "NO_SUCH_VAR_X"], {}, "is not set"),
        (
            ["https://svc.example", "--auth-header-env", "BAD_HDR"],
            {"BAD_HDR": "a\nb"},
            "not a usable header value",
        ),
        (["https://svc.example", "--criteria", "SvcQC.Nope"], {}, "unknown criterion"),
        (["https://svc.example", "--deployment-repo", "{tmp}/nowhere"], {}, "no such directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    onboard: Run, tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    (tmp_path / "bad.yml").write_text(yaml.safe_dump({"name": "S", "trl": 12}), encoding="utf-8")
    done = onboard(*[a.format(tmp=tmp_path) for a in args], "--quiet", env=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sqaaas: error: ")
    assert message in lines[0]
    assert done.stdout == ""
