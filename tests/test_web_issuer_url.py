"""The service's issuer URL may change (another port, a new --public-url) without stopping
the service or the badges it issued before: the keys stay, the former issuer's files are
kept in issuer-previous/ beside the publish folder, and the operator is told once."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sqaaas.web.app import create_app
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import BadgeRecord
from tests.badge_support import report_for
from tests.web_support import (
    RunningServer,
    free_port,
    servers_fixture,  # noqa: F401  (fixture)
    start_server,
)

RunCli = Callable[..., subprocess.CompletedProcess[str]]
CHANGED = "badge issuer changed from"
OLD = "https://old.example/sqaaas"
NEW = "https://new.example/quality"


def issuer_id(server: RunningServer) -> str:
    return str(requests.get(server.url("/issuer/issuer.json"), timeout=30).json()["id"])


def test_serve_starts_on_another_port_with_the_same_data_dir(
    tmp_path: Path, servers: list[RunningServer]
) -> None:
    data = tmp_path / "data"
    first, second = free_port(), free_port()
    servers.append(start_server(data, port=first))
    assert issuer_id(servers[0]) == f"http://127.0.0.1:{first}/issuer/issuer.json"
    servers[0].stop()

    servers.append(start_server(data, port=second))  # raises if it does not answer /healthz
    assert issuer_id(servers[1]) == f"http://127.0.0.1:{second}/issuer/issuer.json"
    former = data / "issuer-previous" / f"http-127.0.0.1-{first}-issuer"
    profile = json.loads((former / "issuer.json").read_text())
    assert profile["id"] == f"http://127.0.0.1:{first}/issuer/issuer.json"
    log = servers[1].log.read_text()
    assert log.count(CHANGED) == 1 and str(former) in log
    [line] = [line for line in log.splitlines() if CHANGED in line]
    assert line.startswith("WARNING:")  # the service's log format, as uvicorn's lines
    servers[1].stop()

    servers.append(start_server(data, port=second))  # the same URL again: nothing to tell
    assert servers[2].log.read_text().count(CHANGED) == 1
    assert "Traceback" not in servers[2].log.read_text()


def app_at(data: Path, public_url: str) -> FastAPI:
    return create_app(WebSettings(data_dir=data, public_url=public_url), start_workers=False)


def badge_from(app: FastAPI) -> BadgeRecord:
    """A gold badge signed by ``app``'s service for a finished assessment."""
    service = app.state.operations
    job, _ = service.store.submit("https://github.com/example-org/example.git", None, None, 10)
    service.store.claim()
    report = report_for("gold")
    report_json = json.dumps(report)
    service.store.finish(job.id, report_json, report["repository"]["commit"], "gold")
    record = service.issue_badge(job, report_json)
    assert record is not None
    return record


def verify(run_cli: RunCli, badge: Path, data: Path, issuer: str, revocations: Path) -> str:
    done = run_cli(
        "badge",
        "verify",
        str(badge),
        "--trust",
        str(data / "issuer" / "issuer.jwks.json"),
        "--issuer",
        issuer,
        "--revocations",
        str(revocations),
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_a_new_public_url_keeps_former_badges_verifiable(
    tmp_path: Path, run_cli: RunCli, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    old_app = app_at(data, OLD)
    old_badge = badge_from(old_app)
    badge_file = tmp_path / "old.svg"
    badge_file.write_bytes(old_app.state.operations.badge_image(old_badge.id))
    old_app.state.operations.store.close()

    with caplog.at_level(logging.INFO, logger="sqaaas.web"):
        app = app_at(data, NEW)
        app.state.operations.store.close()
        app = app_at(data, NEW)  # a second start at the same URL says nothing
    told = [r.getMessage() for r in caplog.records if CHANGED in r.getMessage()]
    former = data / "issuer-previous" / "https-old.example-sqaaas-issuer"
    assert told == [
        f"{CHANGED} {OLD}/issuer to {NEW}/issuer: badges issued before name the former and "
        "still verify with the same keys (issuer.jwks.json); its files are kept in "
        f"{former}, to publish at its URL if badge holders fetch them there"
    ]

    # the badge issued before verifies against the served key set and its issuer's list
    old_list = former / "revocations.json"
    out = verify(run_cli, badge_file, data, f"{OLD}/issuer", old_list)
    assert "VALID: gold badge" in out and f"issued by {OLD}/issuer/issuer.json" in out
    # the service still names that badge's own issuer, not the new one
    service = app.state.operations
    credential = TestClient(app).get(
        f"/api/v1/badges/{old_badge.id.removeprefix('urn:uuid:')}/credential"
    )
    assert credential.json()["revocations"] == f"{OLD}/issuer/revocations.json"
    # revoking it lands in the list it names, and verifiers checking that list see it
    assert service.revoke_badge(old_badge.id, "test") is True
    assert "revoked: test" in verify(run_cli, badge_file, data, f"{OLD}/issuer", old_list)
    current = json.loads((data / "issuer" / "revocations.json").read_text())
    assert current["issuer"] == f"{NEW}/issuer/issuer.json"
    assert current["revokedAssertions"] == []

    # badges issued now name the new issuer and verify with the current list
    new_badge = badge_from(app)
    new_file = tmp_path / "new.svg"
    new_file.write_bytes(service.badge_image(new_badge.id))
    out = verify(run_cli, new_file, data, f"{NEW}/issuer", data / "issuer" / "revocations.json")
    assert "VALID: gold badge" in out
    service.store.close()


def test_an_issuer_served_again_gets_its_revocations_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = app_at(data, OLD)
    badge = badge_from(app)
    assert app.state.operations.revoke_badge(badge.id, None)
    app.state.operations.store.close()
    app_at(data, NEW).state.operations.store.close()
    app = app_at(data, OLD)  # back at the first URL
    revoked = json.loads((data / "issuer" / "revocations.json").read_text())
    assert [e["id"] for e in revoked["revokedAssertions"]] == [badge.id]
    assert revoked["issuer"] == f"{OLD}/issuer/issuer.json"
    previous = sorted(p.name for p in (data / "issuer-previous").iterdir())
    assert previous == ["https-new.example-quality-issuer"]
    app.state.operations.store.close()
