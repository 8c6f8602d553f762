"""Real components for the web-service tests: a git server on loopback and `sqaaas serve`.

The service clones over http(s)/git only, so fixture repositories are published as bare
repositories over git's "dumb" HTTP protocol by a stdlib HTTP server on 127.0.0.1. The
service itself is started as a real `sqaaas serve` process on a free loopback port.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.repos import git


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class GitHttpServer:
    """Serves bare copies of fixture repositories at http://127.0.0.1:<port>/<name>.git."""

    root: Path
    server: http.server.ThreadingHTTPServer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, repo: Path, name: str | None = None) -> str:
        """Clone ``repo`` bare under the served root (refreshing a previous copy); its URL."""
        name = name or repo.name
        bare = self.root / f"{name}.git"
        if bare.exists():
            git(bare, "fetch", "--force", str(repo), "+refs/heads/*:refs/heads/*", "--tags")
        else:
            subprocess.run(
                ["git", "clone", "--bare", "--quiet", str(repo), str(bare)],
                check=True,
                capture_output=True,
            )
        git(bare, "update-server-info")
        return f"{self.base}/{name}.git"


class _NonBlockingHTTPServer(http.server.ThreadingHTTPServer):
    """Closing never waits for request threads: a clone cut off by a killed sqaaas server
    can leave one stuck, and the test would hang in teardown."""

    daemon_threads = True
    block_on_close = False


@contextlib.contextmanager
def git_http_server(root: Path) -> Iterator[GitHttpServer]:
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _NonBlockingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitHttpServer(root=root, server=server)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class RunningServer:
    """A `sqaaas serve` child process and how to reach it."""

    process: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    log: Path

    def url(self, path: str) -> str:
        return self.base + path

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no clean shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    data_dir: Path, *extra: str, port: int | None = None, timeout: float = 60.0
) -> RunningServer:
    """Start `sqaaas serve` on loopback (private repositories allowed) and wait for /healthz."""
    port = port or free_port()
    log = data_dir.parent / f"serve-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable, "-m", "sqaaas", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--data-dir", str(data_dir), "--allow-private", *extra,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = RunningServer(process, f"http://127.0.0.1:{port}", data_dir, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sqaaas serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(server.url("/healthz"), timeout=2).status_code == 200:
                return server
        except requests.RequestException:  # not up yet, or busy generating its keys
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"sqaaas serve did not answer: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(name="servers")
def servers_fixture() -> Iterator[list[RunningServer]]:
    """Every server a test starts (appended here) is stopped at its end, whatever happened."""
    started: list[RunningServer] = []
    yield started
    for server in started:
        server.stop()
