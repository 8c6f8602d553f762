"""Onboard a live service: the one entry point of ``sqaaas onboard`` and the web service's
onboarding jobs. The same engine as ``sqaaas assess`` (probes run concurrently, criteria and
badge levels from criteria/), with a ServiceContext instead of a repository, so the report has
the same JSON contract: ``baseline.id`` is "service" and ``repository.url`` is the service's URL.

``build_context`` turns a request (URL, profile, OpenAPI URL, deployment repo...) into a
context. This is where the safety rules are set up: the BoundedClient may contact only the
service's host, the OpenAPI document's host and the hosts the resource profile names (the user
named them all), never a private address unless allowed, and sends credentials only when the
user gave them through the environment. Bad input fails here with one clear line.
"""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import sqaaas.probes.service  # noqa: F401  (importing registers the probes this subject runs)
from sqaaas.acquire import ProgressCallback, acquire
from sqaaas.config import RepoConfig
from sqaaas.context import make_context
from sqaaas.core.catalogue import Catalogue, default_catalogue
from sqaaas.core.engine import ProbeProgress, build_report, evaluate, run_probes, select_criteria
from sqaaas.core.model import Report, RepositoryInfo
from sqaaas.errors import SqaaasError
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.profile import LoadedProfile, declared_hosts, load_profile
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.net.addresses import UnresolvableHost, non_global_address
from sqaaas.net.http import BoundedClient
from sqaaas.net.urlhost import AmbiguousURL, url_host

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


_HEADER_MAX = 8192


def check_openapi_url(url: str, option: str | None = "--openapi") -> str:
    """An http(s) URL without credentials (the target's rules; a query string is fine).

    The error names ``option`` (the command-line option or form field it came from) first.
    """
    url = url.strip()
    try:
        check_target(urlsplit(url)._replace(query="", fragment="").geturl())
    except OnboardError as exc:
        raise OnboardError(f"{option}: {exc}" if option else str(exc)) from None
    return url


def read_auth_header(variable: str) -> str:
    """The Authorization header value from environment variable ``variable`` (never argv)."""
    value = os.environ.get(variable, "")
    if not value.strip():
        raise OnboardError(f"--auth-header-env {variable}: that environment variable is not set")
    if any(ch in value for ch in "\r\n\0") or len(value) > _HEADER_MAX:
        raise OnboardError(
            f"--auth-header-env {variable}: not a usable header value "
            "(line breaks, NUL or longer than 8 KiB)"
        )
    return value.strip()


def check_ca_file(path: str | Path) -> str:
    """A readable PEM bundle of CA certificates; OnboardError otherwise."""
    path = Path(path)
    if not path.is_file():
        raise OnboardError(f"--ca-file {path}: no such file")
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise OnboardError(f"--ca-file {path}: not a PEM file of CA certificates ({exc})") from None
    return str(path)


def allowed_hosts(target: str, openapi_url: str | None, profile: LoadedProfile | None) -> set[str]:
    hosts = {(urlsplit(target).hostname or "").lower()}
    if openapi_url:
        hosts.add((urlsplit(openapi_url).hostname or "").lower())
    if profile is not None:
        hosts |= declared_hosts(profile.data, target)
    return {h for h in hosts if h}


def check_public(url: str, option: str) -> None:
    """OnboardError when the host of a URL the user named resolves to a non-public address.

    Every request there would be refused, so the report would only list refusals: one line
    now says what to do instead. A host that does not resolve is left to the probes, whose
    findings say so.
    """
    host = urlsplit(url).hostname or ""
    try:
        address = non_global_address(host)
    except UnresolvableHost:
        return
    if address:
        raise OnboardError(
            f"{option}{url}: {host} resolves to {address}, a loopback/private address; "
            "pass --allow-private to onboard a test deployment on a trusted network"
        )


def build_context(
    url: str,
    *,
    profile: LoadedProfile | str | Path | None = None,
    openapi_url: str | None = None,
    deployment_repo: str | None = None,
    ca_file: str | Path | None = None,
    allow_private: bool = False,
    auth_header: str | None = None,
    clone_progress: ProgressCallback | None = None,
    notify: Callable[[str], None] | None = None,
    cache_dir: Path | None = None,
    clone_timeout: float = 300.0,
    time_cap_s: float | None = None,
) -> ServiceContext:
    """Validate the inputs, fetch the deployment repository, and set up the bounded client.

    ``cache_dir`` and ``clone_timeout`` are where and how long the deployment repository is
    cloned (the web service's workers set them; the command line uses the defaults).
    ``time_cap_s`` replaces the run's time cap of criteria/onboarding.yml.
    """
    target = check_target(url)
    loaded = load_profile(profile) if isinstance(profile, str | Path) else profile
    openapi = check_openapi_url(openapi_url) if openapi_url else None
    ca = check_ca_file(ca_file) if ca_file else None
    if not allow_private:
        check_public(target, "")
        if openapi:
            check_public(openapi, "--openapi ")
    repo = None
    if deployment_repo:
        checkout = acquire(
            deployment_repo, cache_dir=cache_dir, timeout=clone_timeout, progress=clone_progress
        )
        repo = make_context(checkout, notify=notify)
    limits = onboarding_settings().requests
    client = BoundedClient(
        allowed_hosts=allowed_hosts(target, openapi, loaded),
        allow_private=allow_private,
        ca_file=ca,
        auth_header=auth_header,
        budget=limits.max_per_run,
        deadline_s=time_cap_s or limits.time_cap_s,
        timeout_s=limits.timeout_s,
        response_budget_s=limits.response_budget_s,
        max_body=limits.max_body_bytes,
    )
    ctx = ServiceContext(
        target=target,
        http=client,
        profile=loaded.data if loaded else None,
        profile_source=loaded.source if loaded else None,
        profile_problems=list(loaded.problems) if loaded else [],
        openapi_url=openapi,
        repo=repo,
        ca_file=ca,
    )
    if notify is not None:
        ctx.notify = notify
    return ctx


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
    # the default profile, as for a repository (criteria/badges.yml)
    results = evaluate(selected, findings, RepoConfig(), profile=catalogue.profile())
    repo = ctx.repo
    return build_report(
        catalogue,
        SERVICE_BASELINE,
        results,
        subject=RepositoryInfo(
            url=ctx.target,
            commit=repo.checkout.commit if repo else None,
            branch=repo.checkout.branch if repo else None,
            path=str(repo.checkout.root) if repo else "",
        ),
        started=started,
        config_source=ctx.profile_source,
    )
