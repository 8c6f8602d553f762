"""The web service's guards against what strangers submit and what repositories contain.

- Address guard: only globally routable unicast addresses pass, judged in every DNS answer
  (NAT64, 6to4, Teredo, IPv4-mapped and -compatible addresses by the IPv4 address they
  carry), and a URL whose host git and Python could read differently is refused outright.
  Nothing here connects anywhere but loopback: DNS is replaced by a table (``fake_dns``)
  and public addresses are only ever classified.
- A loopback listener gets no connection when the API is asked to assess or onboard URLs
  that lead to it.
- A corrupt, foreign or locked database is one clear line (exit 2) and is never written.
- What a repository controls (README text, file names, evidence, hints) stays inert text
  on the report pages.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from sqaaas.acquire import acquire, check_url
from sqaaas.errors import AcquireError
from sqaaas.net.http import BoundedClient, RequestRefused
from sqaaas.net.urlhost import url_host
from sqaaas.subjects.repository import assess
from sqaaas.web.app import create_app
from sqaaas.web.netcheck import InvalidField, RefusedURL, check_repository_url, git_pins
from sqaaas.web.onboarding import OnboardingInput, check_request
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import OPEN_WAIT_S, Store
from tests.hostile.loopback import LoopbackServer
from tests.repos import make_repo
from tests.web_support import free_port

API = "/api/v1"
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800::1"
#: names the fake resolver knows, and their answers (nothing else resolves but localhost)
DNS: dict[str, list[str]] = {
    "public.test": [PUBLIC_V4, PUBLIC_V6],
    "public.test.": [PUBLIC_V4],
    "mixed.test": [PUBLIC_V4, "127.0.0.1"],  # one private answer refuses the host
    "nat64.test": ["64:ff9b::a9fe:a9fe"],  # 169.254.169.254 through a NAT64 gateway
    "sixtofour.test": ["2002:7f00:1::"],
    "mapped.test": ["::ffff:10.0.0.1"],
    "multicast.test": ["239.255.255.250"],
    "zero.test": ["0.0.0.0"],
}
_real_getaddrinfo = socket.getaddrinfo


def _fake_getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                      flags: int = 0) -> list[Any]:  # fmt: skip
    """getaddrinfo without DNS: literals (numerically), localhost, and the DNS table."""
    name = host.decode() if isinstance(host, bytes) else host
    if name in DNS:
        answers = []
        for text in DNS[name]:
            address = ipaddress.ip_address(text)
            if address.version == 6:
                sockaddr: tuple[Any, ...] = (text, port or 0, 0, 0)
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", sockaddr))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (text, port or 0)))
        return answers
    if name == "localhost":
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    return _real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test here may ask a real DNS server anything."""
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo)


# ---------------------------------------------------------------- what the guard refuses

