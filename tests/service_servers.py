"""Real services on 127.0.0.1 for the onboarding tests: a good one, a bad one, a weak-TLS one.

The good service speaks TLS only (certificate from a test CA made here with `cryptography`,
TLS >= 1.2, AEAD ciphers), redirects its plain-HTTP listener to https, sends HSTS and the
security headers, and documents its API truthfully in /openapi.json (with a protected
operation that answers 401 without credentials). It also serves /healthz, /metrics and the
pages a complete resource profile points at.

The bad service is plain HTTP without security headers, leaks its software versions, and its
OpenAPI document lies: /items documents an integer ``count`` the server sends as a string,
/broken answers 500, /admin is documented as protected but answers 200 to anyone.

Tests use the fixtures (``good_service``, ``bad_service``, ``weak_tls_service``, ``test_pki``)
by importing the ``*_fixture`` functions, and build profiles with ``complete_profile``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sqaaas.facts.service.context import ServiceContext
from sqaaas.subjects.service import build_context

HOST = "127.0.0.1"
TOKEN = "Bearer good-test-token"
GOOD_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"
GOOD_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)
GOOD_COOKIE = "session=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict"
BAD_COOKIE = "session=s3cr3t; Path=/"
BAD_SERVER = "Apache/2.4.1 (Unix)"
BAD_POWERED_BY = "PHP/5.6.40"
#: smallest valid PNG (1x1, transparent), for the profile's logo
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


# ---------------------------------------------------------------- test PKI


@dataclass(frozen=True)
class Pki:
    """A CA and a server certificate signed by it, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_pki(directory: Path, *, names: tuple[str, ...] = (HOST, "localhost"),
             expired: bool = False) -> Pki:
    """A test CA and a leaf certificate for ``names`` (IP addresses and DNS names)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sqaaas test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    start, end = (
        (now - dt.timedelta(days=60), now - dt.timedelta(days=1))
        if expired
        else (now - dt.timedelta(days=1), now + dt.timedelta(days=90))
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    pki.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    pki.key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return pki


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=not ca, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


def good_tls_context(pki: Pki) -> ssl.SSLContext:
    """What a well-configured server offers: TLS 1.2+ and AEAD suites with forward secrecy."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(GOOD_CIPHERS)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    return context


def weak_tls_context(pki: Pki) -> ssl.SSLContext:
    """A badly configured server: TLS 1.0 and every cipher the local OpenSSL still has."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("ALL:eNULL:@SECLEVEL=0")
    with _no_deprecation():
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.load_cert_chain(pki.cert_file, pki.key_file)
    return context


def local_openssl_speaks(version: ssl.TLSVersion) -> bool:
    """Whether this machine's OpenSSL can still offer ``version`` (TLS 1.0 is often gone)."""
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    try:
        with _no_deprecation():
            client.minimum_version = client.maximum_version = version
        client.set_ciphers("ALL:@SECLEVEL=0")
        hello = client.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO())
        hello.do_handshake()
    except ssl.SSLWantReadError:
        return True
    except (ssl.SSLError, ValueError):
        return False
    return False


@contextmanager
def _no_deprecation() -> Iterator[None]:
    """Naming TLS 1.0 warns; the weak test server and the capability check do it on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# ---------------------------------------------------------------- sites


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data).encode(), "application/json")


def page(title: str, text: str) -> Reply:
    html = (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    )
    return Reply(200, html.encode())


Route = Callable[[BaseHTTPRequestHandler], Reply]


@dataclass
class Site:
    """What a test service answers: routes by path, headers on every answer, a Server name."""

    routes: dict[str, Route]
    headers: tuple[tuple[str, str], ...] = ()
    server: str = "service"
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def version_string(self) -> str:
                return site.server

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests read ``site.requests`` instead."""

            def _answer(self, with_body: bool) -> None:
                site.requests.append(
                    (self.command, self.path, self.headers.get("Authorization"))
                )
                route = site.routes.get(urlsplit(self.path).path)
                reply = route(self) if route else Reply(404, b"not found", "text/plain")
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in (*site.headers, *reply.headers):
                    self.send_header(name, value)
                self.end_headers()
                if with_body:
                    self.wfile.write(reply.body)

            def do_GET(self) -> None:
                self._answer(True)

            def do_HEAD(self) -> None:
                self._answer(False)

            def do_POST(self) -> None:
                site.requests.append((self.command, self.path, None))
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_DELETE = do_PATCH = do_POST

        return Handler


