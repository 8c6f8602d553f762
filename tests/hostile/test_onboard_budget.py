"""Onboarding a service whose responses never end: every request is cut at its wall-clock
budget, the cut is reported as evidence, and ``sqaaas onboard`` finishes within its time cap.

Socket timeouts alone do not bound this: the servers here trickle one byte at a time, which
resets them forever. All servers listen on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqaaas.net.http import BoundedClient
from tests.hostile.loopback import LoopbackServer

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
#: seconds beyond the stated budget that a run may take (start-up, the report, a busy CI)
MARGIN_S = 12.0


#: a trickle stops after this long, so that a client without a deadline fails a test
#: (its time is asserted) instead of hanging it
LIFETIME_S = 30.0


class Trickler(LoopbackServer):
    """A loopback server that answers every request with ``head`` and then one byte of
    ``drip`` per ``interval`` seconds, for LIFETIME_S (or until the test ends)."""

    def __init__(self, head: bytes, drip: bytes = b"x", interval: float = 1.0) -> None:
        self.head, self.drip, self.interval = head, drip, interval
        super().__init__(self._trickle)

    def _trickle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        conn.recv(65536)
        conn.sendall(self.head)
        ends = time.monotonic() + LIFETIME_S
        while not self.stop.is_set() and time.monotonic() < ends:
            conn.sendall(self.drip)
            self.stop.wait(self.interval)


@pytest.fixture
def trickling_body() -> Iterator[Trickler]:
    server = Trickler(HEADERS)
    yield server
    server.close()


@pytest.fixture
def trickling_headers() -> Iterator[Trickler]:
    server = Trickler(b"HTTP/1.1 200 OK\r\nX-Slow: ", interval=0.5)
    yield server
    server.close()


def test_a_body_that_never_ends_is_cut_at_the_request_budget(trickling_body: Trickler) -> None:
    client = BoundedClient(allowed_hosts={"127.0.0.1"}, allow_private=True,
                           response_budget_s=2.0, timeout_s=10.0)  # fmt: skip
    started = time.monotonic()
    got = client.get(trickling_body.url("/"))
    took = time.monotonic() - started
    assert 1.9 < took < 2.0 + 1.5, took
    assert got.status is None  # not an answer a check may judge as complete
    assert got.error is not None
    assert got.error.startswith("HTTP 200, but the response was still arriving after 2.0 s")
    assert "body cut after" in got.error and "the per-request budget of 2 s" in got.error
    assert got.body.startswith(b"x")  # what arrived before the cut is kept


def test_headers_that_never_end_are_cut_too(trickling_headers: Trickler) -> None:
    client = BoundedClient(allowed_hosts={"127.0.0.1"}, allow_private=True,
                           response_budget_s=2.0, timeout_s=10.0)  # fmt: skip
    started = time.monotonic()
    got = client.get(trickling_headers.url("/"))
    assert time.monotonic() - started < 2.0 + 1.5
    assert got.status is None
    assert got.error == "no complete answer within 2.0 s: cut when the per-request budget of " \
        "2 s ran out"


def test_a_check_with_its_own_time_cap_cuts_sooner(trickling_body: Trickler) -> None:
    client = BoundedClient(allowed_hosts={"127.0.0.1"}, allow_private=True,
                           response_budget_s=30.0)  # fmt: skip
    started = time.monotonic()
    got = client.get(trickling_body.url("/"), deadline=started + 1.0)
    assert time.monotonic() - started < 1.0 + 1.5
    assert "the check's time cap ran out" in (got.error or "")


def test_onboarding_a_never_ending_service_ends_within_its_time_cap(
    sqaaas_exe: str, tmp_path: Path, trickling_body: Trickler
) -> None:
    cap = 5.0
    output = tmp_path / "report.json"
    started = time.monotonic()
    done = subprocess.run(
        [sqaaas_exe, "onboard", trickling_body.url(), "--allow-private", "--time-cap", f"{cap:g}",
         "--format", "json", "-o", str(output), "-q"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode in (0, 1), done.stderr
    assert took < cap + MARGIN_S, took
    report = json.loads(output.read_text(encoding="utf-8"))
    messages = [
        evidence["message"]
        for criterion in report["criteria"].values()
        for sub in criterion["subcriteria"].values()
        for evidence in sub["evidence"]
    ]
    cut = [m for m in messages if "but the response was still arriving" in m]
    assert cut, messages
    assert any("body cut after" in m and f"time cap of {cap:g} s ran out" in m for m in cut)
    assert trickling_body.connections >= 1
