"""``sqaaas worker``: a Celery worker that runs the assessments and onboardings a scaled-out
service queues, each in a child process exactly as the embedded service runs them
(``sqaaas.web.jobs.JobRunner``), with its result, badge and state in the shared database.

Next to Celery's consumer, an upkeep thread reports the worker in the database (for
``/healthz``), gives the jobs of workers that stopped answering to the queue again (their
heartbeat is older than the lease), and sends the messages the broker never got. Several
workers doing that at once is harmless: a job is claimed by id, atomically, once.

SIGTERM is Celery's warm shutdown: the worker takes no new job and finishes the ones it
runs. A worker killed outright loses nothing either: its jobs' lease runs out and another
worker runs them from the start; the broker redelivers its unacknowledged messages.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Sequence

from celery import Celery

from sqaaas.errors import SqaaasError
from sqaaas.platform.reaper import guard
from sqaaas.web.jobs import JobRunner
from sqaaas.web.operations import ISSUER_NAME, Operations
from sqaaas.web.queue import QUEUES, TASK, celery_app, publish, visibility_timeout
from sqaaas.web.settings import WebSettings
from sqaaas.web.sharedissuer import SharedIssuer
from sqaaas.web.store import BadgeRecord, Job, StoreError, StoreUnavailable, open_store

log = logging.getLogger("sqaaas.web.worker")

#: a message whose job the database could not be asked about comes back this much later
RETRY_CLAIM_S = 5
#: a job is sent to the broker again only when it was queued at least this long ago (so the
#: web node that queued it had time to send it itself)
SEND_GRACE_S = 5.0


def default_name() -> str:
    """A node name unique on this host: the host name and the process id."""
    return f"sqaaas-{os.getpid()}@{socket.gethostname()}"


class Worker:
    """One ``sqaaas worker`` process: its store, runner, Celery app and upkeep."""

    def __init__(self, settings: WebSettings, name: str, concurrency: int, queues: Sequence[str]):
        self.settings = settings
        self.name = name
        self.concurrency = concurrency
        self.queues = list(queues)
        self.store = open_store(settings)
        self.shared = SharedIssuer(self.store, settings)
        self.service = Operations(settings=settings, store=self.store, shared=self.shared)
        self.runner = JobRunner(self.store, settings, make_badge=self._sign)
        self.app = celery_app(settings)

        @self.app.task(name=TASK, bind=True)
        def run_job(task: object, job_id: str) -> None:
            self._task(task, job_id)

        self._stop = threading.Event()
        self._started = time.time()

    def _sign(self, job: Job, report_json: str) -> BadgeRecord | None:
        """The badge of a finished job, signed with the service's shared issuer key."""
        try:
            issuer = self.shared.signing_issuer(ISSUER_NAME)
            if issuer is None:
                log.warning("job %s: no badge issued: no web node has made the issuer yet",
                            job.id)  # fmt: skip
                return None
            return self.service.sign_badge(job, report_json, issuer)
        except SqaaasError as exc:
            log.warning("job %s: no badge issued: %s", job.id, exc)
            return None

    def _task(self, task: object, job_id: str) -> None:
        """The Celery task: claim the job by id and run it, or drop a message whose job is
        no longer queued (already done, or running on another worker)."""
        try:
            job = self.store.claim_job(job_id, self.name)
        except StoreUnavailable:
            retry = task.retry  # type: ignore[attr-defined]
            raise retry(countdown=RETRY_CLAIM_S, max_retries=None) from None
        if job is None:
            log.info("job %s is not queued (finished, or running elsewhere): skipped", job_id)
            return
        log.info("job %s: attempt %d on %s", job.id, job.attempts, self.name)
        self.runner.run(job)

    def _upkeep(self) -> None:
        """Report this worker, hand on the jobs of dead workers, send what the broker missed.

        Jobs are judged by heartbeats only after the database has answered this worker for a
        whole lease: right after a database outage every heartbeat looks old.
        """
        answering_since: float | None = None
        while not self._stop.wait(self.settings.heartbeat_s):
            now = time.time()
            try:
                self.store.worker_seen(self.name, self._started, self.concurrency,
                                       ",".join(self.queues))  # fmt: skip
                answering_since = answering_since or now
                if now - answering_since >= self.settings.lease_s:
                    self._requeue_lost(now)
                for job in self.store.unsent(now - SEND_GRACE_S,
                                             now - visibility_timeout(self.settings)):  # fmt: skip
                    publish(self.app, self.store, job)
            except StoreError as exc:
                answering_since = None
                log.warning("upkeep: %s", exc)
            except Exception:  # the upkeep must outlive any surprise
                log.exception("upkeep failed")

    def _requeue_lost(self, now: float) -> None:
        lost = self.store.requeue_stale(
            now - self.settings.lease_s,
            self.settings.max_attempts,
            "re-queued: its worker stopped answering",
            "(its worker stopped answering)",
        )
        if lost:
            log.warning("re-queued %d job(s) whose worker stopped answering", len(lost))

    def run(self, quiet: bool = False) -> None:
        """Consume until SIGTERM/SIGINT (Celery's warm shutdown), then leave the database."""
        guard()  # the jobs' containers die with this worker, however it ends
        self.shared.pull()
        upkeep = threading.Thread(target=self._upkeep, name="sqaaas-upkeep", daemon=True)
        upkeep.start()
        argv = [
            "worker", "--pool=threads", f"--concurrency={self.concurrency}",
            f"--queues={','.join(self.queues)}", f"--hostname={self.name}",
            f"--loglevel={'WARNING' if quiet else 'INFO'}",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        try:
            _start(self.app, argv)
        finally:
            self._stop.set()
            with contextlib.suppress(StoreError):
                self.store.worker_gone(self.name)
            self.store.close()


def _start(app: Celery, argv: list[str]) -> None:
    """Run Celery's worker command; its normal end (a shutdown) is a return, not an exit."""
    try:
        app.worker_main(argv=argv)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise SqaaasError(f"the Celery worker stopped with status {exc.code}") from None


def check_queues(names: Sequence[str]) -> list[str]:
    """The queue names asked for, each one the service has (QUEUES); SqaaasError otherwise."""
    known = sorted(QUEUES.values())
    wanted = [n.strip() for name in names for n in name.split(",") if n.strip()] or known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SqaaasError(f"unknown queue {unknown[0]!r}: choose from {', '.join(known)}")
    return wanted


def run_worker(
    settings: WebSettings,
    *,
    concurrency: int,
    queues: Sequence[str] = (),
    name: str | None = None,
    quiet: bool = False,
) -> None:
    """``sqaaas worker``: needs the broker and the database of the service."""
    if not settings.scaled_out or not settings.database_url:
        raise SqaaasError("sqaaas worker needs --broker URL and --database URL")
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    Worker(settings, name or default_name(), concurrency, check_queues(queues)).run(quiet)