PAGES = {
    "/docs": ("Documentation", "How to use the service: user guide, admin guide and API."),
    "/docs/user": ("User guide", "Getting started: sign in, submit a job, read its results."),
    "/docs/admin": (
        "Deployment and administration guide",
        "Deploy with docker compose; service reference card: ports 443, logs in /var/log.",
    ),
    "/docs/api": ("API documentation", "The REST API is described in /openapi.json."),
    "/terms": ("Terms of use", "Use the service for research only, within the quotas."),
    "/privacy": (
        "Privacy policy",
        "Personal data processed: e-mail and IP address, kept 90 days; your GDPR rights.",
    ),
    "/aup": ("Acceptable use policy", "No illegal content, no attacks, no resource abuse."),
    "/access-policy": ("Access policy", "Open to researchers with an institutional account."),
    "/helpdesk": ("Helpdesk", "Open a ticket here or mail support@service.example."),
}

GOOD_OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Good test service", "version": "1.0.0"},
    "servers": [{"url": "/"}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "responses": {
                    "200": {
                        "description": "the items",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ItemList"}
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "addItem",
                "security": [{"bearerAuth": []}],
                "responses": {"201": {"description": "added"}},
            },
        },
        "/items/{item_id}": {
            "parameters": [
                {
                    "name": "item_id", "in": "path", "required": True,
                    "schema": {"type": "integer"}, "example": 1,
                }
            ],
            "get": {
                "operationId": "getItem",
                "responses": {
                    "200": {
                        "description": "one item",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                },
            },
        },
        "/private": {
            "get": {
                "operationId": "getPrivate",
                "security": [{"bearerAuth": []}],
                "responses": {
                    "200": {
                        "description": "the caller's data",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["owner"],
                                    "properties": {"owner": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "responses": {
                    "200": {
                        "description": "healthy",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                }
                            }
                        },
                    }
                },
            },
            "head": {"operationId": "healthHead", "responses": {"200": {"description": "up"}}},
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "responses": {
                    "200": {
                        "description": "Prometheus metrics",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "responses": {
            "NotFound": {
                "description": "no such item",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
            "Unauthorized": {
                "description": "credentials missing or invalid",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "note": {"type": "string", "nullable": True},
                },
            },
            "ItemList": {
                "type": "object",
                "required": ["count", "items"],
                "properties": {
                    "count": {"type": "integer"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                },
            },
            "Problem": {
                "type": "object",
                "required": ["detail"],
                "properties": {"detail": {"type": "string"}},
            },
        },
    },
}

BAD_OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Bad test service", "version": "0.1.0"},
    "paths": {
        "/items": {
            "get": {
                "responses": {
                    "200": {
                        "description": "how many items",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["count"],
                                    "properties": {"count": {"type": "integer"}},
                                }
                            }
                        },
                    }
                }
            }
        },
        "/broken": {"get": {"responses": {"200": {"description": "always fine, it says"}}}},
        "/admin": {
            "get": {
                "security": [{"bearerAuth": []}],
                "responses": {"200": {"description": "administration data"}},
            }
        },
        "/healthz": {"get": {"responses": {"200": {"description": "healthy"}}}},
    },
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
}

ITEMS = [{"id": 1, "name": "first", "note": None}, {"id": 2, "name": "second", "note": "x"}]
METRICS = (
    "# HELP http_requests_total Requests served.\n"
    "# TYPE http_requests_total counter\n"
    'http_requests_total{code="200"} 42\n'
    "# HELP process_start_time_seconds Start time of the process.\n"
    "# TYPE process_start_time_seconds gauge\n"
    "process_start_time_seconds 1.7e9\n"
)


