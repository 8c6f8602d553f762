"""`sqaaas serve` as a process: jobs survive the server (killed with SIGKILL or stopped with
SIGTERM in the middle of an assessment, then started again on the same data dir), and the
server's start-up errors and addresses."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sqaaas.errors import SqaaasError
from sqaaas.web.server import settings_for
from sqaaas.web.store import Job, Store
from tests.repos import good_repo_files, make_repo
from tests.web_support import (
    RunningServer,
    free_port,
    git_http_server,
    servers_fixture,  # noqa: F401  (fixture)
    start_server,
)

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SLOW_MODULES = 150  # enough Python for the linters to keep one assessment busy for seconds


def slow_module(n: int) -> str:
    """A plain module with a few functions: work for pylint, ruff, radon, bandit..."""
    lines = [f'"""Part {n} of the example tool."""', "", ""]
    for f in range(8):
        lines += [
            f"def step_{f}(values: list[float]) -> float:",
            f'    """Signed sum, step {f}."""',
            "    total = 0.0",
            "    for value in values:",
            f"        total += value if value > {f} else -value",
            "    return total",
            "",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def project_files(modules: int = 0) -> dict[str, str]:
    files = {**good_repo_files(), ".sqaaas.yml": "public_forges: [127.0.0.1]\n"}
    files.update({f"example/part_{n:03d}.py": slow_module(n) for n in range(modules)})
    return files


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Two repositories over loopback HTTP: 'slow' (seconds to assess) and 'quick'."""
    slow = make_repo(tmp_path / "slow", project_files(SLOW_MODULES))
    quick = make_repo(tmp_path / "quick", project_files())
    with git_http_server(tmp_path / "served") as server:
        yield {"slow": server.publish(slow), "quick": server.publish(quick)}


def port_of(server: RunningServer) -> int:
    """A restart keeps the address: the issuer URL of the service's badges names it."""
    return int(server.base.rsplit(":", 1)[1])


def make_token(run_cli: RunCli, data_dir: Path) -> str:
    made = run_cli("tokens", "create", "--name", "restart-test", "--data-dir", str(data_dir))
    assert made.returncode == 0, made.stderr
    assert "cannot be shown again" in made.stderr
    return made.stdout.strip()


