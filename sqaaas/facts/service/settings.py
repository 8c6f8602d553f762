"""The onboarding checks' bounds and thresholds (criteria/onboarding.yml), validated once.

Kept as data so that what decides a verdict (the latency threshold, the health paths
tried) can be read and changed without touching the probes.
"""

from __future__ import annotations

from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileSettings(_Strict):
    max_bytes: int = Field(ge=1024, le=10_000_000)


class RequestSettings(_Strict):
    """The bounded client's limits: per run (count, time cap) and per request."""

    max_per_run: int = Field(ge=1, le=10_000)
    time_cap_s: float = Field(gt=0, le=3600)
    response_budget_s: float = Field(gt=0, le=600)
    timeout_s: float = Field(gt=0, le=600)
    max_body_bytes: int = Field(ge=1024, le=100_000_000)


class HealthSettings(_Strict):
    paths: tuple[str, ...] = Field(min_length=1, max_length=10)
    failing_status: tuple[str, ...]


class MetricsSettings(_Strict):
    paths: tuple[str, ...] = Field(min_length=1, max_length=5)
    shown_families: int = Field(ge=1, le=100)


class LatencySettings(_Strict):
    p95_max_ms: float = Field(gt=0)
    min_samples: int = Field(ge=1)


class DocLicenceSettings(_Strict):
    content_prefixes: tuple[str, ...] = Field(min_length=1)


class OnboardingSettings(_Strict):
    profile: ProfileSettings
    requests: RequestSettings
    health: HealthSettings
    metrics: MetricsSettings
    latency: LatencySettings
    documentation_licence: DocLicenceSettings


@cache
def onboarding_settings() -> OnboardingSettings:
    """criteria/onboarding.yml, validated (a broken file fails loudly, naming the entry)."""
    path = data_path("criteria") / "onboarding.yml"
    try:
        settings = OnboardingSettings.model_validate(load_yaml(path))
    except (OSError, yaml.YAMLError) as exc:
        raise CriteriaDataError(f"{path}: cannot read onboarding settings: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CriteriaDataError(f"{path}: entry {where}: {first['msg']}") from exc
    for endpoint in (*settings.health.paths, *settings.metrics.paths):
        if not endpoint.startswith("/"):
            raise CriteriaDataError(f"{path}: '{endpoint}' must be a path starting with /")
    return settings
