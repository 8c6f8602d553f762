"""TLS facts of a service, observed with Python's ssl module (the local OpenSSL).

Which endpoint speaks TLS, whether its certificate chain validates (system store or the given
CA file) for the host name, which protocol versions and weak cipher families it accepts.

Old protocols and weak ciphers are tested by pinning a client to exactly that version or
family at OpenSSL security level 0. A modern OpenSSL may be unable to offer some of them at
all (no EXPORT, RC4 or DES ciphers in OpenSSL 3): that is found out locally, without
contacting the service, by starting a handshake in memory, and reported as "could not be
tested here" — never as refused. The number of connections is fixed (at most
2 + len(PROTOCOLS) + len(WEAK_CIPHER_FAMILIES)), made only once the client's host rules
(allowed hosts, no private address unless allowed) accepted the endpoint.
"""

from __future__ import annotations

import contextlib
import ssl
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from cryptography import x509

from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.landing import landing
from sqaaas.net.http import RequestRefused

with warnings.catch_warnings():  # the old versions are named on purpose: to check they fail
    warnings.simplefilter("ignore", DeprecationWarning)
    #: (label, version, must be refused)
    PROTOCOLS: tuple[tuple[str, ssl.TLSVersion, bool], ...] = (
        ("SSL 3.0", ssl.TLSVersion.SSLv3, True),
        ("TLS 1.0", ssl.TLSVersion.TLSv1, True),
        ("TLS 1.1", ssl.TLSVersion.TLSv1_1, True),
        ("TLS 1.2", ssl.TLSVersion.TLSv1_2, False),
        ("TLS 1.3", ssl.TLSVersion.TLSv1_3, False),
    )

#: (family, OpenSSL cipher string), each tried alone on TLS 1.2
WEAK_CIPHER_FAMILIES: tuple[tuple[str, str], ...] = (
    ("NULL (no encryption)", "eNULL"),
    ("EXPORT", "EXP"),
    ("single DES", "DES:!3DES"),
    ("RC4", "RC4"),
    ("3DES", "3DES"),
    ("anonymous (no server authentication)", "aNULL:!eNULL"),
    ("CBC with SHA-1 MAC", "SHA1:!eNULL:!aNULL:!RC4:!3DES:!DES"),
)


class State(StrEnum):
    """What happened when one protocol version or cipher family was offered."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNTESTABLE = "could not be tested here"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Attempt:
    label: str
    state: State
    detail: str


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}/"


@dataclass(frozen=True)
class EndpointFact:
    """The TLS endpoint of the service, or why there is none."""

    endpoint: Endpoint | None
    reason: str


@dataclass(frozen=True)
class Certificate:
    subject: str
    issuer: str
    not_after: str
    days_left: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class TlsFacts:
    """Everything the TLS probes judge; ``problem`` says why nothing could be observed."""

    endpoint: Endpoint | None
    problem: str | None = None
    negotiated: str | None = None
    trusted: bool = False
    trust_detail: str = ""
    certificate: Certificate | None = None
    protocols: tuple[Attempt, ...] = ()
    weak_ciphers: tuple[Attempt, ...] = ()


def tls_endpoint(ctx: ServiceContext) -> EndpointFact:
    """The https target itself, or where the plain-HTTP target redirects on the same host."""
    parts = urlsplit(ctx.target)
    if ctx.https:
        return EndpointFact(Endpoint(ctx.host, parts.port or 443), f"{ctx.target} is https")
    page = ctx.fact(landing)
    final = urlsplit(page.url)
    if final.scheme == "https" and (final.hostname or "").lower() == ctx.host:
        return EndpointFact(
            Endpoint(ctx.host, final.port or 443), f"{ctx.target} redirects to {page.url}"
        )
    if page.status is None:
        return EndpointFact(None, f"{ctx.target}: {page.error}")
    return EndpointFact(
        None,
        f"{ctx.target} answered HTTP {page.status} over plain HTTP "
        f"(final URL {page.url}) without redirecting to https on {ctx.host}",
    )


def tls_facts(ctx: ServiceContext) -> TlsFacts:
    """Handshake facts of the service's TLS endpoint (memoise with ctx.fact)."""
    found = ctx.fact(tls_endpoint)
    endpoint = found.endpoint
    if endpoint is None:
        return TlsFacts(endpoint=None, problem=found.reason)
    try:
        ctx.http.check_host(endpoint.url)
    except RequestRefused as exc:
        return TlsFacts(endpoint=endpoint, problem=f"not contacted: {exc}")
    try:
        trust_context = _verifying_context(ctx.ca_file)
    except (OSError, ssl.SSLError) as exc:
        return TlsFacts(endpoint=endpoint, problem=f"cannot load CA file {ctx.ca_file}: {exc}")
    connection = _connect(ctx, endpoint, trust_context)
    if isinstance(connection, Attempt) and connection.state is State.UNREACHABLE:
        return TlsFacts(endpoint=endpoint, problem=connection.detail)
    if isinstance(connection, _Session):
        trusted, trust_detail = True, _trust_source(ctx.ca_file)
        session = connection
    else:
        trusted, trust_detail = False, connection.detail
        unverified = _connect(ctx, endpoint, _probing_client(None, "DEFAULT"))
        session = unverified if isinstance(unverified, _Session) else None
    return TlsFacts(
        endpoint=endpoint,
        negotiated=f"{session.version} {session.cipher}" if session else None,
        trusted=trusted,
        trust_detail=trust_detail,
        certificate=_certificate(session.der) if session and session.der else None,
        protocols=tuple(
            _attempt(ctx, endpoint, label, version, "ALL:eNULL")
            for label, version, _ in PROTOCOLS
        ),
        weak_ciphers=tuple(
            _attempt(ctx, endpoint, f"{family} on TLS 1.2", ssl.TLSVersion.TLSv1_2, spec)
            for family, spec in WEAK_CIPHER_FAMILIES
        ),
    )


