"""The service's SQLite store (real database files) and the request-safety helpers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response

from sqaaas.web import security
from sqaaas.web.security import (
    CSRF_COOKIE,
    RateLimiter,
    bearer_token,
    csrf_ok,
    csrf_token,
    set_csrf_cookie,
)
from sqaaas.web.store import QueueFull, Store, token_digest

REPO = "https://example.org/group/project.git"
RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "data" / "sqaaas.sqlite3")
    yield opened
    opened.close()


def reopen(store: Store) -> Store:
    """The same database through a new connection, as a restarted server sees it."""
    store.close()
    return Store(store.path)


# jobs: submit and dedupe


def test_submit_queues_a_new_job(store: Store) -> None:
    job, created = store.submit(REPO, "main", None, max_queued=10)
    assert created
    assert (job.state, job.repo_url, job.branch, job.subfolder) == ("queued", REPO, "main", None)
    assert job.attempts == 0 and job.progress == "queued" and not job.finished
    assert store.job(job.id) == job
    assert store.count("queued") == 1


@pytest.mark.parametrize(
    "same_repo",
    [
        REPO,
        REPO.removesuffix(".git"),
        REPO.replace("example.org", "Example.ORG"),
        REPO + "/",
        REPO.removesuffix(".git") + ".GIT",
        REPO.replace("https://", "HTTPS://"),
    ],
)
def test_the_same_request_shares_the_active_job(store: Store, same_repo: str) -> None:
    first, _ = store.submit(REPO, "main", "src", max_queued=10)
    again, created = store.submit(same_repo, "main", "src", max_queued=10)
    assert not created
    assert again.id == first.id
    assert store.count("queued") == 1


def test_the_path_keeps_its_case(store: Store) -> None:
    """A self-hosted server may tell /Org/Tool from /org/tool: they are two repositories."""
    first, _ = store.submit("https://example.org/org/tool", None, None, max_queued=10)
    other, created = store.submit("https://example.org/Org/Tool", None, None, max_queued=10)
    assert created and other.id != first.id


def test_another_branch_or_subfolder_is_another_job(store: Store) -> None:
    first, _ = store.submit(REPO, "main", None, max_queued=10)
    other_branch, created_branch = store.submit(REPO, "dev", None, max_queued=10)
    other_folder, created_folder = store.submit(REPO, "main", "docs", max_queued=10)
    assert created_branch and created_folder
    assert len({first.id, other_branch.id, other_folder.id}) == 3


def test_a_running_job_is_shared_and_a_finished_one_is_not(store: Store) -> None:
    first, _ = store.submit(REPO, None, None, max_queued=10)
    store.claim()
    running, created = store.submit(REPO, None, None, max_queued=10)
    assert not created and running.id == first.id and running.state == "running"
    store.finish(first.id, '{"ok": true}', "a" * 40, "bronze")
    fresh, created = store.submit(REPO, None, None, max_queued=10)
    assert created and fresh.id != first.id


def test_queue_full_counts_waiting_jobs_only(store: Store) -> None:
    store.submit(REPO, "a", None, max_queued=2)
    store.submit(REPO, "b", None, max_queued=2)
    with pytest.raises(QueueFull, match="2 assessments are waiting"):
        store.submit(REPO, "c", None, max_queued=2)
    # a request already queued is still answered with its job when the queue is full
    job, created = store.submit(REPO, "a", None, max_queued=2)
    assert not created and job.branch == "a"
    store.claim()  # one job starts: a place in the queue frees up
    _, created = store.submit(REPO, "c", None, max_queued=2)
    assert created


# jobs: claim and life cycle


def test_claim_takes_the_oldest_queued_job(store: Store) -> None:
    assert store.claim() is None
    ids = [store.submit(REPO, f"b{n}", None, max_queued=10)[0].id for n in range(4)]
    claimed = [store.claim() for _ in range(4)]
    assert [job.id for job in claimed if job] == ids
    assert all(job and job.state == "running" and job.attempts == 1 for job in claimed)
    assert all(job and job.started_at and job.progress == "starting" for job in claimed)
    assert store.claim() is None


def test_progress_finish_and_report(store: Store) -> None:
    job, _ = store.submit(REPO, None, None, max_queued=10)
    store.set_progress(job.id, "queued jobs get no progress")
    assert store.job(job.id).progress == "queued"  # type: ignore[union-attr]
    store.claim()
    store.set_progress(job.id, "checking 3/40: " + "x" * 1000)
    progress = store.job(job.id).progress  # type: ignore[union-attr]
    assert progress.startswith("checking 3/40") and len(progress) == 500  # type: ignore[union-attr]
    assert store.report(job.id) is None
    store.finish(job.id, '{"badge": "silver"}', "c" * 40, "silver")
    done = store.job(job.id)
    assert done is not None and done.finished
    assert (done.state, done.badge_level, done.commit_sha) == ("done", "silver", "c" * 40)
    assert done.finished_at and done.progress == "done" and done.error is None
    assert store.report(job.id) == '{"badge": "silver"}'
    assert store.report("no-such-job") is None and store.job("no-such-job") is None


def test_fail_keeps_a_bounded_error(store: Store) -> None:
    job, _ = store.submit(REPO, None, None, max_queued=10)
    store.claim()
    store.fail(job.id, "could not clone: " + "e" * 5000)
    failed = store.job(job.id)
    assert failed is not None and failed.state == "failed" and failed.finished
    assert (
        failed.error.startswith("could not clone")  # type: ignore[union-attr]
        and len(failed.error) == 2000
    )


def test_requeue_only_touches_running_jobs(store: Store) -> None:
    job, _ = store.submit(REPO, None, None, max_queued=10)
    store.claim()
    store.requeue(job.id, "re-queued: the server was stopped")
    queued = store.job(job.id)
    assert queued is not None
    assert (queued.state, queued.progress) == ("queued", "re-queued: the server was stopped")
    store.claim()
    store.finish(job.id, "{}", None, "none")
    store.requeue(job.id, "too late")
    assert store.job(job.id).state == "done"  # type: ignore[union-attr]


def test_jobs_survive_a_new_connection(store: Store) -> None:
    running, _ = store.submit(REPO, "running", None, max_queued=10)
    queued, _ = store.submit(REPO, "queued", None, max_queued=10)
    store.claim()
    store = reopen(store)
    try:
        assert store.job(queued.id).state == "queued"  # type: ignore[union-attr]
        assert store.job(running.id).state == "running"  # type: ignore[union-attr]
        assert [j.id for j in store.recent_jobs()] == [queued.id, running.id]  # newest first
    finally:
        store.close()


def test_recover_requeues_interrupted_jobs_until_max_attempts(store: Store) -> None:
    job, _ = store.submit(REPO, None, None, max_queued=10)
    waiting, _ = store.submit(REPO, "other", None, max_queued=10)
    for attempt in (1, 2):
        assert store.claim().id == job.id  # type: ignore[union-attr]
        store = reopen(store)  # the server was killed while the job ran
        assert store.recover(max_attempts=3) == [job.id]
        recovered = store.job(job.id)
        assert recovered is not None
        assert (recovered.state, recovered.attempts) == ("queued", attempt)
        assert recovered.progress == "re-queued after a server restart"
    assert store.claim().attempts == 3  # type: ignore[union-attr]
    assert store.recover(max_attempts=3) == [job.id]
    given_up = store.job(job.id)
    assert given_up is not None and given_up.state == "failed"
    assert given_up.error == "interrupted 3 times by server restarts; giving up"
    assert store.job(waiting.id).state == "queued"  # type: ignore[union-attr]
    assert store.recover(max_attempts=3) == []
    store.close()


# API tokens


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    store = Store(tmp_path / "sqaaas.sqlite3")
    token_id, secret = store.create_token("ci")
    assert secret.startswith("sqaaas_") and len(secret) > 40
    assert store.token_valid(secret)
    assert not store.token_valid(secret + "x") and not store.token_valid("")
    listed = store.tokens()
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(token_id, "ci", None)]
    assert secret not in repr(listed)
    store.close()  # checkpoints the WAL into the database file
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert token_digest(secret).encode() in stored
    assert secret.encode() not in stored
    assert secret.removeprefix("sqaaas_").encode() not in stored


def test_a_revoked_token_stops_working(store: Store) -> None:
    keep_id, keep = store.create_token("keep")
    gone_id, gone = store.create_token("gone")
    assert store.revoke_token(gone_id)
    assert not store.revoke_token(gone_id)
    assert not store.revoke_token("no-such-token")
    assert store.token_valid(keep) and not store.token_valid(gone)
    revoked = {t["id"]: t["revoked_at"] for t in store.tokens()}
    assert revoked[keep_id] is None and revoked[gone_id] is not None


# badges


def test_badge_records(store: Store) -> None:
    job, _ = store.submit(REPO, None, None, max_queued=10)
    store.add_badge("urn:uuid:1", job.id, "software", "silver", "vc.jwt", "ob2.jws")
    store.add_badge("urn:uuid:2", job.id, "software", "silver", "vc2.jwt", "ob2b.jws")
    badge = store.badge("urn:uuid:1")
    assert badge is not None
    assert (badge.job_id, badge.level, badge.token, badge.ob2_jws) == (
        job.id, "silver", "vc.jwt", "ob2.jws",
    )
    assert badge.revoked_at is None
    assert [b.id for b in store.badges_of(job.id)] == ["urn:uuid:1", "urn:uuid:2"]
    assert store.revoke_badge("urn:uuid:1", "issued by mistake")
    assert not store.revoke_badge("urn:uuid:1", "again")
    revoked = store.badge("urn:uuid:1")
    assert revoked is not None and revoked.revoked_at
    assert revoked.revoked_reason == "issued by mistake"
    assert store.badge("urn:uuid:404") is None and store.badges_of("nope") == []


def test_a_badge_needs_its_job(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.add_badge("urn:uuid:9", "no-such-job", "software", "gold", "t", "j")


# request safety


class FakeClock:
    """A monotonic clock the test moves by hand (the limiter's window is a minute)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_rate_limiter_window(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(security, "time", clock)
    limiter = RateLimiter(per_minute=3)
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2")  # each client has its own window
    clock.now += 30
    assert not limiter.allow("10.0.0.1")  # the window slides: still 3 in the last minute
    clock.now += 31
    assert limiter.allow("10.0.0.1")
    assert limiter.allow("10.0.0.1") and limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")


def test_rate_limit_zero_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0)
    assert all(limiter.allow("10.0.0.1") for _ in range(1000))