def submit(server: RunningServer, token: str, url: str) -> dict[str, Any]:
    answer = requests.post(
        server.url("/api/v1/assessments"),
        json={"repo_url": url},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    return answer.json()  # type: ignore[no-any-return]


def state_of(server: RunningServer, job_id: str) -> dict[str, Any]:
    answer = requests.get(server.url(f"/api/v1/assessments/{job_id}"), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def wait_state(
    server: RunningServer, job_id: str, states: tuple[str, ...], timeout: float = 240
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = state_of(server, job_id)
        if job["state"] in states:
            return job
        assert job["state"] not in ("done", "failed"), job
        time.sleep(0.2)
    raise AssertionError(f"{job_id} not {states} after {timeout} s: {state_of(server, job_id)}")


def jobs_on_disk(data_dir: Path, *ids: str) -> list[Job]:
    """The jobs as the database holds them while no server runs."""
    store = Store(data_dir / "sqaaas.sqlite3")
    try:
        jobs = [store.job(job_id) for job_id in ids]
    finally:
        store.close()
    assert all(jobs)
    return jobs  # type: ignore[return-value]


def assert_finished_with_report(server: RunningServer, job_id: str, url: str) -> dict[str, Any]:
    job = wait_state(server, job_id, ("done", "failed"))
    assert job["state"] == "done", job["error"]
    report = requests.get(server.url(f"/api/v1/assessments/{job_id}/report"), timeout=30)
    assert report.status_code == 200, report.text
    assert report.json()["repository"]["url"] == url
    assert report.json()["badge"]["level"] == job["badge_level"] != "none"
    return job


def test_running_and_queued_jobs_survive_a_killed_server(
    tmp_path: Path, run_cli: RunCli, served: dict[str, str], servers: list[RunningServer]
) -> None:
    data = tmp_path / "data"
    servers.append(start_server(data, "--workers", "1"))
    token = make_token(run_cli, data)
    slow = submit(servers[0], token, served["slow"])
    quick = submit(servers[0], token, served["quick"])
    wait_state(servers[0], slow["id"], ("running",))
    assert state_of(servers[0], quick["id"])["state"] == "queued"  # one worker

    servers[0].kill()  # SIGKILL: no shutdown code runs
    running, queued = jobs_on_disk(data, slow["id"], quick["id"])
    assert (running.state, running.attempts) == ("running", 1)
    assert (queued.state, queued.attempts) == ("queued", 0)

    servers.append(start_server(data, "--workers", "1", port=port_of(servers[0])))
    first = assert_finished_with_report(servers[1], slow["id"], served["slow"])
    second = assert_finished_with_report(servers[1], quick["id"], served["quick"])
    assert first["attempts"] == 2  # started before the kill, and again after the restart
    assert second["attempts"] == 1
    badges = requests.get(servers[1].url(f"/api/v1/assessments/{slow['id']}/badges"), timeout=30)
    assert [b["level"] for b in badges.json()] == [first["badge_level"]]


def test_a_stopped_server_requeues_its_running_job(
    tmp_path: Path, run_cli: RunCli, served: dict[str, str], servers: list[RunningServer]
) -> None:
    data = tmp_path / "data"
    servers.append(start_server(data, "--workers", "1"))
    token = make_token(run_cli, data)
    slow = submit(servers[0], token, served["slow"])
    wait_state(servers[0], slow["id"], ("running",))

    started = time.monotonic()
    servers[0].process.terminate()  # SIGTERM: graceful
    servers[0].process.wait(timeout=60)
    assert time.monotonic() - started < 30
    (job,) = jobs_on_disk(data, slow["id"])
    assert (job.state, job.progress) == ("queued", "re-queued: the server was stopped")
    log = servers[0].log.read_text(errors="replace")
    assert "Application shutdown complete" in log and "Traceback" not in log

    servers.append(start_server(data, "--workers", "1", port=port_of(servers[0])))
    assert assert_finished_with_report(servers[1], slow["id"], served["slow"])["attempts"] == 2


def test_a_port_in_use_is_one_line_and_exit_2(
    tmp_path: Path, run_cli: RunCli, servers: list[RunningServer]
) -> None:
    servers.append(start_server(tmp_path / "data"))
    port = port_of(servers[0])
    second = run_cli(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path / "b")
    )
    assert second.returncode == 2
    assert second.stderr == (
        f"sqaaas: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
    assert requests.get(servers[0].url("/healthz"), timeout=30).status_code == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--host", "0.0.0.0"], "listening on 0.0.0.0: give --public-url"),
        (["--public-url", "http://sqaaas.example.org"], "--public-url: issuer URL"),
        (["--public-url", "https://sqaaas.example.org/?x=1"], "must not carry a query"),
        (["--workers", "0"], "Invalid value for '--workers'"),
        (["--port", "70000"], "Invalid value for '--port'"),
    ],
)
def test_serve_refuses_bad_options_in_one_line(
    tmp_path: Path, run_cli: RunCli, options: list[str], message: str
) -> None:
    result = run_cli("serve", "--data-dir", str(tmp_path / "data"), *options)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "sqaaas.sqlite3").exists()


def test_settings_from_options(tmp_path: Path) -> None:
    local = settings_for(tmp_path, host="::1", port=9000)
    assert (local.data_dir, local.base_url) == (tmp_path, "http://[::1]:9000")
    public = settings_for(None, host="0.0.0.0", public_url=" https://qa.example.org/sqaaas/ ")
    assert public.base_url == "https://qa.example.org/sqaaas"
    with pytest.raises(SqaaasError, match="give --public-url"):
        settings_for(None, host="192.0.2.10")


def test_serve_on_ipv6_loopback(tmp_path: Path) -> None:
    """The whole start-up on [::1]: bind, issuer keys for http://[::1]:PORT, /healthz."""
    port = free_port()
    argv = [
        sys.executable, "-m", "sqaaas", "serve", "--host", "::1", "--port", str(port),
        "--data-dir", str(tmp_path / "data"), "--quiet",
    ]
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                health = requests.get(f"http://[::1]:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "no answer on [::1]"
                time.sleep(0.2)
        assert health.status_code == 200
        profile = requests.get(f"http://[::1]:{port}/issuer/issuer.json", timeout=5)
        assert profile.json()["id"] == f"http://[::1]:{port}/issuer/issuer.json"
    finally:
        process.terminate()
        process.wait(timeout=30)