def _pages() -> dict[str, Route]:
    routes: dict[str, Route] = {
        path: (lambda _h, t=title, x=text: page(t, x)) for path, (title, text) in PAGES.items()
    }
    routes["/logo.png"] = lambda _h: Reply(200, PNG, "image/png")
    routes["/healthz"] = lambda _h: json_reply({"status": "ok"})
    routes["/metrics"] = lambda _h: Reply(200, METRICS.encode(), "text/plain; version=0.0.4")
    return routes


def _landing(cookie: str) -> Route:
    links = "".join(f"<li><a href='{p}'>{t}</a></li>" for p, (t, _) in PAGES.items())
    html = (
        "<!doctype html><html lang='en'><head><title>Test service</title></head><body>"
        f"<h1>Test service</h1><ul>{links}</ul></body></html>"
    ).encode()
    return lambda _h: Reply(200, html, headers=(("Set-Cookie", cookie),))


def _private(handler: BaseHTTPRequestHandler) -> Reply:
    if handler.headers.get("Authorization") != TOKEN:
        reply = json_reply({"detail": "credentials required"}, 401)
        return Reply(401, reply.body, reply.content_type, (("WWW-Authenticate", "Bearer"),))
    return json_reply({"owner": "tester"})


def _item(handler: BaseHTTPRequestHandler) -> Reply:
    item_id = urlsplit(handler.path).path.rsplit("/", 1)[-1]
    found = [i for i in ITEMS if str(i["id"]) == item_id]
    return json_reply(found[0]) if found else json_reply({"detail": "no such item"}, 404)


def good_site(headers: tuple[tuple[str, str], ...] = GOOD_HEADERS) -> Site:
    routes = {
        **_pages(),
        "/": _landing(GOOD_COOKIE),
        "/openapi.json": lambda _h: json_reply(GOOD_OPENAPI),
        "/items": lambda _h: json_reply({"count": len(ITEMS), "items": ITEMS}),
        "/private": _private,
    }
    routes.update({f"/items/{i['id']}": _item for i in ITEMS})
    return Site(routes, headers=headers, server="service")


def bad_site() -> Site:
    routes = {
        **_pages(),
        "/": _landing(BAD_COOKIE),
        "/openapi.json": lambda _h: json_reply(BAD_OPENAPI),
        "/items": lambda _h: json_reply({"count": "three"}),
        "/broken": lambda _h: Reply(500, b"Internal Server Error", "text/plain"),
        "/admin": lambda _h: json_reply({"users": ["root"]}),
    }
    return Site(routes, headers=(("X-Powered-By", BAD_POWERED_BY),), server=BAD_SERVER)


def api_site(document: dict[str, Any] | str, routes: dict[str, Route] | None = None,
             at: str = "/openapi.json") -> Site:
    """A plain site serving ``document`` (a mapping as JSON, text as YAML) and ``routes``."""
    if isinstance(document, str):
        doc_reply = Reply(200, document.encode(), "application/yaml")
    else:
        doc_reply = json_reply(document)
    return Site({at: lambda _h: doc_reply, **(routes or {})})


# ---------------------------------------------------------------- servers


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Handshake in the connection's own thread, so a silent client blocks nobody."""
        request.settimeout(10)
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(wrapped, client_address, self)
        finally:
            wrapped.close()


@dataclass
class RunningService:
    """A started loopback service: its base URL, its site, and (good one) the HTTP listener."""

    url: str
    site: Site
    pki: Pki | None = None
    http_url: str | None = None
    _servers: list[_Server] = field(default_factory=list, repr=False)

    @property
    def ca_file(self) -> str | None:
        return str(self.pki.ca_file) if self.pki else None

    def link(self, path: str) -> str:
        return self.url.rstrip("/") + path

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


