"""SvcQC.Sec01/01.1/04.1: the service is reached only over TLS that a careful client trusts.

HTTPS served, plain HTTP redirected or closed and HSTS set; only TLS >= 1.2; no weak cipher
family accepted; a certificate chain valid for the host name. What the local OpenSSL cannot
offer is reported as not tested, and a probe never passes on untested items alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.landing import landing, where
from sqaaas.facts.service.tls import Attempt, Endpoint, State, TlsFacts, must_refuse, tls_facts
from sqaaas.net.http import Fetched, RequestRefused

HSTS_HINT = (
    "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every HTTPS "
    "response (at least six months is the usual minimum)."
)


@probe("svc.tls.https_only")
def https_only(ctx: ServiceContext) -> Finding:
    """HTTPS is served, plain HTTP only redirects to it (or is closed), and HSTS is set."""
    facts = ctx.fact(tls_facts)
    if facts.endpoint is None or facts.problem:
        return Finding.failed(
            f"no HTTPS endpoint: {facts.problem}",
            hint="Serve the service over HTTPS and redirect plain HTTP to it (301/308).",
            path=ctx.target,
        )
    evidence: list[Evidence] = []
    failures: list[str] = []
    unobserved = False
    plain_ok, plain_evidence = _plain_http(ctx, facts.endpoint)
    evidence.append(plain_evidence)
    if not plain_ok:
        failures.append("Redirect plain HTTP to https (301 or 308), or close the HTTP port.")
    page = ctx.fact(landing)
    if page.status is None or urlsplit(page.url).scheme != "https":
        unobserved = True
        evidence.append(
            Evidence(
                message=f"HSTS not observable: no HTTPS response ({page.error or 'plain HTTP'})",
                path=where(page),
            )
        )
    else:
        hsts_ok, hsts_evidence = _hsts(page)
        evidence.append(hsts_evidence)
        if not hsts_ok:
            failures.append(HSTS_HINT)
    if failures:
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=" ".join(failures))
    return Finding(outcome=Outcome.ERROR if unobserved else Outcome.PASS, evidence=evidence)


@probe("svc.tls.protocols")
def protocols(ctx: ServiceContext) -> Finding:
    """TLS 1.2 or 1.3 is accepted; SSL 3.0, TLS 1.0 and 1.1 are refused where testable."""
    facts = ctx.fact(tls_facts)
    if blocked := _no_tls(ctx, facts):
        return blocked
    evidence = [_attempt_evidence(facts.endpoint, a) for a in facts.protocols]
    old = [a for a in facts.protocols if must_refuse(a.label)]
    old_accepted = [a.label for a in old if _is(a, State.ACCEPTED)]
    modern = [a.label for a in facts.protocols if a not in old and _is(a, State.ACCEPTED)]
    if not modern and not old_accepted:
        hint = "Enable TLS 1.2 and TLS 1.3 on the server."
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)
    return _verdict(
        evidence,
        accepted=old_accepted,
        tested=any(_is(a, State.REFUSED) for a in old),
        hint=f"Disable {', '.join(old_accepted)} on the server: allow TLS 1.2 and 1.3 only "
        "(e.g. nginx ssl_protocols TLSv1.2 TLSv1.3;).",
        untested="no outdated protocol version could be tested from here",
    )


@probe("svc.tls.ciphers")
def ciphers(ctx: ServiceContext) -> Finding:
    """No weak cipher family (NULL, EXPORT, DES, RC4, 3DES, anonymous, CBC-SHA1) is accepted."""
    facts = ctx.fact(tls_facts)
    if blocked := _no_tls(ctx, facts):
        return blocked
    evidence = [
        Evidence(
            message=f"negotiated by a default client: {facts.negotiated or 'nothing'}",
            path=facts.endpoint.url,
        ),
        *(_attempt_evidence(facts.endpoint, a) for a in facts.weak_ciphers),
    ]
    accepted = [a.label for a in facts.weak_ciphers if _is(a, State.ACCEPTED)]
    return _verdict(
        evidence,
        accepted=accepted,
        tested=any(_is(a, State.REFUSED) for a in facts.weak_ciphers),
        hint="Offer only AEAD suites with forward secrecy, e.g. ECDHE+AESGCM:ECDHE+CHACHA20 "
        f"(Mozilla 'intermediate' profile); disable {', '.join(accepted)}.",
        untested="no weak cipher family could be tested from here",
    )


@probe("svc.tls.trusted_chain")
def trusted_chain(ctx: ServiceContext) -> Finding:
    """The certificate chain validates to a trusted CA for the host name and has not expired."""
    facts = ctx.fact(tls_facts)
    if blocked := _no_tls(ctx, facts):
        return blocked
    evidence = [Evidence(message=facts.trust_detail, path=facts.endpoint.url)]
    cert = facts.certificate
    if cert:
        evidence.append(
            Evidence(
                message=f"certificate for {', '.join(cert.names) or cert.subject}, issued by "
                f"{cert.issuer}, valid until {cert.not_after} ({cert.days_left} days left)",
                path=facts.endpoint.url,
                value=list(cert.names),
            )
        )
    if not facts.trusted:
        source = f"--ca-file {ctx.ca_file}" if ctx.ca_file else "the system trust store"
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint=f"Serve a certificate for {facts.endpoint.host} with its full chain, issued by "
            f"a CA in {source} (e.g. Let's Encrypt); give --ca-file for a private CA.",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


def _no_tls(ctx: ServiceContext, facts: TlsFacts) -> Finding | None:
    if facts.endpoint is None or facts.problem:
        return Finding.failed(
            f"no TLS to examine: {facts.problem}",
            hint="Serve the service over HTTPS (TLS 1.2/1.3 with a trusted certificate).",
            path=facts.endpoint.url if facts.endpoint else ctx.target,
        )
    return None


def _verdict(
    evidence: list[Evidence], *, accepted: list[str], tested: bool, hint: str, untested: str
) -> Finding:
    """Fail on anything weak accepted; pass only when something was really tried and refused
    (items the local OpenSSL cannot offer are evidence, never a pass)."""
    if accepted:
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)
    if not tested:
        return Finding(outcome=Outcome.ERROR, evidence=[*evidence, Evidence(message=untested)])
    return Finding(outcome=Outcome.PASS, evidence=evidence)


def _is(attempt: Attempt, state: State) -> bool:
    return attempt.state is state


def _attempt_evidence(endpoint: Endpoint | None, attempt: Attempt) -> Evidence:
    return Evidence(
        message=f"{attempt.label}: {attempt.state.value} ({attempt.detail})",
        path=endpoint.url if endpoint else None,
        value=attempt.state.value,
    )


def _plain_url(endpoint: Endpoint) -> str:
    """http:// on port 80 for a service on 443; on the same port for one on another port."""
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    return f"http://{host}/" if endpoint.port == 443 else f"http://{host}:{endpoint.port}/"


