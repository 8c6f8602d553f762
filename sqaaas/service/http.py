"""The only way onboarding probes talk to a service: bounded, host-restricted HTTP.

Onboarding points sqaaas at someone's live service, so every request is accounted for: only
hosts the user named (the service, its OpenAPI URL, the links of its resource profile), a
fixed request budget and time cap, no redirect to any other host, no address that resolves
to loopback or private ranges unless allowed, and credentials only when the user gave them.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from sqaaas import __version__
from sqaaas.errors import SqaaasError
from sqaaas.netaddr import UnresolvableHost, non_global_address

MAX_BODY = 5_000_000
USER_AGENT = f"sqaaas-onboard/{__version__} (+https://github.com/sqaaas)"


class RequestRefused(SqaaasError):
    """A request the onboarding rules forbid (other host, private address, budget spent)."""


@dataclass(frozen=True)
class Fetched:
    """One response as probes see it: what was asked, what came back, how long it took."""

    url: str
    method: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float
    error: str | None = None
    redirects: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _isolated_session() -> requests.Session:
    """A session that ignores ~/.netrc and proxy variables: no credentials the user did not
    give, and no detour through a proxy, ever reach the service."""
    session = requests.Session()
    session.trust_env = False
    return session


@dataclass
class BoundedClient:
    """HTTP for probes: allowed hosts, request budget, deadline, TLS trust, optional token."""

    allowed_hosts: set[str]
    allow_private: bool = False
    ca_file: str | None = None
    budget: int = 300
    deadline_s: float = 120.0
    timeout_s: float = 10.0
    auth_header: str | None = None  # sent only when the user gave credentials
    _spent: int = field(default=0, repr=False)
    _started: float = field(default_factory=time.monotonic, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _checked: dict[str, str | None] = field(default_factory=dict, repr=False)
    _session: requests.Session = field(default_factory=_isolated_session, repr=False)

    @property
    def verify(self) -> str | bool:
        return self.ca_file or True

    def charge(self) -> None:
        """Count one network exchange (a request, or a TLS handshake) against the bounds."""
        with self._lock:
            if self._spent >= self.budget:
                raise RequestRefused(f"request budget of {self.budget} spent")
            if time.monotonic() - self._started > self.deadline_s:
                raise RequestRefused(f"time cap of {self.deadline_s:.0f} s reached")
            self._spent += 1

    def check_host(self, url: str) -> None:
        """Refuse URLs off the allowed hosts, non-http(s) schemes and private addresses."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise RequestRefused(f"not an http(s) URL: {url}")
        if host not in self.allowed_hosts:
            raise RequestRefused(f"{host} is not one of the hosts named for this onboarding")
        with self._lock:
            known = self._checked.get(host, "")
        if known == "":
            known = None if self.allow_private else _private_address(host)
            with self._lock:
                self._checked[host] = known
        if known:
            raise RequestRefused(
                f"{host} resolves to {known}, a non-public address (allow with --allow-private)"
            )

    @property
    def spent(self) -> int:
        return self._spent

    def request(
        self,
        method: str,
        url: str,
        *,
        with_auth: bool = False,
        follow_redirects: bool = True,
        max_redirects: int = 5,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """Send one request (plus same-host-rule redirects); network errors become Fetched."""
        sent_headers = {"User-Agent": USER_AGENT, "Accept": "*/*", **(headers or {})}
        if with_auth and self.auth_header:
            sent_headers["Authorization"] = self.auth_header
        redirects: list[str] = []
        started = time.monotonic()
        current = url
        while True:
            self.check_host(current)
            self.charge()
            try:
                with self._session.request(
                    method,
                    current,
                    headers=sent_headers,
                    timeout=self.timeout_s,
                    allow_redirects=False,
                    verify=self.verify,
                    stream=True,
                ) as response:
                    body = response.raw.read(MAX_BODY + 1, decode_content=True) or b""
                    status = response.status_code
                    got = {k.lower(): v for k, v in response.headers.items()}
            except requests.RequestException as exc:
                return Fetched(
                    current, method, None, {}, b"", _ms(started), _describe(exc), tuple(redirects)
                )
            location = got.get("location")
            if follow_redirects and location and status in (301, 302, 303, 307, 308):
                if len(redirects) >= max_redirects:
                    return Fetched(
                        current, method, status, got, body[:MAX_BODY], _ms(started),
                        f"more than {max_redirects} redirects", tuple(redirects),
                    )
                redirects.append(current)
                current = urljoin(current, location)
                continue
            return Fetched(
                current, method, status, got, body[:MAX_BODY], _ms(started), None, tuple(redirects)
            )

    def get(self, url: str, **kwargs: object) -> Fetched:
        return self.request("GET", url, **kwargs)  # type: ignore[arg-type]


def _private_address(host: str) -> str | None:
    try:
        return non_global_address(host)
    except UnresolvableHost:
        return None  # the request itself reports the resolution failure


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _innermost(exc: BaseException) -> str:
    """The root cause's text, without urllib3's "HTTPSConnectionPool(...): Max retries"."""
    text = str(exc)
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if reason is not None:
        text = str(reason)
    text = re.sub(r"^<[^>]+>:\s*", "", text)
    return text[:300]


def _describe(exc: requests.RequestException) -> str:
    """A one-line reason for a failed request (TLS, refused, timeout...)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {_innermost(exc)}"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"connection failed: {_innermost(exc)}"
    return f"{type(exc).__name__}: {str(exc)[:300]}"
