"""SvcQC.Sec01: the browser-facing security headers of the service's landing page.

nosniff, framing protection (CSP frame-ancestors or X-Frame-Options), a Referrer-Policy,
no software version in Server/X-Powered-By, and cookies marked Secure, HttpOnly and SameSite.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.landing import landing, where
from sqaaas.net.http import Fetched

VERSION = re.compile(r"\d+\.\d+")
#: a new cookie starts after a comma with "name=" (Expires dates contain commas too)
COOKIE_SPLIT = re.compile(r",\s*(?=[^;,=\s]+=)")
COOKIE_FLAGS = ("secure", "httponly", "samesite")


@probe("svc.headers.security")
def security_headers(ctx: ServiceContext) -> Finding:
    """Each expected header present, no version leak, every cookie flagged."""
    page = ctx.fact(landing)
    if page.status is None:
        return Finding.error(f"landing page not fetched: {page.error}", path=where(page))
    checks = [
        _expect(page, "X-Content-Type-Options", lambda v: v.strip().lower() == "nosniff",
                "Send X-Content-Type-Options: nosniff."),
        _framing(page),
        _expect(page, "Referrer-Policy", lambda v: "unsafe-url" not in v.lower(),
                "Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer)."),
        _no_version(page, "Server", "nginx: server_tokens off; Apache: ServerTokens Prod"),
        _no_version(page, "X-Powered-By", "drop the header, e.g. PHP: expose_php = Off"),
        *_cookies(page),
    ]
    # a header that is right backs no failure: only the wrong ones state it (SARIF)
    evidence = [e.model_copy(update={"failing": not ok}) for ok, e, _ in checks]
    hints = [hint for ok, _, hint in checks if not ok and hint]
    if hints:
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=" ".join(hints))
    return Finding(outcome=Outcome.PASS, evidence=evidence)


Check = tuple[bool, Evidence, str | None]


def _line(name: str, value: str) -> str:
    return f"{name}: {value}"


def _expect(page: Fetched, label: str, good: Callable[[str], bool], hint: str) -> Check:
    """A header that must be present with an acceptable value."""
    value = page.header(label)
    if value is not None and good(value):
        return True, Evidence(
            message=f"{label}: {value}", path=page.url, excerpt=_line(label, value)
        ), None
    return False, Evidence(
        message=f"{label} is " + (f"'{value}'" if value is not None else "missing"),
        path=page.url, value=label,
    ), hint


def _framing(page: Fetched) -> Check:
    csp = page.header("content-security-policy")
    frame = page.header("x-frame-options")
    if csp and "frame-ancestors" in csp.lower():
        return True, Evidence(
            message="framing restricted by Content-Security-Policy frame-ancestors",
            path=page.url, excerpt=_line("Content-Security-Policy", csp),
        ), None
    if frame and frame.strip().upper() in ("DENY", "SAMEORIGIN"):
        return True, Evidence(
            message=f"framing restricted by X-Frame-Options {frame.strip().upper()}",
            path=page.url, excerpt=_line("X-Frame-Options", frame),
        ), None
    return False, Evidence(
        message="no framing protection: neither Content-Security-Policy frame-ancestors nor "
        "X-Frame-Options DENY/SAMEORIGIN",
        path=page.url, value="Content-Security-Policy",
    ), "Send Content-Security-Policy: frame-ancestors 'self' (or X-Frame-Options: DENY)."


def _no_version(page: Fetched, label: str, how: str) -> Check:
    value = page.header(label)
    if value and VERSION.search(value):
        return False, Evidence(
            message=f"{label} reveals a software version", path=page.url,
            value=label, excerpt=_line(label, value),
        ), f"Remove the version from {label} ({how})."
    shown = f"'{value}' names no version" if value else "not sent"
    return True, Evidence(message=f"{label} {shown}", path=page.url), None


def _cookies(page: Fetched) -> list[Check]:
    header = page.header("set-cookie")
    if not header:
        return []
    checks: list[Check] = []
    for cookie in COOKIE_SPLIT.split(header):
        name = cookie.split("=", 1)[0].strip()
        attributes = {part.split("=", 1)[0].strip().lower() for part in cookie.split(";")[1:]}
        missing = [flag for flag in COOKIE_FLAGS if flag not in attributes]
        names = {"secure": "Secure", "httponly": "HttpOnly", "samesite": "SameSite"}
        if missing:
            flags = ", ".join(names[f] for f in missing)
            checks.append((False, Evidence(
                message=f"cookie '{name}' lacks {flags}", path=page.url,
                value="Set-Cookie", excerpt=_line("Set-Cookie", cookie.strip()),
            ), f"Set cookies with Secure; HttpOnly; SameSite=Lax (cookie '{name}' lacks {flags})."))
        else:
            checks.append((True, Evidence(
                message=f"cookie '{name}' is Secure, HttpOnly and SameSite", path=page.url,
            ), None))
    return checks
