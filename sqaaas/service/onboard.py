"""``sqaaas onboard``: assess a live service against the service baseline (SvcQC.*).

The same engine as ``sqaaas assess`` (probes run concurrently, criteria and badge levels from
criteria/), with a ServiceContext instead of a repository, so the report has the same JSON
contract: ``baseline.id`` is "service" and ``repository.url`` is the service's URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqaaas import __version__
from sqaaas.config import RepoConfig
from sqaaas.criteria import Catalogue, default_catalogue
from sqaaas.engine import ProbeProgress, evaluate, run_probes, select_criteria
from sqaaas.errors import SqaaasError
from sqaaas.report.model import BaselineInfo, Report, RepositoryInfo
from sqaaas.scoring import badge
from sqaaas.service.context import ServiceContext
from sqaaas.urlhost import AmbiguousURL, url_host

SERVICE_BASELINE = "service"


class OnboardError(SqaaasError):
    """The onboarding request itself is unusable (bad URL, unreadable profile...)."""


def check_target(url: str) -> str:
    """The service's base URL, normalised; OnboardError when it is not an http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OnboardError(f"'{url}': give the service's http(s) URL, e.g. https://service.example")
    if parts.username or parts.password:
        raise OnboardError("credentials in the URL are not accepted (see --auth-header-env)")
    if parts.query or parts.fragment:
        raise OnboardError(f"'{url}': give the base URL without query or fragment")
    try:
        url_host(url)
    except AmbiguousURL as exc:
        raise OnboardError(f"refused URL {url!r}: {exc}") from None
    return url.rstrip("/")


def run_onboarding(
    ctx: ServiceContext,
    *,
    criteria: Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
    progress: ProbeProgress | None = None,
) -> Report:
    """Run the service baseline's probes on ``ctx`` and build the report."""
    started = time.monotonic()
    catalogue = catalogue or default_catalogue()
    selected = select_criteria(catalogue, [SERVICE_BASELINE], criteria)
    needed = {p for c in selected for s in c.subcriteria for p in s.probes}
    findings = run_probes(ctx, needed, progress)
    results = evaluate(selected, findings, RepoConfig())
    scheme_name, scheme = next(
        (name, s) for name, s in catalogue.badges.items() if s.baseline == SERVICE_BASELINE
    )
    info = catalogue.baselines[SERVICE_BASELINE]
    repo = ctx.repo
    return Report(
        tool={"name": "sqaaas", "version": __version__},
        baseline=BaselineInfo(id=info.id, title=info.title, url=info.url, version=info.version),
        repository=RepositoryInfo(
            url=ctx.target,
            commit=repo.checkout.commit if repo else None,
            branch=repo.checkout.branch if repo else None,
            path=str(repo.checkout.root) if repo else "",
        ),
        config_source=ctx.profile_source,
        criteria=results,
        badge=badge(scheme_name, scheme, results),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
    )