ADDRESSES = [
    # multicast (is_global calls these global)
    "http://224.0.0.1/x.git",
    "http://239.255.255.250/x.git",
    "http://[ff02::1]/x.git",
    "http://[ff0e::1]/x.git",
    # IPv6 addresses that carry a non-public IPv4 address
    "http://[64:ff9b::a9fe:a9fe]/x.git",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::7f00:1]/x.git",
    "http://[64:ff9b:1::5db8:d822]/x.git",  # local-use NAT64 prefix
    "http://[2002:7f00:1::]/x.git",  # 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/x.git",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x.git",  # Teredo
    "http://[::ffff:127.0.0.1]/x.git",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/x.git",
    "http://[::127.0.0.1]/x.git",  # IPv4-compatible
    # unspecified, loopback, private, link-local, shared, benchmarking, reserved, broadcast
    "http://0.0.0.0/x.git",
    "http://[::]/x.git",
    "http://127.0.0.1/x.git",
    "http://[::1]/x.git",
    "http://localhost/x.git",
    "http://169.254.169.254/latest/",
    "http://10.0.0.1/x.git",
    "http://100.64.0.1/x.git",
    "http://198.18.0.1/x.git",
    "http://240.0.0.1/x.git",
    "http://255.255.255.255/x.git",
    "http://[fe80::1]/x.git",
    "http://[fd00::1]/x.git",
]
AMBIGUOUS = [
    # IPv4 spelt so that inet_aton and a name check disagree
    "http://2130706433/x.git",
    "http://0x7f.1/x.git",
    "http://0177.0.0.1/x.git",
    "http://127.1/x.git",
    "http://0x7f000001/x.git",
    "http://1.2.3.04/x.git",
    # URLs that parsers read differently
    "http://evil.com\\@127.0.0.1/x.git",
    "http://127.0.0.1\\@evil.com/x.git",
    "http://127.0.0.1#@evil.com/x.git",
    "http://evil.com#@127.0.0.1/x.git",
    "http://127.0.0.1?@evil.com/x.git",
    "http://user@127.0.0.1:80@evil.com/x.git",
    f"http://{PUBLIC_V4}\t.evil.com/x.git",
    "http://%31%32%37.0.0.1/x.git",
    "http://[fe80::1%25lo]/x.git",
    "http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/x.git",  # fullwidth localhost
]
ANSWERS = [
    # names whose DNS answer is not public
    "http://mixed.test/x.git",
    "http://nat64.test/x.git",
    "http://sixtofour.test/x.git",
    "http://mapped.test/x.git",
    "http://multicast.test/x.git",
    "http://zero.test/x.git",
]
REFUSED = [*ADDRESSES, *AMBIGUOUS, *ANSWERS, "http://unknown.test/x.git"]
SERVICES = [
    f"http://{PUBLIC_V4}",
    f"https://{PUBLIC_V4}:8443",
    f"https://[{PUBLIC_V6}]",
    "https://public.test",
    "https://[64:ff9b::5db8:d822]",
]
ACCEPTED = [
    f"http://{PUBLIC_V4}/x.git",
    f"https://{PUBLIC_V4}:8443/org/x.git",
    f"https://[{PUBLIC_V6}]/x.git",
    f"git://{PUBLIC_V4}/x.git",
    "https://public.test/org/x.git",
    "https://PUBLIC.test./org/x.git",
    "https://[64:ff9b::5db8:d822]/x.git",  # NAT64 of a public address
    "https://[2002:5db8:d822::1]/x.git",  # 6to4 of a public address
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_clone_guard_refuses(url: str) -> None:
    with pytest.raises(RefusedURL):
        check_repository_url(url, allow_private=False)


@pytest.mark.parametrize("url", REFUSED)
def test_onboarding_refuses_the_same_service_urls(url: str) -> None:
    with pytest.raises(InvalidField):
        check_request(OnboardingInput(service_url=url), allow_private=False)
    with pytest.raises(InvalidField) as refused:
        check_request(OnboardingInput(service_url=f"https://{PUBLIC_V4}", openapi_url=url),
                      allow_private=False)  # fmt: skip
    assert refused.value.field == "openapi_url"


@pytest.mark.parametrize("url", [*ADDRESSES, *AMBIGUOUS, *ANSWERS])
def test_the_onboarding_client_refuses_them_too(url: str) -> None:
    """The bounded client (onboarding's only way out) refuses them even for hosts it was
    told to contact: nothing is sent, as no request was charged."""
    try:
        host = url_host(url)
    except ValueError:
        host = "evil.com"
    client = BoundedClient(allowed_hosts={host, "evil.com", "127.0.0.1"})
    with pytest.raises(RequestRefused):
        client.check_host(url)
    assert client.spent == 0


@pytest.mark.parametrize("url", ACCEPTED)
def test_public_repositories_pass(url: str) -> None:
    assert check_repository_url(url, allow_private=False) == url


@pytest.mark.parametrize("url", SERVICES)
def test_public_services_pass(url: str) -> None:
    checked = check_request(OnboardingInput(service_url=url, openapi_url=url + "/openapi.json"),
                            allow_private=False)  # fmt: skip
    assert checked.service_url == url
    BoundedClient(allowed_hosts={url_host(url)}).check_host(url + "/healthz")


@pytest.mark.parametrize("url", AMBIGUOUS)
def test_the_command_line_refuses_ambiguous_urls_too(url: str) -> None:
    """``sqaaas assess URL`` clones with git: the same URLs are refused before git runs."""
    with pytest.raises(AcquireError, match="refused URL"):
        check_url(url)


def test_git_is_pinned_to_the_addresses_just_checked() -> None:
    """In the job, git's http(s) transport may connect only where the check looked."""
    assert git_pins("https://public.test/org/x.git") == [
        f"public.test:443:{PUBLIC_V4},[{PUBLIC_V6}]"
    ]
    assert git_pins(f"http://{PUBLIC_V4}:8080/x.git") == []  # an address: nothing to resolve
    assert git_pins(f"git://{PUBLIC_V4}/x.git") == []
    for url in ("https://mixed.test/x.git", "https://nat64.test/x.git", "https://[::1]/x.git"):
        with pytest.raises(RefusedURL, match="non-public"):
            git_pins(url)


def test_the_job_hands_git_its_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqaaas.web import runjob

    for name in ("GIT_CONFIG_COUNT", *(f"GIT_CONFIG_{k}_{i}" for k in ("KEY", "VALUE")
                                       for i in range(4))):  # fmt: skip
        monkeypatch.setenv(name, "")  # restored after the test
    runjob._guard_network("https://public.test/org/x.git")
    count = int(os.environ["GIT_CONFIG_COUNT"])
    given = {os.environ[f"GIT_CONFIG_KEY_{i}"]: os.environ[f"GIT_CONFIG_VALUE_{i}"]
             for i in range(count)}  # fmt: skip
    assert given == {
        "http.followRedirects": "false",
        "http.curloptResolve": f"public.test:443:{PUBLIC_V4},[{PUBLIC_V6}]",
    }
    with pytest.raises(RefusedURL):
        runjob._guard_network("https://mixed.test/org/x.git")


# ---------------------------------------------------------------- nothing reaches loopback


@pytest.fixture
def listener() -> Iterator[LoopbackServer]:
    opened = LoopbackServer()
    yield opened
    opened.close()


def loopback_spellings(port: int) -> list[str]:
    """URLs that all lead to 127.0.0.1:port if a guard lets them through (and nowhere else)."""
    return [
        f"http://127.0.0.1:{port}/x.git",
        f"http://localhost:{port}/x.git",
        f"http://[::ffff:127.0.0.1]:{port}/x.git",
        f"http://0.0.0.0:{port}/x.git",
        f"http://2130706433:{port}/x.git",
        f"http://0x7f.1:{port}/x.git",
        f"http://0177.0.0.1:{port}/x.git",
        f"http://127.1:{port}/x.git",
        f"http://127.0.0.1:{port}#@evil.com/x.git",
    ]


def test_the_api_sends_nothing_to_loopback(tmp_path: Path, listener: LoopbackServer) -> None:
    """Without --allow-private, with a worker ready to run whatever gets queued: every
    request is refused (422), nothing is queued, and the listener is never contacted."""
    settings = WebSettings(data_dir=tmp_path / "data", workers=1, rate_limit_per_minute=10_000)
    assert not settings.allow_private
    with TestClient(create_app(settings, start_workers=True)) as client:
        service = client.app.state.operations  # type: ignore[attr-defined]
        token = service.store.create_token("tests")[1]
        headers = {"Authorization": f"Bearer {token}"}
        answers = {}
        for url in loopback_spellings(listener.port):
            assessment = client.post(f"{API}/assessments", json={"repo_url": url},
                                     headers=headers)  # fmt: skip
            onboarding = client.post(f"{API}/onboardings", json={"service_url": url},
                                     headers=headers)  # fmt: skip
            answers[url] = (assessment.status_code, onboarding.status_code)
        time.sleep(3)  # a queued job would have reached the listener by now
        health = client.get("/healthz").json()
    assert listener.connections == 0
    assert answers == {url: (422, 422) for url in answers}
    assert (health["queued"], health["running"]) == (0, 0)


def test_a_second_dns_answer_cannot_lead_a_request_to_loopback(
    listener: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the host checks out public, then answers 127.0.0.1 when the
    connection is made. The address is checked in the answer the connection uses."""
    answers = iter([[PUBLIC_V4]])

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "rebind.test":
            first = next(answers, None)  # the check sees a public address, once
            DNS["rebind.test"] = first or ["127.0.0.1"]
        return _fake_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setitem(DNS, "rebind.test", [PUBLIC_V4])
    client = BoundedClient(allowed_hosts={"rebind.test"}, timeout_s=2)
    got = client.get(f"http://rebind.test:{listener.port}/")
    assert got.status is None and "non-public address" in (got.error or "")
    assert listener.connections == 0


# ---------------------------------------------------------------- the database


def _run(sqaaas_exe: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sqaaas_exe, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)  # fmt: skip


def _commands(data: Path) -> list[list[str]]:
    return [
        ["serve", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(free_port())],
        ["tokens", "list", "--data-dir", str(data)],
        ["tokens", "create", "--data-dir", str(data)],
    ]


def _foreign_database(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('mine')")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda path: path.write_bytes(b"garbage, not SQLite\n" * 200), "(file is not a database)"),
        (lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080),
         "not a sqaaas database"),
        (_foreign_database, "(it holds other tables: notes)"),
    ],
    ids=["garbage", "broken-header", "another-program"],
)
def test_a_database_that_is_not_ours_is_one_line_and_left_alone(
    sqaaas_exe: str, tmp_path: Path, make: Callable[[Path], None], why: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = data / "sqaaas.sqlite3"
    make(path)
    before = path.read_bytes()
    for args in _commands(data):
        done = _run(sqaaas_exe, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stdout == ""
        lines = done.stderr.splitlines()
        assert len(lines) == 1, (args, done.stderr)
        assert lines[0].startswith(f"sqaaas: error: {path}: not a sqaaas database")
        assert why in lines[0]
        assert lines[0].endswith("; move it away or use another --data-dir")
        assert path.read_bytes() == before, args
        assert sorted(p.name for p in data.iterdir()) == ["sqaaas.sqlite3"]  # no -wal, no keys


def test_a_locked_database_is_one_line_after_a_bounded_wait(
    sqaaas_exe: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    Store(data / "sqaaas.sqlite3").close()
    holder = sqlite3.connect(data / "sqaaas.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for args in _commands(data):
            started = time.monotonic()
            done = _run(sqaaas_exe, *args)
            took = time.monotonic() - started
            assert done.returncode == 2, (args, done.stdout, done.stderr)
            [line] = done.stderr.splitlines()
            assert line.startswith(f"sqaaas: error: {data / 'sqaaas.sqlite3'}: the database is "
                                   "locked by another process")  # fmt: skip
            assert took < OPEN_WAIT_S + 30, took
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert Store(data / "sqaaas.sqlite3").tokens() == []  # intact, usable again


# ---------------------------------------------------------------- report pages

HOSTILE_README = """# Demo <script>alert('readme')</script>

<img src=x onerror="alert('img')">

[click me](javascript:alert('link'))

<a href="javascript:alert('anchor')" onclick="alert('click')">anchor</a>
<iframe src="javascript:alert('frame')"></iframe>
<svg onload="alert('svg')"></svg>
"""
HOSTILE_FILE = "<img src=x onerror=alert('file')>.py"
HOSTILE_URL = 'https://example.org/"><script>alert("url")</script>.git'
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:text")


class ActiveContent(HTMLParser):
    """Everything in a page that a browser would run or load: scripts, event handlers,
    javascript: URLs, frames and plug-ins, images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.images: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._in_script = True
            if not values.get("src", "").startswith("/static/"):
                self.found.append(f"<script {values}>")
        if tag in ("iframe", "frame", "object", "embed", "svg", "base", "math"):
            self.found.append(f"<{tag}>")
        if tag == "img":
            self.images.append(values.get("src", ""))
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            compact = "".join(value.split()).lower()
            if name in URL_ATTRIBUTES and compact.startswith(ACTIVE_SCHEMES):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data[:80]}")


def active_content(page: str) -> ActiveContent:
    parser = ActiveContent()
    parser.feed(page)
    return parser


def hostile_report(tmp_path: Path) -> dict[str, Any]:
    """A real assessment of a repository with hostile README and file names, plus the README
    quoted the way a probe could quote it (message, excerpt, value, tool, hint)."""
    repo = make_repo(tmp_path / "hostile", {"README.md": HOSTILE_README, HOSTILE_FILE: "x = 1\n"})
    data: dict[str, Any] = json.loads(assess(acquire(str(repo))).to_json())
    criterion = next(iter(data["criteria"].values()))
    sub = next(iter(criterion["subcriteria"].values()))
    sub["evidence"].append({
        "message": HOSTILE_README, "path": HOSTILE_FILE, "line": 1, "value": HOSTILE_README,
        "tool": "<b onmouseover=alert('tool')>tool</b>", "excerpt": HOSTILE_README,
        "failing": True,
    })
    sub["hint"] = HOSTILE_README
    sub["skipped_reason"] = "<script>alert('skip')</script>"
    data["config_source"] = "<script>alert('config')</script>"
    return data


@pytest.mark.parametrize("kind", ["assessment", "onboarding"])
def test_repository_content_stays_inert_on_the_report_page(tmp_path: Path, kind: str) -> None:
    settings = WebSettings(data_dir=tmp_path / "data", allow_private=True,
                           rate_limit_per_minute=10_000)  # fmt: skip
    report = hostile_report(tmp_path)
    with TestClient(create_app(settings, start_workers=False)) as client:
        service = client.app.state.operations  # type: ignore[attr-defined]
        params = {"openapi_url": 'https://example.org/"><script>alert("openapi")</script>'}
        job, _ = service.store.submit(HOSTILE_URL, None, None, 10, kind=kind,
                                      params=params if kind == "onboarding" else None)  # fmt: skip
        service.store.claim()
        report_json = json.dumps(report)
        service.store.finish(job.id, report_json, report["repository"]["commit"],
                             report["badge"]["level"])  # fmt: skip
        page = client.get(f"/{kind}s/{job.id}")
    assert page.status_code == 200
    text = page.text
    found = active_content(text)
    assert found.found == []
    ours = ("/api/v1/badges/", "/static/")
    assert all(src.startswith(ours) for src in found.images), found.images
    assert str(escape(HOSTILE_FILE)) in text  # the hostile strings are shown, as text
    assert "&lt;script&gt;alert(&#39;readme&#39;)&lt;/script&gt;" in text
    assert str(escape(HOSTILE_URL)) in text
