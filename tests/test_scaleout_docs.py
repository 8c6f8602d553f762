"""docs/scale-out.md's compose file is accepted by the compose-spec schema that
check-jsonschema vendors (the real consumer's schema), and runs what the page says."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.pipeline_support import schema_validator

DOC = Path(__file__).parent.parent / "docs" / "scale-out.md"


def compose_text() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A compose file", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found, "no compose file in docs/scale-out.md"
    return found.group(1)


def errors(data: object) -> list[str]:
    return [error.message for error in schema_validator("compose-spec.json").iter_errors(data)]


def test_the_compose_file_is_valid_compose() -> None:
    data = yaml.safe_load(compose_text())
    assert errors(data) == []
    services = data["services"]
    assert {"web", "worker", "redis", "postgres", "migrate"} <= set(services)
    assert services["worker"]["command"][:2] == ["sqaaas", "worker"]
    assert services["web"]["command"][:2] == ["sqaaas", "serve"]
    assert services["migrate"]["command"] == ["sqaaas", "db", "upgrade"]
    shared = data["x-sqaaas"]["environment"]
    assert shared["SQAAAS_BROKER_URL"].startswith("redis://")
    assert shared["SQAAAS_DATABASE_URL"].startswith("postgresql://")
    assert "--appendonly" in services["redis"]["command"]  # queued jobs survive a restart


def test_the_schema_catches_a_broken_compose_file() -> None:
    data = yaml.safe_load(compose_text())
    data["services"]["worker"]["depends_on"]["migrate"]["condition"] = "when_it_feels_like_it"
    data["services"]["web"]["ports"] = {"8080": "8080"}
    assert len(errors(data)) >= 2