def _plain_http(ctx: ServiceContext, endpoint: Endpoint) -> tuple[bool, Evidence]:
    """Plain HTTP must not serve content: redirect to https, refuse, or answer an error."""
    if not ctx.https:
        page = ctx.fact(landing)
        return True, Evidence(
            message=f"plain HTTP redirects to {page.url}",
            path=where(page),
            value=ctx.target,
        )
    url = _plain_url(endpoint)
    try:
        answer = ctx.http.get(url, follow_redirects=False)
    except RequestRefused as exc:
        return True, Evidence(message=f"plain HTTP not checked: {exc}", path=url)
    return _judge_plain(answer)


def _judge_plain(answer: Fetched) -> tuple[bool, Evidence]:
    if answer.status is None:
        return True, Evidence(
            message=f"plain HTTP gets no HTTP answer: closed ({answer.error})", path=answer.url
        )
    location = answer.header("location") or ""
    if 300 <= answer.status < 400:
        secure = location.lower().startswith("https://")
        verdict = "redirects to https" if secure else "redirects without https"
        return secure, Evidence(
            message=f"plain HTTP answers {answer.status} and {verdict}: Location: {location}",
            path=answer.url,
            value=answer.status,
            excerpt=f"Location: {location}",
        )
    if answer.status >= 400:
        return True, Evidence(
            message=f"plain HTTP answers {answer.status}: no content served in clear",
            path=answer.url,
            value=answer.status,
        )
    return False, Evidence(
        message=f"plain HTTP serves content (HTTP {answer.status}) without redirecting to https",
        path=answer.url,
        value=answer.status,
    )


def _hsts(page: Fetched) -> tuple[bool, Evidence]:
    header = page.header("strict-transport-security")
    if header is None:
        return False, Evidence(
            message="no Strict-Transport-Security header on the HTTPS response",
            path=page.url,
            value="Strict-Transport-Security",
        )
    max_age = _max_age(header)
    if max_age is None or max_age <= 0:
        return False, Evidence(
            message="Strict-Transport-Security without a positive max-age",
            path=page.url,
            excerpt=f"Strict-Transport-Security: {header}",
        )
    return True, Evidence(
        message=f"HSTS set for {max_age} s",
        path=page.url,
        value=max_age,
        excerpt=f"Strict-Transport-Security: {header}",
    )


def _max_age(header: str) -> int | None:
    for directive in header.split(";"):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            try:
                return int(value.strip().strip('"'))
            except ValueError:
                return None
    return None