def must_refuse(label: str) -> bool:
    return next(refuse for name, _, refuse in PROTOCOLS if name == label)


@dataclass(frozen=True)
class _Session:
    version: str
    cipher: str
    der: bytes | None


def _trust_source(ca_file: str | None) -> str:
    source = f"the CA file {ca_file}" if ca_file else "the system trust store"
    return f"certificate chain and host name verified against {source}"


def _verifying_context(ca_file: str | None) -> ssl.SSLContext:
    """What a careful client does: chain to a trusted root, host name checked, TLS >= 1.2."""
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return ssl.create_default_context()


def _probing_client(version: ssl.TLSVersion | None, ciphers: str) -> ssl.SSLContext | str:
    """A client offering only ``version`` and ``ciphers``, or why the local OpenSSL cannot."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # This client measures what the server accepts; trust is judged by the verifying handshake.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if version is not None:
                context.minimum_version = version
                context.maximum_version = version
            context.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    except (ssl.SSLError, ValueError) as exc:
        return f"the local {ssl.OPENSSL_VERSION} cannot offer it ({_reason(exc)})"
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    hello = context.wrap_bio(incoming, outgoing, server_hostname="offer-check.invalid")
    try:
        hello.do_handshake()
    except ssl.SSLWantReadError:
        return context if outgoing.pending else f"the local {ssl.OPENSSL_VERSION} sent nothing"
    except ssl.SSLError as exc:
        return f"the local {ssl.OPENSSL_VERSION} cannot offer it ({_reason(exc)})"
    return f"the local {ssl.OPENSSL_VERSION} finished a handshake without a server"


def _attempt(
    ctx: ServiceContext, endpoint: Endpoint, label: str, version: ssl.TLSVersion, ciphers: str
) -> Attempt:
    client = _probing_client(version, ciphers)
    if isinstance(client, str):
        return Attempt(label, State.UNTESTABLE, client)
    result = _connect(ctx, endpoint, client)
    if isinstance(result, _Session):
        return Attempt(label, State.ACCEPTED, f"negotiated {result.version} {result.cipher}")
    return Attempt(label, result.state, result.detail)


def _connect(
    ctx: ServiceContext, endpoint: Endpoint, context: ssl.SSLContext | str
) -> _Session | Attempt:
    """One TCP connection and TLS handshake; refusals and errors become an Attempt."""
    if isinstance(context, str):
        return Attempt("handshake", State.UNTESTABLE, context)
    try:
        ctx.http.charge()
    except RequestRefused as exc:
        return Attempt("connect", State.UNREACHABLE, str(exc))
    with contextlib.ExitStack() as stack:
        try:
            raw = stack.enter_context(ctx.http.connection(endpoint.host, endpoint.port))
        except OSError as exc:
            return Attempt(
                "connect", State.UNREACHABLE, f"cannot connect to {endpoint.url}: {_reason(exc)}"
            )
        try:
            with context.wrap_socket(raw, server_hostname=endpoint.host) as tls:
                cipher = tls.cipher()
                return _Session(
                    version=tls.version() or "?",
                    cipher=cipher[0] if cipher else "?",
                    der=tls.getpeercert(binary_form=True),
                )
        except ssl.SSLCertVerificationError as exc:
            detail = f"certificate not trusted: {exc.verify_message}"
            return Attempt("verify", State.REFUSED, detail)
        except (ssl.SSLError, OSError) as exc:
            return Attempt("handshake", State.REFUSED, f"handshake failed: {_reason(exc)}")


def _certificate(der: bytes) -> Certificate | None:
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(
            [*san.get_values_for_type(x509.DNSName)]
            + [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        )
    except x509.ExtensionNotFound:
        names = ()
    not_after = cert.not_valid_after_utc
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_after=not_after.isoformat(timespec="seconds"),
        days_left=(not_after - datetime.now(UTC)).days,
        names=names,
    )


def _reason(exc: BaseException) -> str:
    """OpenSSL's short reason when it has one (e.g. TLSV1_ALERT_PROTOCOL_VERSION)."""
    reason = getattr(exc, "reason", None)
    if reason:
        return str(reason)
    return str(exc) or type(exc).__name__
