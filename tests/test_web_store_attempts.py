"""The store's rules that make a job end ``done`` exactly once when workers die and messages
are delivered twice (SQLite here; the same code runs on PostgreSQL in test_scaleout)."""

from __future__ import annotations

from pathlib import Path

from sqaaas.web.store import Store

REPO = "https://example.org/group/project.git"


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "sqaaas.sqlite3")


def test_a_message_for_a_job_no_longer_queued_is_not_run(tmp_path: Path) -> None:
    store = _store(tmp_path)
    job, _ = store.submit(REPO, None, None, max_queued=10)
    first = store.claim_job(job.id, "w1")
    assert first is not None and (first.state, first.worker, first.attempts) == ("running", "w1", 1)
    assert store.claim_job(job.id, "w2") is None  # running elsewhere
    assert store.finish(job.id, "{}", None, "none", attempt=1)
    assert store.claim_job(job.id, "w2") is None  # re-delivered after it finished
    assert [e.state for e in store.events(job.id)] == ["queued", "running", "done"]
    store.close()


def test_an_attempt_that_lost_its_job_cannot_finish_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    job, _ = store.submit(REPO, None, None, max_queued=10)
    store.claim_job(job.id, "w1")
    assert store.requeue_stale(float("inf"), 3, "re-queued: its worker stopped answering",
                               "(its worker stopped answering)") == [job.id]  # fmt: skip
    again = store.claim_job(job.id, "w2")
    assert again is not None and again.attempts == 2
    assert not store.heartbeat(job.id, 1) and store.heartbeat(job.id, 2)
    assert not store.set_progress(job.id, "late news", 1)
    assert not store.finish(job.id, '{"late": 1}', None, "none", attempt=1)  # the dead one
    assert not store.fail(job.id, "late failure", attempt=1)
    assert store.finish(job.id, "{}", None, "none", attempt=2)
    history = [(e.state, e.attempt, e.worker) for e in store.events(job.id)]
    assert history == [("queued", 0, None), ("running", 1, "w1"), ("queued", 1, "w1"),
                       ("running", 2, "w2"), ("done", 2, "w2")]  # fmt: skip
    assert store.report(job.id) == "{}"
    store.close()


def test_only_jobs_past_their_lease_are_requeued(tmp_path: Path) -> None:
    store = _store(tmp_path)
    alive, _ = store.submit(REPO, "a", None, max_queued=10)
    store.claim_job(alive.id, "w1")
    assert store.requeue_stale(0.0, 3, "r", "c") == []  # heartbeat newer than the cutoff
    assert store.job(alive.id).state == "running"  # type: ignore[union-attr]
    store.close()


def test_unsent_jobs_are_found_until_the_broker_took_them(tmp_path: Path) -> None:
    store = _store(tmp_path)
    job, _ = store.submit(REPO, None, None, max_queued=10)
    assert [j.id for j in store.unsent(float("inf"), 0.0)] == [job.id]
    store.mark_enqueued(job.id)
    assert store.unsent(float("inf"), 0.0) == []
    assert [j.id for j in store.unsent(float("inf"), float("inf"))] == [job.id]  # long lost
    store.close()
