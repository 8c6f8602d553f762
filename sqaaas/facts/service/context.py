"""What service probes share: the target, the bounded HTTP client, the resource profile,
the OpenAPI document's URL, the deployment repository and memoised facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqaaas.context import FactCache, RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.net.http import BoundedClient


@dataclass
class ServiceContext(FactCache):
    """One onboarding run. ``repo`` is the deployment repository when one was given."""

    target: str
    http: BoundedClient
    profile: dict[str, Any] | None = None
    profile_source: str | None = None
    profile_problems: list[Evidence] = field(default_factory=list)
    openapi_url: str | None = None
    repo: RepoContext | None = None
    ca_file: str | None = None
    latency_requests: int = 20
    latency_cap_s: float = 10.0
    notify: Callable[[str], None] = field(default=lambda message: None, repr=False)

    @property
    def host(self) -> str:
        return (urlsplit(self.target).hostname or "").lower()

    @property
    def https(self) -> bool:
        return urlsplit(self.target).scheme == "https"

    def url(self, path: str) -> str:
        """An absolute URL on the target for ``path`` (e.g. /healthz)."""
        return self.target.rstrip("/") + "/" + path.lstrip("/")
