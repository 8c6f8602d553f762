"""The only way onboarding probes talk to a service: bounded, host-restricted HTTP.

Onboarding points sqaaas at someone's live service, so every request is accounted for: only
hosts the user named (the service, its OpenAPI URL, the links of its resource profile), a
fixed request budget and time cap, no redirect to any other host, no address that resolves
to loopback or private ranges unless allowed (checked in the DNS answer each connection
uses: sqaaas.net.transport), and credentials only when the user gave them.

Time is bounded by the wall clock, not only by socket timeouts (which a server trickling a
byte at a time resets forever): a request, its redirects and its whole body included, ends
within its budget, and none outlasts the run's time cap. A response still arriving then is
cut, and the Fetched says so in ``error``: probes report it as their evidence.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from sqaaas import __version__
from sqaaas.errors import SqaaasError
from sqaaas.net.addresses import UnresolvableHost, non_global_address
from sqaaas.net.transport import checked_session, exchange, open_socket
from sqaaas.net.urlhost import AmbiguousURL, url_host
from sqaaas.net.watchdog import Watchdog

MAX_BODY = 5_000_000
_CHUNK = 65536
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


@dataclass(frozen=True)
class _Answer:
    """What one exchange brought back (status None: no usable answer, ``error`` says why)."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str | None = None


@dataclass
class BoundedClient:
    """HTTP for probes: allowed hosts, request budget, time cap, per-request budget, TLS
    trust, optional token. ``deadline_s`` is the run's time cap, ``response_budget_s`` the
    wall-clock time one request (redirects and body included) may take, ``timeout_s`` the
    longest wait for a connection or for the next bytes."""

    allowed_hosts: set[str]
    allow_private: bool = False
    ca_file: str | None = None
    budget: int = 300
    deadline_s: float = 120.0
    timeout_s: float = 10.0
    response_budget_s: float = 20.0
    max_body: int = MAX_BODY
    auth_header: str | None = None  # sent only when the user gave credentials
    user_agent: str = USER_AGENT
    _spent: int = field(default=0, repr=False)
    _started: float = field(default_factory=time.monotonic, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _checked: dict[str, str | None] = field(default_factory=dict, repr=False)
    _session: requests.Session = field(default_factory=checked_session, repr=False)

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
        """Refuse URLs off the allowed hosts, non-http(s) schemes, hosts parsers could read
        differently, and private addresses."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RequestRefused(f"not an http(s) URL: {url}")
        try:
            host = url_host(url)
        except AmbiguousURL as exc:
            raise RequestRefused(f"refused URL {url!r}: {exc}") from None
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

    def _deadline(self, check_deadline: float | None) -> tuple[float, str]:
        """When an exchange starting now must end, and which bound that is."""
        bounds = [
            (time.monotonic() + self.response_budget_s,
             f"the per-request budget of {self.response_budget_s:g} s"),
            (self._started + self.deadline_s, f"the run's time cap of {self.deadline_s:g} s"),
        ]
        if check_deadline is not None:
            bounds.append((check_deadline, "the check's time cap"))
        return min(bounds)

    def _timeout(self, deadline: float) -> float:
        return max(0.05, min(self.timeout_s, deadline - time.monotonic()))

    @contextmanager
    def connection(self, host: str, port: int) -> Iterator[socket.socket]:
        """A TCP connection for a TLS handshake, under the client's address rule and cut at
        the per-request budget (charge() it first: it counts as one request)."""
        deadline, _ = self._deadline(None)
        with exchange(deadline, allow_private=self.allow_private):
            sock = open_socket(host, port, self._timeout(deadline))
            with sock:
                yield sock

    def request(
        self,
        method: str,
        url: str,
        *,
        with_auth: bool = False,
        follow_redirects: bool = True,
        max_redirects: int = 5,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> Fetched:
        """Send one request (plus same-host-rule redirects); network errors become Fetched.

        The whole of it ends within the per-request budget, the run's time cap and
        ``deadline`` (a ``time.monotonic()`` value: a check's own time cap), whichever
        comes first: a response still arriving then is cut (``error`` says so).
        """
        sent_headers = {"User-Agent": self.user_agent, "Accept": "*/*", **(headers or {})}
        if with_auth and self.auth_header:
            sent_headers["Authorization"] = self.auth_header
        redirects: list[str] = []
        started = time.monotonic()
        ends, bound = self._deadline(deadline)
        current = url
        while True:
            self.check_host(current)
            self.charge()
            answer = self._exchange(method, current, sent_headers, ends, bound)
            status, got, body = answer.status, answer.headers, answer.body
            if answer.error is not None:
                return Fetched(
                    current, method, status, got, body, _ms(started), answer.error,
                    tuple(redirects),
                )
            location = got.get("location")
            if follow_redirects and location and status in (301, 302, 303, 307, 308):
                if len(redirects) >= max_redirects:
                    return Fetched(
                        current, method, status, got, body, _ms(started),
                        f"more than {max_redirects} redirects", tuple(redirects),
                    )
                redirects.append(current)
                current = urljoin(current, location)
                continue
            return Fetched(current, method, status, got, body, _ms(started), None, tuple(redirects))

    def _exchange(
        self, method: str, url: str, headers: dict[str, str], deadline: float, bound: str
    ) -> _Answer:
        """One request and its response, cut at ``deadline`` (``bound`` names it)."""
        timeout = self._timeout(deadline)
        with exchange(deadline, allow_private=self.allow_private) as watchdog:
            try:
                with self._session.request(
                    method,
                    url,
                    headers=headers,
                    timeout=(timeout, timeout),
                    allow_redirects=False,
                    verify=self.verify,
                    stream=True,
                ) as response:
                    if watchdog.fired:  # the headers were still arriving: EOF ended them
                        return _Answer(None, {}, b"", _cut(watchdog, bound, None, 0))
                    status = response.status_code
                    got = {k.lower(): v for k, v in response.headers.items()}
                    body, broken = _read_body(response.raw, self.max_body)
            except requests.RequestException as exc:
                if watchdog.fired:
                    return _Answer(None, {}, b"", _cut(watchdog, bound, None, 0))
                return _Answer(None, {}, b"", _describe(exc))
        if watchdog.fired:
            return _Answer(None, got, body, _cut(watchdog, bound, status, len(body)))
        if broken is not None:
            return _Answer(None, got, body, f"HTTP {status}, but the body broke off: {broken}")
        return _Answer(status, got, body)

    def get(self, url: str, **kwargs: object) -> Fetched:
        return self.request("GET", url, **kwargs)  # type: ignore[arg-type]


def _read_body(raw: urllib3.BaseHTTPResponse, limit: int) -> tuple[bytes, str | None]:
    """Up to ``limit`` bytes of the (decoded) body, read as they come, so that what arrived
    before a cut is kept; and what broke the body off, if anything did."""
    body = bytearray()
    try:
        while len(body) < limit:
            chunk = raw.read1(min(_CHUNK, limit - len(body)), decode_content=True)
            if not chunk:
                break
            body += chunk
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return bytes(body), _innermost(exc)
    return bytes(body), None


def _cut(watchdog: Watchdog, bound: str, status: int | None, received: int) -> str:
    """The evidence line of an exchange the watchdog cut."""
    took = f"{watchdog.deadline - watchdog.started:.1f} s"
    if status is None:
        return f"no complete answer within {took}: cut when {bound} ran out"
    return (
        f"HTTP {status}, but the response was still arriving after {took}: body cut after "
        f"{received} bytes when {bound} ran out"
    )


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
