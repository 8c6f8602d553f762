"""SvcQC.Sec01/01.1/04.1 against real loopback services: HTTPS only, TLS versions, weak
ciphers, certificate trust, and the security headers."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.core import registry
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.service.context import ServiceContext
from sqaaas.net.http import BoundedClient
from tests.service_servers import (  # noqa: F401  (fixtures)
    BAD_POWERED_BY,
    BAD_SERVER,
    GOOD_HEADERS,
    HOST,
    RunningService,
    bad_service_fixture,
    good_service_fixture,
    good_site,
    good_tls_context,
    local_openssl_speaks,
    make_pki,
    service_context,
    service_factory_fixture,
    test_pki_fixture,
    weak_tls_service_fixture,
)

UNTESTED = "could not be tested here"


def run(name: str, ctx: ServiceContext) -> Finding:
    return registry.get(name)(ctx)


def messages(finding: Finding) -> str:
    return "\n".join(e.message for e in finding.evidence)


def evidence_with(finding: Finding, text: str) -> Evidence:
    return next(e for e in finding.evidence if text in e.message)


# ---------------------------------------------------------------- https only + HSTS


def test_https_only_passes_on_tls_service_with_hsts(good_service: RunningService) -> None:
    finding = run("svc.tls.https_only", service_context(good_service.url,
                                                        ca_file=good_service.ca_file))
    assert finding.outcome is Outcome.PASS, messages(finding)
    hsts = evidence_with(finding, "HSTS set")
    assert hsts.value == 31536000
    assert hsts.excerpt == "Strict-Transport-Security: max-age=31536000; includeSubDomains"
    assert hsts.path.startswith(good_service.url)
    plain = evidence_with(finding, "plain HTTP")
    assert plain.path.startswith("http://127.0.0.1:")  # same port, plain: nothing served


def test_https_only_passes_when_plain_http_redirects(good_service: RunningService) -> None:
    ctx = service_context(good_service.http_url, ca_file=good_service.ca_file)
    finding = run("svc.tls.https_only", ctx)
    assert finding.outcome is Outcome.PASS, messages(finding)
    redirect = evidence_with(finding, "plain HTTP redirects to https://")
    assert redirect.path == f"{good_service.http_url} -> {good_service.url}/"


def test_https_only_fails_on_plain_http_service(bad_service: RunningService) -> None:
    finding = run("svc.tls.https_only", service_context(bad_service.url))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].path == bad_service.url
    assert "answered HTTP 200 over plain HTTP" in finding.evidence[0].message
    assert "redirect plain HTTP" in (finding.hint or "")


def test_https_only_fails_without_hsts(service_factory: Callable[..., RunningService],
                                       tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    headers = tuple(h for h in GOOD_HEADERS if h[0] != "Strict-Transport-Security")
    service = service_factory(good_site(headers), good_tls_context(pki), pki)
    finding = run("svc.tls.https_only", service_context(service.url, ca_file=service.ca_file))
    assert finding.outcome is Outcome.FAIL
    missing = evidence_with(finding, "no Strict-Transport-Security header")
    assert missing.value == "Strict-Transport-Security"
    assert missing.path == service.url
    assert "max-age=31536000" in (finding.hint or "")


# ---------------------------------------------------------------- protocol versions


def test_protocols_pass_when_old_versions_are_refused(good_service: RunningService) -> None:
    finding = run("svc.tls.protocols", service_context(good_service.url,
                                                       ca_file=good_service.ca_file))
    assert finding.outcome is Outcome.PASS, messages(finding)
    by_label = {e.message.split(":")[0]: e for e in finding.evidence}
    assert by_label["TLS 1.3"].value == "accepted"
    assert by_label["TLS 1.2"].value == "accepted"
    for old in ("TLS 1.0", "TLS 1.1"):
        if local_openssl_speaks(_version(old)):
            assert by_label[old].value == "refused", by_label[old].message
            assert "PROTOCOL_VERSION" in by_label[old].message
        else:
            assert by_label[old].value == UNTESTED
    # SSL 3.0 is gone from OpenSSL 3: said so, not counted as refused
    assert by_label["SSL 3.0"].value in (UNTESTED, "refused")
    assert by_label["SSL 3.0"].path == good_service.url + "/"


def test_protocols_fail_when_tls10_is_accepted(weak_tls_service: RunningService) -> None:
    if not local_openssl_speaks(ssl.TLSVersion.TLSv1):
        pytest.skip("the local OpenSSL cannot offer TLS 1.0, so no server here can accept it")
    finding = run("svc.tls.protocols", service_context(weak_tls_service.url,
                                                       ca_file=weak_tls_service.ca_file))
    assert finding.outcome is Outcome.FAIL
    tls10 = evidence_with(finding, "TLS 1.0:")
    assert tls10.value == "accepted"
    assert "negotiated TLSv1 " in tls10.message
    assert "Disable TLS 1.0" in (finding.hint or "")


def test_tls_probes_fail_without_tls(bad_service: RunningService) -> None:
    ctx = service_context(bad_service.url)
    for name in ("svc.tls.protocols", "svc.tls.ciphers", "svc.tls.trusted_chain"):
        finding = run(name, ctx)
        assert finding.outcome is Outcome.FAIL, name
        assert finding.evidence[0].path == bad_service.url
        assert "no TLS to examine" in finding.evidence[0].message


# ---------------------------------------------------------------- cipher families


def test_ciphers_pass_and_say_what_could_not_be_tested(good_service: RunningService) -> None:
    finding = run("svc.tls.ciphers", service_context(good_service.url,
                                                     ca_file=good_service.ca_file))
    assert finding.outcome is Outcome.PASS, messages(finding)
    states = {e.message.split(" on TLS 1.2")[0]: e.value for e in finding.evidence[1:]}
    assert "accepted" not in states.values()
    assert states["CBC with SHA-1 MAC"] == "refused"
    assert states["NULL (no encryption)"] == "refused"
    for family in ("EXPORT", "RC4", "3DES", "single DES"):
        # OpenSSL 3 has none of these: reported as untested, never as refused
        assert states[family] in (UNTESTED, "refused")
        if states[family] == UNTESTED:
            assert "cannot offer it" in evidence_with(finding, family).message
    assert "negotiated by a default client: TLSv1.3" in finding.evidence[0].message


def test_ciphers_fail_when_weak_families_are_accepted(weak_tls_service: RunningService) -> None:
    finding = run("svc.tls.ciphers", service_context(weak_tls_service.url,
                                                     ca_file=weak_tls_service.ca_file))
    assert finding.outcome is Outcome.FAIL
    cbc = evidence_with(finding, "CBC with SHA-1 MAC")
    assert cbc.value == "accepted"
    assert "-SHA" in cbc.message
    assert cbc.path == weak_tls_service.url + "/"
    assert "disable" in (finding.hint or "") and "CBC with SHA-1 MAC" in (finding.hint or "")


# ---------------------------------------------------------------- certificate trust


def test_trusted_chain_passes_with_the_ca_file(good_service: RunningService) -> None:
    finding = run("svc.tls.trusted_chain", service_context(good_service.url,
                                                           ca_file=good_service.ca_file))
    assert finding.outcome is Outcome.PASS, messages(finding)
    assert f"verified against the CA file {good_service.ca_file}" in finding.evidence[0].message
    cert = finding.evidence[1]
    assert set(cert.value) == {HOST, "localhost"}
    assert "issued by CN=sqaaas test CA" in cert.message


def test_trusted_chain_fails_against_the_system_store(good_service: RunningService) -> None:
    finding = run("svc.tls.trusted_chain", service_context(good_service.url))
    assert finding.outcome is Outcome.FAIL
    assert "certificate not trusted: unable to get local issuer certificate" in (
        finding.evidence[0].message
    )
    assert finding.evidence[0].path == good_service.url + "/"
    assert "--ca-file" in (finding.hint or "")


def test_trusted_chain_fails_for_an_expired_certificate(
    service_factory: Callable[..., RunningService], tmp_path: Path
) -> None:
    pki = make_pki(tmp_path, expired=True)
    service = service_factory(good_site(), good_tls_context(pki), pki)
    finding = run("svc.tls.trusted_chain", service_context(service.url, ca_file=service.ca_file))
    assert finding.outcome is Outcome.FAIL
    assert "certificate has expired" in finding.evidence[0].message
    assert "days left" in finding.evidence[1].message  # read from the unverified handshake


def test_trusted_chain_fails_for_another_host_name(
    service_factory: Callable[..., RunningService], tmp_path: Path
) -> None:
    pki = make_pki(tmp_path, names=("other.example",))
    service = service_factory(good_site(), good_tls_context(pki), pki)
    finding = run("svc.tls.trusted_chain", service_context(service.url, ca_file=service.ca_file))
    assert finding.outcome is Outcome.FAIL
    assert "mismatch" in finding.evidence[0].message.lower()
    assert finding.evidence[1].value == ["other.example"]


def test_tls_facts_respect_the_private_address_rule(good_service: RunningService) -> None:
    """Without --allow-private, a loopback service is not even handshaken with."""
    client = BoundedClient(allowed_hosts={HOST}, allow_private=False)
    ctx = ServiceContext(target=good_service.url, http=client)
    finding = run("svc.tls.protocols", ctx)
    assert finding.outcome is Outcome.FAIL
    assert "non-public address" in finding.evidence[0].message
    assert client.spent == 0


# ---------------------------------------------------------------- security headers


def test_security_headers_pass(good_service: RunningService) -> None:
    finding = run("svc.headers.security", service_context(good_service.url,
                                                          ca_file=good_service.ca_file))
    assert finding.outcome is Outcome.PASS, messages(finding)
    excerpts = {e.excerpt for e in finding.evidence if e.excerpt}
    assert "X-Content-Type-Options: nosniff" in excerpts
    assert "Referrer-Policy: no-referrer" in excerpts
    assert "cookie 'session' is Secure, HttpOnly and SameSite" in messages(finding)


def test_security_headers_fail_on_bad_service(bad_service: RunningService) -> None:
    finding = run("svc.headers.security", service_context(bad_service.url))
    assert finding.outcome is Outcome.FAIL
    by_value = {e.value: e for e in finding.evidence if e.value}
    assert by_value["X-Content-Type-Options"].path == bad_service.url
    assert by_value["Server"].excerpt == f"Server: {BAD_SERVER}"
    assert by_value["X-Powered-By"].excerpt == f"X-Powered-By: {BAD_POWERED_BY}"
    assert "lacks Secure, HttpOnly, SameSite" in by_value["Set-Cookie"].message
    assert "Content-Security-Policy" in by_value
    assert "Referrer-Policy" in by_value
    assert "server_tokens off" in (finding.hint or "")


def _version(label: str) -> ssl.TLSVersion:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return {"TLS 1.0": ssl.TLSVersion.TLSv1, "TLS 1.1": ssl.TLSVersion.TLSv1_1}[label]
