"""Input the command line cannot work with is one line on stderr and exit 2, never a report.

Each case here once produced a long report of failures (or nothing at all) instead of
saying what was wrong; a git error was cut to its first line, which lost the reason.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.acquire import AcquireError, acquire

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a usage error (exit 2, no traceback, nothing on stdout)."""
    assert proc.returncode == 2, (proc.stdout[-2000:], proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sqaaas: error: ")
    assert proc.stdout == ""
    return lines[0]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_onboard_of_a_loopback_address_without_allow_private(run_cli: RunCli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    line = one_line_error(run_cli("onboard", url, "--quiet"))
    assert line.startswith(f"sqaaas: error: {url}: 127.0.0.1 resolves to 127.0.0.1")
    assert "loopback/private address" in line and "--allow-private" in line


def test_onboard_of_a_private_openapi_url_without_allow_private(run_cli: RunCli) -> None:
    openapi = "http://10.0.0.1/openapi.json"
    line = one_line_error(run_cli("onboard", "https://svc.example", "--openapi", openapi))
    assert f"--openapi {openapi}: 10.0.0.1 resolves to 10.0.0.1" in line
    assert "--allow-private" in line


def test_assess_of_a_repository_without_commits(
    run_cli: RunCli, repo_factory: Callable[..., Path]
) -> None:
    repo = repo_factory({"README.md": "# x\n"}, commit=False)
    line = one_line_error(run_cli("assess", str(repo)))
    assert line == (
        f"sqaaas: error: {repo}: the repository has no commits yet, nothing to assess "
        "(commit the code first: git add . && git commit)"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_criteria_of_an_unknown_baseline(run_cli: RunCli, fmt: str) -> None:
    line = one_line_error(run_cli("criteria", "--baseline", "nope", "--format", fmt))
    assert (
        line == "sqaaas: error: --baseline nope: no such baseline (known: fair, service, software)"
    )


def test_criteria_of_a_known_baseline_still_lists_it(run_cli: RunCli) -> None:
    done = run_cli("criteria", "--baseline", "service")
    assert done.returncode == 0, done.stderr
    assert "SvcQC.Api" in done.stdout and "QC.Acc " not in done.stdout


@pytest.mark.parametrize(
    ("scheme", "reason"),
    [
        # git prints "unable to connect to 127.0.0.1:" and, on the next line, why
        ("git", "errno=Connection refused"),
        ("http", "Couldn't connect to server"),
    ],
)
def test_git_error_is_shown_whole(run_cli: RunCli, scheme: str, reason: str) -> None:
    port = closed_port()
    url = f"{scheme}://127.0.0.1:{port}/repo.git"
    line = one_line_error(run_cli("assess", url, "--quiet", "--timeout", "30"))
    assert line.startswith(f"sqaaas: error: git clone failed ({url}): fatal: ")
    assert f"127.0.0.1:{port}" in line and reason in line
    assert not line.rstrip().endswith("127.0.0.1:")


def test_git_error_never_shows_credentials(tmp_path: Path) -> None:
    port = closed_port()
    with pytest.raises(AcquireError) as caught:
        acquire(f"http://ada:s3cret@127.0.0.1:{port}/r.git", cache_dir=tmp_path, timeout=30)
    message = str(caught.value)
    assert "s3cret" not in message and "ada" not in message
    assert f"127.0.0.1:{port}" in message and "Couldn't connect to server" in message