def request_with(headers: dict[str, str], scheme: str = "http") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http", "method": "POST", "path": "/", "headers": raw, "query_string": b"",
        "scheme": scheme, "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
    }
    return Request(scope)


def test_csrf_ok_needs_the_cookie_and_the_same_field() -> None:
    token = "t" * 43
    assert csrf_ok(request_with({"Cookie": f"{CSRF_COOKIE}={token}"}), token)
    assert not csrf_ok(request_with({"Cookie": f"{CSRF_COOKIE}={token}"}), token[:-1] + "u")
    assert not csrf_ok(request_with({"Cookie": f"{CSRF_COOKIE}={token}"}), None)
    assert not csrf_ok(request_with({"Cookie": f"{CSRF_COOKIE}={token}"}), "")
    assert not csrf_ok(request_with({}), token)
    assert not csrf_ok(request_with({"Cookie": f"other={token}"}), token)


def test_csrf_token_is_made_once_and_sent_as_a_strict_cookie() -> None:
    request = request_with({"Cookie": f"{CSRF_COOKIE}=short"}, scheme="https")
    token = csrf_token(request)
    assert len(token) >= 32 and token != "short"
    assert csrf_token(request) == token  # the same page asks twice: one token
    response = Response()
    set_csrf_cookie(request, response)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}={token}")
    for attribute in ("HttpOnly", "SameSite=strict", "Secure"):
        assert attribute.lower() in cookie.lower()
    existing = request_with({"Cookie": f"{CSRF_COOKIE}={token}"})
    assert csrf_token(existing) == token
    untouched = Response()
    set_csrf_cookie(existing, untouched)
    assert "set-cookie" not in untouched.headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer sqaaas_abc", "sqaaas_abc"),
        ("bearer   sqaaas_abc  ", "sqaaas_abc"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer", None),
        ("Bearer    ", None),
        ("sqaaas_abc", None),
    ],
)
def test_bearer_token(header: str, expected: str | None) -> None:
    assert bearer_token(request_with({"Authorization": header})) == expected
    assert bearer_token(request_with({})) is None