def _start(handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None) -> _Server:
    server = _Server((HOST, 0), handler)
    server.tls = tls
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server


def start_service(site: Site, tls: ssl.SSLContext | None = None,
                  pki: Pki | None = None, *, redirect_listener: bool = False
                  ) -> RunningService:
    """Serve ``site`` on 127.0.0.1 (TLS when ``tls`` is given) on a free port."""
    main = _start(site.handler(), tls)
    scheme = "https" if tls else "http"
    service = RunningService(f"{scheme}://{HOST}:{main.server_address[1]}", site, pki,
                             _servers=[main])
    if redirect_listener:
        target = service.url

        class Redirect(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                self.send_response(301)
                self.send_header("Location", target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_HEAD = do_GET

        listener = _start(Redirect, None)
        service.http_url = f"http://{HOST}:{listener.server_address[1]}"
        service._servers.append(listener)
    return service


# ---------------------------------------------------------------- contexts and profiles


def service_context(
    target: str,
    *,
    ca_file: str | None = None,
    openapi_url: str | None = None,
    profile: dict[str, Any] | None = None,
    auth_header: str | None = None,
) -> ServiceContext:
    """The context `sqaaas onboard --allow-private` builds, with ``profile`` as parsed data."""
    ctx = build_context(
        target, openapi_url=openapi_url, ca_file=ca_file, allow_private=True,
        auth_header=auth_header,
    )
    ctx.profile = profile
    return ctx


def complete_profile(service: RunningService, **overrides: Any) -> dict[str, Any]:
    """A resource profile with every field, its links on ``service``; None drops a field."""
    link = service.link
    profile: dict[str, Any] = {
        "name": "Test service",
        "description": "A service started by the sqaaas tests to check onboarding.",
        "webpage": link("/"),
        "logo": link("/logo.png"),
        "categories": ["Compute"],
        "scientific_domains": ["Earth sciences"],
        "licence": "CC-BY-4.0",
        "terms_of_use": link("/terms"),
        "privacy_policy": link("/privacy"),
        "access_policy": link("/access-policy"),
        "acceptable_use_policy": link("/aup"),
        "helpdesk": link("/helpdesk"),
        "documentation": link("/docs"),
        "documentation_pid": "10.5281/zenodo.1234567",
        "user_manual": link("/docs/user"),
        "admin_manual": link("/docs/admin"),
        "api_documentation": link("/docs/api"),
        "trl": 7,
        "order_type": "open_access",
        "health_endpoint": "/healthz",
        "metrics_endpoint": "/metrics",
        "openapi": link("/openapi.json"),
    }
    profile.update(overrides)
    return {k: v for k, v in profile.items() if v is not None}


def write_profile(path: Path, profile: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session", name="test_pki")
def test_pki_fixture(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session", name="good_service")
def good_service_fixture(test_pki: Pki) -> Iterator[RunningService]:
    service = start_service(good_site(), good_tls_context(test_pki), test_pki,
                            redirect_listener=True)
    yield service
    service.stop()


@pytest.fixture(scope="session", name="bad_service")
def bad_service_fixture() -> Iterator[RunningService]:
    service = start_service(bad_site())
    yield service
    service.stop()


@pytest.fixture(scope="session", name="weak_tls_service")
def weak_tls_service_fixture(test_pki: Pki) -> Iterator[RunningService]:
    """The good site behind a badly configured TLS server (TLS 1.0, weak ciphers)."""
    service = start_service(good_site(), weak_tls_context(test_pki), test_pki)
    yield service
    service.stop()


@pytest.fixture(name="service_factory")
def service_factory_fixture() -> Iterator[Callable[..., RunningService]]:
    """start_service() for one test; every service it started is stopped afterwards."""
    started: list[RunningService] = []

    def start(site: Site, tls: ssl.SSLContext | None = None, pki: Pki | None = None,
              **kwargs: Any) -> RunningService:
        service = start_service(site, tls, pki, **kwargs)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
