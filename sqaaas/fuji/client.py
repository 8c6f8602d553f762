"""An HTTP client for F-UJI's ``POST /evaluate``, with limits and one-line errors.

Retries are for transient trouble only: a refused or dropped connection, a connect timeout,
and HTTP 502/503/504 (a proxy or a restarting server). At most ``retries`` (2) more attempts,
waiting ``backoff`` seconds doubled each time. Not retried:
- 4xx: the request or the credentials are wrong and stay wrong;
- HTTP 500: F-UJI crashes deterministically on the same input (its software metric set
  always gives 500 in 3.5.1), so a retry would only triple the wait;
- a read timeout: F-UJI evaluates one request at a time, so a retry would queue behind the
  evaluation it abandoned and take longer still.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.auth import AuthBase

from sqaaas import __version__
from sqaaas.errors import FujiError
from sqaaas.fuji.results import FujiResults, clean, parse_results
from sqaaas.fuji.settings import FujiSettings, credentials_hint
from sqaaas.safeparse import Limits, ParseError, load_json

#: An answer's size is capped while it is read (FujiSettings.max_bytes); nesting, values and
#: integers are bounded here, as for any document sqaaas does not control.
_ANSWER_LIMITS = Limits(max_bytes=1 << 40, max_nodes=5_000_000)

Say = Callable[[str], None]
RETRY_STATUS = frozenset({502, 503, 504})
HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
_SUFFIXED_SET = re.compile(r"^metrics_v[0-9]+\.[0-9]+_[A-Za-z]+")
_ERRNO = re.compile(r"\[Errno -?[0-9]+\] ([^'\")]+)")
_SSL = re.compile(r"\[SSL: [A-Z0-9_]+\] ([^'\"(]+)")


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def _problem(body: bytes) -> str:
    """``title: detail`` of a problem+json body (connexion's errors), else a short excerpt."""
    try:
        data = load_json(body, source="F-UJI's answer", limits=_ANSWER_LIMITS)
    except ParseError:
        return clean(body.decode("utf-8", "replace"), 120) if body.strip() else ""
    if not isinstance(data, dict):
        return ""
    parts = [clean(data[k]) for k in ("title", "detail") if isinstance(data.get(k), str)]
    return ": ".join(p for p in parts if p)


def _reason(exc: requests.RequestException) -> str:
    """The useful end of a requests/urllib3 exception chain (e.g. 'Connection refused')."""
    if found := _ERRNO.search(str(exc)) or _SSL.search(str(exc)):
        return clean(found.group(1), 120)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    return type(exc).__name__


class FujiClient:
    """Talks to one F-UJI server; every failure is a FujiError with a one-line message."""

    def __init__(
        self,
        settings: FujiSettings,
        say: Say | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.say = say or _quiet
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"sqaaas/{__version__}"

    def evaluate(
        self,
        identifier: str,
        metric_set: str,
        *,
        use_github: bool = False,
        use_datacite: bool = False,
        test_debug: bool = True,
    ) -> FujiResults:
        """Ask F-UJI to assess ``identifier`` with ``metric_set``; its results, validated."""
        body = {
            "object_identifier": identifier,
            "test_debug": test_debug,
            "metric_version": metric_set,
            "use_datacite": use_datacite,
            "use_github": use_github,
        }
        if self.settings.cleartext_credentials:
            self.say("warning: the F-UJI password crosses the network unencrypted: use https")
        self.say(f"F-UJI: evaluating {identifier} with {metric_set} (may take minutes)")
        status, data = self._post("/evaluate", body)
        if status != 200:
            raise self._http_error(status, data, metric_set)
        try:
            decoded = load_json(data, source="F-UJI's answer", limits=_ANSWER_LIMITS)
        except ParseError as exc:
            problem = exc.problem
            raise FujiError(f"F-UJI answered HTTP 200 with malformed JSON ({problem})") from None
        return parse_results(decoded)

    def server_version(self) -> str | None:
        """F-UJI's version from its OpenAPI document (no auth needed), None when unknown."""
        try:
            with self.session.get(
                f"{self.settings.base_url}/openapi.json",
                headers={"Accept": "application/json"},
                timeout=(self.settings.connect_timeout, 10),
                stream=True,
            ) as response:
                if response.status_code != 200:
                    return None
                data = load_json(
                    self._read(response, time.monotonic() + 10), source="F-UJI's OpenAPI",
                    limits=_ANSWER_LIMITS,
                )
        except (requests.RequestException, FujiError, ParseError):
            return None
        version = data.get("info", {}).get("version") if isinstance(data, dict) else None
        return clean(version, 40) if isinstance(version, str) and version else None

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        url = f"{self.settings.base_url}{path}"
        attempts = 1 + max(0, self.settings.retries)
        problem = ""
        for attempt in range(1, attempts + 1):
            try:
                return self._send(url, body)
            except requests.exceptions.ReadTimeout:
                raise FujiError(
                    f"F-UJI at {self.settings.base_url} did not answer within "
                    f"{self.settings.read_timeout:g} s (raise it with --fuji-timeout)"
                ) from None
            except requests.exceptions.SSLError as exc:  # a certificate problem stays one
                raise FujiError(
                    f"TLS with F-UJI at {self.settings.base_url} failed: {_reason(exc)}"
                ) from None
            except requests.exceptions.ConnectionError as exc:
                problem = f"cannot reach F-UJI at {self.settings.base_url}: {_reason(exc)}"
            except _Transient as exc:
                problem = f"F-UJI at {self.settings.base_url} is unavailable (HTTP {exc.status})"
            except requests.RequestException as exc:
                raise FujiError(f"request to F-UJI at {url} failed: {_reason(exc)}") from None
            if attempt < attempts:
                delay = self.settings.backoff * 2 ** (attempt - 1)
                self.say(f"F-UJI: {problem}; retry {attempt}/{attempts - 1} in {delay:g} s")
                self.sleep(delay)
        raise FujiError(f"{problem} (gave up after {attempts} attempts)")

    def _send(self, url: str, body: dict[str, Any]) -> tuple[int, bytes]:
        started = time.monotonic()
        with self.session.post(
            url,
            data=json.dumps(body).encode("utf-8"),
            headers=HEADERS,
            auth=self.settings.auth or _NO_AUTH,
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            if response.status_code in RETRY_STATUS:
                raise _Transient(response.status_code)
            return response.status_code, self._read(
                response, started + self.settings.connect_timeout + self.settings.read_timeout
            )

    def _read(self, response: requests.Response, deadline: float) -> bytes:
        """The body, refused beyond ``max_bytes`` or when it trickles in past ``deadline``."""
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FujiError(f"F-UJI's answer is larger than {limit} bytes ({declared})")
        data = bytearray()
        try:
            for chunk in response.iter_content(65536):
                data.extend(chunk)
                if len(data) > limit:
                    raise FujiError(f"F-UJI's answer is larger than {limit} bytes")
                if time.monotonic() > deadline:
                    raise FujiError("F-UJI's answer is still arriving after the timeout")
        except requests.RequestException as exc:
            raise FujiError(f"F-UJI's answer was cut off: {_reason(exc)}") from None
        return bytes(data)

    def _http_error(self, status: int, body: bytes, metric_set: str) -> FujiError:
        base = self.settings.base_url
        detail = _problem(body)
        said = f" ({detail})" if detail else ""
        if status == 401:
            return FujiError(
                f"F-UJI at {base} refused the request (HTTP 401){said}: "
                f"{credentials_hint(self.settings)}"
            )
        if status == 404:
            return FujiError(
                f"F-UJI at {base}: /evaluate not found (HTTP 404): check --fuji-url, which "
                "ends in the API version, e.g. http://HOST:1071/fuji/api/v1"
            )
        if status == 400:
            return FujiError(f"F-UJI rejected the request (HTTP 400): {detail or 'no detail'}")
        if status == 415:
            return FujiError(f"F-UJI refused the request's content type (HTTP 415){said}")
        if status == 500 and _SUFFIXED_SET.match(metric_set):
            version = self.server_version() or "(unknown version)"
            return FujiError(
                f"F-UJI {version} fails on the software metric set {metric_set} (HTTP 500; known "
                "F-UJI bug: suffix version parsing) — offline indicators still apply"
            )
        if 300 <= status < 400:
            return FujiError(
                f"F-UJI at {base} answered with a redirect (HTTP {status}): check --fuji-url "
                "(http or https, the path up to /fuji/api/v1)"
            )
        kind = "failed" if status >= 500 else "refused the request"
        return FujiError(f"F-UJI at {base} {kind} (HTTP {status}){said}")


class _NoAuth(AuthBase):
    """Sends no credentials; passed instead of None so requests does not read ~/.netrc."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_AUTH = _NoAuth()


class _Transient(Exception):
    """An HTTP status worth retrying (502/503/504)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