# the tokens commands


def test_tokens_commands(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "data"
    made = run_cli("tokens", "create", "--name", "ci pipeline", "--data-dir", str(data))
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert made.stdout == secret + "\n" and secret.startswith("sqaaas_")  # stdout: the secret
    assert "cannot be shown again" in made.stderr and secret not in made.stderr
    run_cli("tokens", "create", "--data-dir", str(data))

    listed = run_cli("tokens", "list", "--format", "json", "--data-dir", str(data))
    tokens = json.loads(listed.stdout)
    assert [(t["name"], t["revoked"]) for t in tokens] == [("ci pipeline", None), ("api", None)]
    assert secret not in listed.stdout
    text = run_cli("tokens", "list", "--data-dir", str(data)).stdout
    assert tokens[0]["id"] in text and "active" in text and secret not in text

    store = Store(data / "sqaaas.sqlite3")
    try:
        assert store.token_valid(secret)
        revoked = run_cli("tokens", "revoke", tokens[0]["id"], "--data-dir", str(data))
        assert revoked.returncode == 0 and f"revoked token {tokens[0]['id']}" in revoked.stdout
        assert not store.token_valid(secret)  # at once, through the shared database
    finally:
        store.close()
    again = run_cli("tokens", "revoke", tokens[0]["id"], "--data-dir", str(data))
    assert again.returncode == 0 and "already revoked" in again.stdout
    unknown = run_cli("tokens", "revoke", "0123abcd", "--data-dir", str(data))
    assert unknown.returncode == 2
    assert unknown.stderr == "sqaaas: error: no token 0123abcd (see 'sqaaas tokens list')\n"
    blank = run_cli("tokens", "create", "--name", "  ", "--data-dir", str(data))
    assert blank.returncode == 2 and "token name" in blank.stderr


def test_tokens_data_dir_defaults_to_the_environment(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQAAAS_DATA_DIR", str(tmp_path / "from-env"))
    assert run_cli("tokens", "create").returncode == 0
    assert (tmp_path / "from-env" / "sqaaas.sqlite3").is_file()
