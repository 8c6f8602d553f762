"""``badge verify`` checks the revocation list a badge names, and never calls a revoked badge
valid because it could not look.

The list is found offline (``--status-list FILE``, or the issuer's revocations.json beside
the ``--trust`` key set) or fetched from the URL the credential names, over HTTPS from a
loopback server with a test CA. When it cannot be had, the answer is "revocation not
checked" and exit 1, unless ``--allow-unchecked-status`` accepts that (exit 0, with a note).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sqaaas.badges.errors import RevocationListError
from sqaaas.badges.fetch import fetch_bytes
from sqaaas.badges.issue import badge_bytes
from sqaaas.badges.keys import JWKS_FILE
from tests.badge_support import make_issuer, report_for
from tests.hostile.loopback import LoopbackServer
from tests.service_servers import Pki, good_tls_context, make_pki
from tests.web_support import free_port

RunCli = Callable[..., subprocess.CompletedProcess[str]]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class Published:
    """An issuer whose files a loopback HTTPS server publishes, and one badge it issued."""

    keydir: Path
    base: str
    badge: Path
    badge_id: str
    pki: Pki
    requests: list[str]

    @property
    def jwks(self) -> Path:
        return self.keydir.parent / "public" / JWKS_FILE


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def published(tmp_path: Path, pki: Pki) -> Iterator[Published]:
    """https://127.0.0.1:PORT serves the publish folder; the badge names its revocations.json."""
    keydir = tmp_path / "keys"
    (tmp_path / "public").mkdir()
    requests: list[str] = []

    class Handler(_Quiet):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

    handler = functools.partial(Handler, directory=str(tmp_path / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = good_tls_context(pki).wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()  # fmt: skip
    base = f"https://127.0.0.1:{server.server_address[1]}"
    badge = issue(keydir, base, tmp_path / "badge.svg")
    yield Published(keydir, base, badge[0], badge[1], pki, requests)
    server.shutdown()
    server.server_close()


def issue(keydir: Path, base: str, out: Path) -> tuple[Path, str]:
    """A gold badge of issuer ``base`` (valid now), its files published beside ``keydir``."""
    setup = make_issuer(keydir, base)
    issued = setup.issue(report_for("gold"), now=datetime.now(UTC))
    out.write_bytes(badge_bytes(issued, "svg"))
    return out, issued.id


def alone(trust: Path, tmp_path: Path) -> Path:
    """A copy of the key set with nothing beside it (a verifier who only kept the keys)."""
    folder = tmp_path / "trusted"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(trust, folder / "issuer.jwks.json"))


def verify(run_cli: RunCli, badge: Path, trust: Path, *extra: str) -> tuple[int, str]:
    done = run_cli("badge", "verify", str(badge), "--trust", str(trust), *extra)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, done.stdout


def revoke(run_cli: RunCli, published: Published) -> None:
    done = run_cli("badge", "revoke", published.badge_id, "--key", str(published.keydir),
                   "--reason", "report was for a fork")  # fmt: skip
    assert done.returncode == 0, done.stderr


def verdict(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


def test_a_revoked_badge_is_invalid_with_the_list_beside_the_trusted_keys(
    run_cli: RunCli, published: Published
) -> None:
    assert verify(run_cli, published.badge, published.jwks)[0] == 0
    revoke(run_cli, published)
    code, out = verify(run_cli, published.badge, published.jwks)
    assert code == 1
    assert verdict(out) == "INVALID: revoked: report was for a fork"
    assert published.requests == []  # found offline, nothing fetched


def test_a_revoked_badge_is_invalid_with_the_status_list_file(
    run_cli: RunCli, published: Published, tmp_path: Path
) -> None:
    revoke(run_cli, published)
    listed = shutil.copy(published.jwks.parent / "revocations.json", tmp_path / "list.json")
    code, out = verify(run_cli, published.badge, alone(published.jwks, tmp_path),
                       "--status-list", str(listed))  # fmt: skip
    assert (code, verdict(out)) == (1, "INVALID: revoked: report was for a fork")
    assert published.requests == []


def test_the_list_the_badge_names_is_fetched_over_https(
    run_cli: RunCli, published: Published, tmp_path: Path
) -> None:
    trust = alone(published.jwks, tmp_path)
    ca = ("--ca-file", str(published.pki.ca_file))
    code, out = verify(run_cli, published.badge, trust, *ca)
    assert code == 0, out
    assert f"ok   revocation: not in {published.base}/revocations.json" in out
    revoke(run_cli, published)
    code, out = verify(run_cli, published.badge, trust, *ca)
    assert (code, verdict(out)) == (1, "INVALID: revoked: report was for a fork")
    assert published.requests == ["/revocations.json", "/revocations.json"]
    # without the test CA the server is not trusted: the list cannot be read
    code, out = verify(run_cli, published.badge, trust)
    assert code == 1 and verdict(out).startswith("NOT VERIFIED: revocation not checked:")
    assert "TLS error" in verdict(out)


def test_without_any_list_revocation_is_not_checked_and_that_is_not_valid(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The badge names a list on a loopback port nothing listens on."""
    base = f"https://127.0.0.1:{free_port()}"
    badge, _ = issue(tmp_path / "keys", base, tmp_path / "badge.svg")
    trust = alone(tmp_path / "keys" / JWKS_FILE, tmp_path)
    code, out = verify(run_cli, badge, trust)
    assert code == 1
    line = verdict(out)
    assert line.startswith(
        f"NOT VERIFIED: revocation not checked: cannot fetch revocation list {base}/"
        "revocations.json: connection failed"
    ), line
    assert "--allow-unchecked-status" in line
    assert "FAIL revocation: revocation not checked" in out
    code, out = verify(run_cli, badge, trust, "--allow-unchecked-status")
    assert code == 0
    assert re.match(r"VALID: gold badge for \S+ at [0-9a-f]{12}, issued by .*"
                    r"\(revocation not checked: cannot fetch", verdict(out))  # fmt: skip
    assert "skip revocation: revocation not checked" in out
    code, out = verify(run_cli, badge, trust, "--format", "json")
    answer = json.loads(out)
    assert code == 1 and answer["valid"] is False and answer["revocation_checked"] is False
    assert answer["badge"]["status_list"] == f"{base}/revocations.json"


def test_a_list_beside_the_keys_that_is_another_one_is_not_taken(
    run_cli: RunCli, published: Published, tmp_path: Path
) -> None:
    """A revocations.json beside --trust counts only when it says it is the list named."""
    trust = alone(published.jwks, tmp_path)
    (trust.parent / "revocations.json").write_text(json.dumps(
        {"id": "https://elsewhere.example/revocations.json", "revokedAssertions": []}
    ))  # fmt: skip
    revoke(run_cli, published)
    code, out = verify(run_cli, published.badge, trust, "--ca-file", str(published.pki.ca_file))
    assert (code, verdict(out)) == (1, "INVALID: revoked: report was for a fork")
    assert published.requests == ["/revocations.json"]


# ---------------------------------------------------------------- the fetch is bounded


class _Server(LoopbackServer):
    """A plain-HTTP loopback server whose handler is ``answer(connection)``, after the
    request has been read."""

    def __init__(self, answer: Callable[[socket.socket], None]) -> None:
        def handle(conn: socket.socket) -> None:
            conn.recv(65536)
            answer(conn)

        super().__init__(handle)

    @property
    def status_url(self) -> str:
        return self.url("/revocations.json")


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], _Server]]:
    started: list[_Server] = []

    def start(answer: Callable[[socket.socket], None]) -> _Server:
        started.append(_Server(answer))
        return started[-1]

    yield start
    for server in started:
        server.close()


def test_a_list_that_never_ends_is_cut_at_the_fetch_budget(serve) -> None:
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{")
        for _ in range(40):  # 20 s at most: a fetch without a deadline fails, not hangs
            if stop.wait(0.5):
                return
            conn.sendall(b" ")

    server = serve(trickle)
    started = time.monotonic()
    try:
        with pytest.raises(RevocationListError, match="body cut after"):
            fetch_bytes(server.status_url, max_bytes=1000, timeout=1.5)
    finally:
        stop.set()
    assert time.monotonic() - started < 1.5 + 1.5


def test_a_list_too_large_or_moved_is_refused(serve) -> None:
    big = serve(lambda conn: conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
                                          + b" " * 5000))  # fmt: skip
    with pytest.raises(RevocationListError, match="larger than 1000 bytes"):
        fetch_bytes(big.status_url, max_bytes=1000, timeout=5)
    moved = serve(lambda conn: conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/x\r\nContent-Length: 0\r\n\r\n"))
    with pytest.raises(RevocationListError, match="HTTP 302 \\(redirects are not followed\\)"):
        fetch_bytes(moved.status_url, max_bytes=1000, timeout=5)
    with pytest.raises(RevocationListError, match="over https"):
        fetch_bytes("http://issuer.example/revocations.json", max_bytes=1000, timeout=5)
